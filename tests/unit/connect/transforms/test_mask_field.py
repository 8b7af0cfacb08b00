from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeway.connect.transforms.exceptions import TransformConfigError, TransformError
from pipeway.connect.transforms.mask_field import MaskFieldKey, MaskFieldValue

from .support import KEY_SCHEMA, ORDER_SCHEMA, order, source, untouched, valid


def test_masks_by_type_with_schema() -> None:
    t = MaskFieldValue({"fields": "customer,total,paid,qty,created,tags,missing"})
    out = untouched(source(), t.apply)
    masked = {k: out.value[k] for k in ("customer", "total", "paid", "qty", "created", "tags")}
    assert masked == {
        "customer": "",
        "total": 0.0,
        "paid": False,
        "qty": 0,
        "created": datetime.fromtimestamp(0, UTC),
        "tags": [],
    }
    assert out.value_schema is ORDER_SCHEMA
    assert valid(out.value, out.value_schema)


def test_null_stays_null_and_replacement_parses_per_type() -> None:
    t = MaskFieldValue({"fields": "email,qty", "replacement": "42"})
    out = t.apply(source(order(email=None)))
    assert out.value["email"] is None
    assert out.value["qty"] == 42
    out = t.apply(source())
    assert out.value["email"] == "42"
    assert valid(out.value, out.value_schema)


def test_replacement_that_does_not_fit() -> None:
    with pytest.raises(TransformError, match="qty"):
        MaskFieldValue({"fields": "qty", "replacement": "secret"}).apply(source())
    with pytest.raises(TransformError, match="paid"):
        MaskFieldValue({"fields": "paid", "replacement": "1"}).apply(source())


def test_schemaless_and_key() -> None:
    record = source({"s": "x", "n": 5, "f": 1.5, "b": True, "l": [1], "m": {"a": 1}}, schema=None)
    out = untouched(record, MaskFieldValue({"fields": "s,n,f,b,l,m"}).apply)
    assert out.value == {"s": "", "n": 0, "f": 0.0, "b": False, "l": [], "m": {}}
    out = MaskFieldValue({"fields": "s,n", "replacement": "9"}).apply(record)
    assert (out.value["s"], out.value["n"]) == ("9", 9)
    key_out = MaskFieldKey({"fields": "id"}).apply(source(key={"id": 7}, key_schema=KEY_SCHEMA))
    assert key_out.key == {"id": 0}
    assert valid(key_out.key, key_out.key_schema)


def test_fields_required() -> None:
    with pytest.raises(TransformConfigError) as info:
        MaskFieldValue({})
    assert list(info.value.errors) == ["fields"]
