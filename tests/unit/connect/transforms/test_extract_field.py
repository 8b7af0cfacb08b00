from __future__ import annotations

import dataclasses

import pytest

from pipeway.connect.transforms.exceptions import TransformConfigError, TransformError
from pipeway.connect.transforms.extract_field import ExtractFieldKey, ExtractFieldValue

from .support import KEY_SCHEMA, source, untouched, valid


def test_value_field_with_schema() -> None:
    out = untouched(source(), ExtractFieldValue({"field": "address"}).apply)
    assert out.value == {"city": "Oslo", "zip": "0150"}
    assert out.value_schema["name"] == "shop.Address"
    assert valid(out.value, out.value_schema)


def test_reference_is_resolved_and_optional_kept() -> None:
    out = ExtractFieldValue({"field": "shipping"}).apply(source())
    assert out.value_schema[0] == "null"
    assert out.value_schema[1]["name"] == "shop.Address"  # definition inlined
    assert valid(out.value, out.value_schema)


def test_v2_nested_path() -> None:
    t = ExtractFieldValue({"field": "shipping.city", "field.syntax.version": "V2"})
    out = t.apply(source())
    assert out.value == "Bergen"
    assert out.value_schema == ["null", "string"]  # parent is optional
    assert valid(out.value, out.value_schema)
    with pytest.raises(TransformError, match="shipping.city"):
        ExtractFieldValue({"field": "shipping.city"}).apply(source())  # V1: a plain name


def test_key_variant_schemaless_and_tombstone() -> None:
    out = ExtractFieldKey({"field": "id"}).apply(source(key={"id": 7}, key_schema=KEY_SCHEMA))
    assert (out.key, out.key_schema) == (7, "long")
    out = ExtractFieldValue({"field": "a"}).apply(source({"a": [1]}, schema=None))
    assert out.value == [1]
    tomb = ExtractFieldValue({"field": "id"}).apply(dataclasses.replace(source(), value=None))
    assert tomb.value is None


def test_config_errors() -> None:
    with pytest.raises(TransformConfigError) as info:
        ExtractFieldValue({"field.syntax.version": "V3"})
    assert set(info.value.errors) == {"field", "field.syntax.version"}
