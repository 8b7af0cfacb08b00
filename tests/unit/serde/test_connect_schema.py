"""Avro schema → Kafka Connect JSON schema (JsonConverter's envelope form)."""

from __future__ import annotations

import fastavro
import orjson
import pytest

from pipeway.serde import SchemaConversionError, SchemaParseError, connect_schema_from_avro

from .schemas import ORDER, USER_V2


def _field(schema: dict, name: str) -> dict:
    return next(f for f in schema["fields"] if f["field"] == name)


def _record(*fields: dict) -> str:
    return orjson.dumps({"type": "record", "name": "R", "fields": list(fields)}).decode()


def test_record_becomes_named_struct():
    schema = connect_schema_from_avro(ORDER)

    assert schema["type"] == "struct"
    assert schema["name"] == "com.example.shop.Order"
    assert schema["optional"] is False
    assert schema["doc"] == "An order"
    assert [f["field"] for f in schema["fields"]][:3] == ["id", "quantity", "total"]


@pytest.mark.parametrize(
    ("field", "connect_type"),
    [
        ("id", "string"),
        ("quantity", "int32"),
        ("total", "double"),
        ("weight", "float"),
        ("paid", "boolean"),
        ("payload", "bytes"),
    ],
)
def test_primitive_types(field: str, connect_type: str):
    converted = _field(connect_schema_from_avro(ORDER), field)

    assert converted["type"] == connect_type
    assert converted["optional"] is False


def test_long_is_int64():
    assert _field(connect_schema_from_avro(USER_V2), "id") == {
        "type": "int64",
        "optional": False,
        "field": "id",
    }


def test_nullable_union_is_optional():
    schema = connect_schema_from_avro(USER_V2)

    assert _field(schema, "email") == {"type": "string", "optional": True, "field": "email"}


def test_union_with_null_second_and_default():
    schema = connect_schema_from_avro(
        _record({"name": "a", "type": ["string", "null"], "default": "x"})
    )

    assert _field(schema, "a") == {"type": "string", "optional": True, "default": "x", "field": "a"}


def test_defaults_and_docs_are_kept():
    schema = connect_schema_from_avro(USER_V2)

    assert _field(schema, "country")["default"] == "NL"
    assert _field(connect_schema_from_avro(ORDER), "id")["doc"] == "order id"


def test_bytes_default_is_base64():
    schema = connect_schema_from_avro(_record({"name": "b", "type": "bytes", "default": "\u00ff"}))

    assert _field(schema, "b")["default"] == "/w=="


def test_array_and_map():
    schema = connect_schema_from_avro(ORDER)

    assert _field(schema, "tags")["items"] == {"type": "string", "optional": False}
    attrs = _field(schema, "attrs")
    assert attrs["keys"] == {"type": "string", "optional": False}
    assert attrs["values"] == {"type": "int64", "optional": False}


def test_nested_record():
    line = _field(connect_schema_from_avro(ORDER), "line")

    assert line["type"] == "struct"
    assert line["name"] == "com.example.shop.Line"
    assert line["fields"] == [{"type": "string", "optional": False, "field": "sku"}]


def test_enum_is_string_with_symbols():
    status = _field(connect_schema_from_avro(ORDER), "status")

    assert status["type"] == "string"
    assert status["name"] == "com.example.shop.Status"
    assert status["parameters"]["io.confluent.connect.avro.Enum"] == "com.example.shop.Status"
    assert status["parameters"]["io.confluent.connect.avro.Enum.PAID"] == "PAID"


def test_logical_types():
    schema = connect_schema_from_avro(ORDER)

    assert _field(schema, "price") == {
        "type": "bytes",
        "optional": False,
        "name": "org.apache.kafka.connect.data.Decimal",
        "version": 1,
        "parameters": {"scale": "2", "connect.decimal.precision": "10"},
        "field": "price",
    }
    assert _field(schema, "day")["name"] == "org.apache.kafka.connect.data.Date"
    assert _field(schema, "day")["type"] == "int32"
    assert _field(schema, "at")["name"] == "org.apache.kafka.connect.data.Timestamp"
    assert _field(schema, "at")["type"] == "int64"


def test_time_millis_and_unmapped_logical_types():
    schema = connect_schema_from_avro(
        _record(
            {"name": "t", "type": {"type": "int", "logicalType": "time-millis"}},
            {"name": "u", "type": {"type": "string", "logicalType": "uuid"}},
            {"name": "m", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        )
    )

    assert _field(schema, "t")["name"] == "org.apache.kafka.connect.data.Time"
    assert _field(schema, "u") == {"type": "string", "optional": False, "field": "u"}
    assert _field(schema, "m") == {"type": "int64", "optional": False, "field": "m"}


def test_fixed_is_named_bytes():
    schema = connect_schema_from_avro(
        _record({"name": "f", "type": {"type": "fixed", "name": "Md5", "size": 16}})
    )

    assert _field(schema, "f")["type"] == "bytes"
    assert _field(schema, "f")["parameters"] == {"connect.fixed.size": "16"}


def test_int8_int16_hints():
    schema = connect_schema_from_avro(
        _record({"name": "small", "type": {"type": "int", "connect.type": "int16"}})
    )

    assert _field(schema, "small")["type"] == "int16"


def test_named_type_reused_by_name():
    schema = connect_schema_from_avro(
        _record(
            {
                "name": "a",
                "type": {"type": "record", "name": "P", "fields": [{"name": "x", "type": "int"}]},
            },
            {"name": "b", "type": "P"},
        )
    )

    assert _field(schema, "b")["type"] == "struct"
    assert _field(schema, "b")["name"] == "P"


def test_accepts_parsed_schema_and_primitives():
    assert (
        connect_schema_from_avro(fastavro.parse_schema(orjson.loads(USER_V2)))["type"] == "struct"
    )
    assert connect_schema_from_avro('"string"') == {"type": "string", "optional": False}
    assert connect_schema_from_avro("long") == {"type": "int64", "optional": False}


def test_multi_type_union_is_refused_with_path():
    with pytest.raises(SchemaConversionError) as err:
        connect_schema_from_avro(_record({"name": "v", "type": ["null", "int", "string"]}))

    assert err.value.path == "v"
    assert 'only ["null", T]' in str(err.value)


def test_recursive_type_is_refused():
    recursive = _record({"name": "next", "type": ["null", "R"], "default": None})

    with pytest.raises(SchemaConversionError, match="'R' is recursive") as err:
        connect_schema_from_avro(recursive)

    assert err.value.path == "next"


def test_invalid_avro():
    with pytest.raises(SchemaParseError):
        connect_schema_from_avro('{"type": "nope"}')
