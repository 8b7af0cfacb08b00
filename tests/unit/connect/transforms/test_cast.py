from __future__ import annotations

import pytest

from pipeway.connect.transforms.cast import CastKey, CastValue
from pipeway.connect.transforms.exceptions import TransformConfigError, TransformError

from .support import KEY_SCHEMA, order, source, untouched, valid


def test_field_casts_with_schema() -> None:
    t = CastValue({"spec": "id:string,total:int32,paid:int8,qty:float64,email:boolean"})
    out = untouched(source(), t.apply)
    v = out.value
    assert (v["id"], v["total"], v["paid"], v["qty"], v["email"]) == ("7", 19, 1, 3.0, False)
    types = {f["name"]: f["type"] for f in out.value_schema["fields"]}
    assert types["id"] == "string"
    assert types["paid"] == {"type": "int", "connect.type": "int8"}
    assert types["email"] == ["null", "boolean"]
    assert valid(v, out.value_schema)
    assert t.apply(source()).value_schema is out.value_schema


def test_java_semantics() -> None:
    t = CastValue({"spec": "a:int8,b:string,c:boolean,d:int64,e:string"})
    out = t.apply(source({"a": 300, "b": True, "c": "TRUE", "d": "-12", "e": 1.0}, schema=None))
    assert out.value == {"a": 44, "b": "true", "c": True, "d": -12, "e": "1.0"}


def test_whole_value_and_key() -> None:
    out = CastValue({"spec": "int64"}).apply(source("12", schema=["null", "string"]))
    assert (out.value, out.value_schema) == (12, ["null", "long"])
    assert valid(out.value, out.value_schema)
    key_out = CastKey({"spec": "id:string"}).apply(source(key={"id": 7}, key_schema=KEY_SCHEMA))
    assert key_out.key == {"id": "7"}
    assert valid(key_out.key, key_out.key_schema)


def test_bad_values_and_types() -> None:
    with pytest.raises(TransformError, match="'customer'"):
        CastValue({"spec": "customer:int32"}).apply(source(order(customer="ada")))
    with pytest.raises(TransformError, match="primitive"):
        CastValue({"spec": "address:string"}).apply(source())


def test_config_errors() -> None:
    for spec in ("a:int128", "int32,a:string", ":int8", ""):
        with pytest.raises(TransformConfigError) as info:
            CastValue({"spec": spec})
        assert list(info.value.errors) == ["spec"], spec
