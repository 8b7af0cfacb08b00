from __future__ import annotations

import pytest

from pipeway.connect.transforms.exceptions import TransformConfigError, TransformError
from pipeway.connect.transforms.value_to_key import ValueToKey

from .support import source, untouched, valid


def test_builds_key_and_key_schema() -> None:
    t = ValueToKey({"fields": "id,shipping"})
    out = untouched(source(), t.apply)
    assert out.key == {"id": 7, "shipping": {"city": "Bergen", "zip": None}}
    assert out.key_schema["name"] == "shop.OrderKey"
    assert valid(out.key, out.key_schema)  # Address is defined inside the key schema
    assert out.value == source().value
    assert t.apply(source()).key_schema is out.key_schema


def test_schemaless_and_missing_field() -> None:
    out = ValueToKey({"fields": "a,c"}).apply(source({"a": 1, "b": 2}, schema=None))
    assert out.key == {"a": 1, "c": None}
    assert out.key_schema is None
    with pytest.raises(TransformError, match="nope"):
        ValueToKey({"fields": "nope"}).apply(source())


def test_fields_required() -> None:
    with pytest.raises(TransformConfigError):
        ValueToKey({"fields": ""})
