from __future__ import annotations

import dataclasses

import pytest

from pipeway.connect.transforms.exceptions import TransformConfigError
from pipeway.connect.transforms.replace_field import ReplaceFieldKey, ReplaceFieldValue

from .support import KEY_SCHEMA, order, source, untouched, valid


def test_exclude_and_rename_with_schema() -> None:
    t = ReplaceFieldValue({"exclude": "email, tags", "renames": "customer:name,id:order_id"})
    out = untouched(source(), t.apply)
    assert list(out.value) == [
        "order_id",
        "name",
        "total",
        "paid",
        "qty",
        "created",
        "address",
        "shipping",
    ]
    assert out.value["name"] == "ada"
    assert [f["name"] for f in out.value_schema["fields"]] == list(out.value)
    assert valid(out.value, out.value_schema)
    assert t.apply(source()).value_schema is out.value_schema


def test_include_keeps_named_type_definition_when_its_field_is_dropped() -> None:
    # "shipping" refers to Address, which is defined inside the dropped "address" field.
    out = ReplaceFieldValue({"include": "id,shipping"}).apply(source())
    assert out.value == {"id": 7, "shipping": {"city": "Bergen", "zip": None}}
    assert valid(out.value, out.value_schema)


def test_old_names_whitelist_blacklist() -> None:
    out = ReplaceFieldValue({"whitelist": "id,email,qty", "blacklist": "qty"}).apply(source())
    assert out.value == {"id": 7, "email": "ada@example.com"}
    assert valid(out.value, out.value_schema)


def test_schemaless() -> None:
    record = source({"a": 1, "b": 2, "c": 3}, schema=None)
    out = untouched(record, ReplaceFieldValue({"exclude": "b", "renames": "c:z"}).apply)
    assert out.value == {"a": 1, "z": 3}


def test_key_variant_and_tombstone() -> None:
    t = ReplaceFieldKey({"renames": "id:key_id"})
    out = t.apply(source(key={"id": 7}, key_schema=KEY_SCHEMA))
    assert out.key == {"key_id": 7}
    assert valid(out.key, out.key_schema)
    tombstone = dataclasses.replace(source(), key=None, key_schema=KEY_SCHEMA)
    assert t.apply(tombstone) is tombstone
    assert order() == source().value


def test_config_errors() -> None:
    with pytest.raises(TransformConfigError) as info:
        ReplaceFieldValue({"renames": "a:b,broken"})
    assert list(info.value.errors) == ["renames"]
    with pytest.raises(TransformConfigError, match="not both"):
        ReplaceFieldValue({"include": "a", "whitelist": "b"})
