"""JsonSerializer / JsonDeserializer: JsonConverter envelopes, payload encoding, errors."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal

import orjson
import pytest

from pipeway.serde import (
    AvroDeserializer,
    AvroSerializer,
    DeserializationError,
    JsonDeserializer,
    JsonSerializer,
    SerializationError,
    connect_schema_from_avro,
)
from pipeway.serde.connect_payload import compile_encoder
from pipeway.serde.exceptions import ConnectDataError

from .schemas import ORDER, USER, USER_V1

ORDER_RECORD = {
    "id": "o-1",
    "quantity": 3,
    "total": 19.5,
    "weight": 0.25,
    "paid": True,
    "payload": b"\x00\xffbin",
    "price": Decimal("-1.28"),
    "day": dt.date(2024, 2, 29),
    "at": dt.datetime(2024, 1, 1, 12, 30, tzinfo=dt.UTC),
    "tags": ["a", "b"],
    "attrs": {"x": 1},
    "status": "PAID",
    "note": None,
    "line": {"sku": "s-1"},
}
USER_SCHEMA = connect_schema_from_avro(USER_V1)


def test_envelope_with_schema(value_ctx):
    data = JsonSerializer(schemas_enable=True, schema=USER_SCHEMA)(USER, value_ctx)

    assert orjson.loads(data) == {"schema": USER_SCHEMA, "payload": USER}


def test_envelope_without_schema_has_null_schema(value_ctx):
    data = JsonSerializer(schemas_enable=True)({"a": 1}, value_ctx)

    assert orjson.loads(data) == {"schema": None, "payload": {"a": 1}}


def test_schemas_disabled_writes_bare_payload(value_ctx):
    data = JsonSerializer(schemas_enable=False, schema=USER_SCHEMA)(USER, value_ctx)

    assert orjson.loads(data) == USER


def test_deserializer_accepts_both_forms(value_ctx):
    deserializer = JsonDeserializer()
    enveloped = JsonSerializer(True, USER_SCHEMA)(USER, value_ctx)
    bare = JsonSerializer(False)(USER, value_ctx)

    assert deserializer(enveloped, value_ctx) == USER
    assert deserializer(bare, value_ctx) == USER
    assert deserializer(b'{"schema": null, "payload": [1, 2]}', value_ctx) == [1, 2]
    assert deserializer(b'"text"', value_ctx) == "text"


def test_deserialize_with_schema_returns_envelope_schema(value_ctx):
    data = JsonSerializer(True, USER_SCHEMA)(USER, value_ctx)

    assert JsonDeserializer().deserialize_with_schema(data, value_ctx) == (USER_SCHEMA, USER)
    assert JsonDeserializer().deserialize_with_schema(b"{}", value_ctx) == (None, {})


def test_object_with_extra_keys_is_not_an_envelope():
    value = {"schema": {"type": "string"}, "payload": "x", "other": 1}

    assert JsonDeserializer()(orjson.dumps(value)) == value


def test_tombstones(value_ctx):
    assert JsonSerializer()(None, value_ctx) is None
    assert JsonDeserializer()(None, value_ctx) is None


def test_payload_encoding_follows_json_converter(value_ctx):
    schema = connect_schema_from_avro(ORDER)

    payload = orjson.loads(JsonSerializer(True, schema)(ORDER_RECORD, value_ctx))["payload"]

    assert payload["payload"] == base64.b64encode(b"\x00\xffbin").decode()
    assert payload["price"] == "gA=="  # unscaled -128, minimal two's complement
    assert payload["day"] == 19782  # days since epoch
    assert payload["at"] == 1704112200000  # millis since epoch
    assert payload["note"] is None
    assert payload["line"] == {"sku": "s-1"}


def test_round_trip_restores_python_types(value_ctx):
    schema = connect_schema_from_avro(ORDER)
    data = JsonSerializer(True, schema)(ORDER_RECORD, value_ctx)

    assert JsonDeserializer()(data, value_ctx) == ORDER_RECORD


def test_avro_records_convert_to_json_and_back(registry, value_ctx):
    """What a Connect sink gets from an Avro topic re-encoded as JSON."""
    avro = AvroSerializer(registry, ORDER)(ORDER_RECORD, value_ctx)
    decoded = AvroDeserializer(registry)(avro, value_ctx)

    data = JsonSerializer(True, connect_schema_from_avro(ORDER))(decoded, value_ctx)

    assert JsonDeserializer()(data, value_ctx) == ORDER_RECORD


def test_decimal_numeric_format(value_ctx):
    schema = connect_schema_from_avro(ORDER)
    serializer = JsonSerializer(False, schema, decimal_format="NUMERIC")

    data = serializer(ORDER_RECORD, value_ctx)

    assert b'"price":-1.28' in data


@pytest.mark.parametrize(
    ("unscaled", "encoded"),
    [(0, b"\x00"), (127, b"\x7f"), (128, b"\x00\x80"), (-1, b"\xff"), (-129, b"\xff\x7f")],
)
def test_decimal_bytes_are_minimal_twos_complement(unscaled: int, encoded: bytes):
    schema = {
        "type": "bytes",
        "name": "org.apache.kafka.connect.data.Decimal",
        "parameters": {"scale": "0"},
    }

    assert compile_encoder(schema)(Decimal(unscaled)) == base64.b64encode(encoded).decode()


def test_decimal_with_too_many_places(value_ctx):
    schema = connect_schema_from_avro(ORDER)

    with pytest.raises(SerializationError) as err:
        JsonSerializer(True, schema)({**ORDER_RECORD, "price": Decimal("1.234")}, value_ctx)

    assert err.value.field_path == "price"
    assert "more than 2 decimal places" in str(err.value)


def test_non_string_map_keys_become_pairs():
    schema = {
        "type": "map",
        "keys": {"type": "int32"},
        "values": {"type": "string"},
    }
    data = JsonSerializer(True, schema)({1: "a", 2: "b"}, None)

    assert orjson.loads(data)["payload"] == [[1, "a"], [2, "b"]]
    assert JsonDeserializer()(data) == {1: "a", 2: "b"}


def test_time_logical_type():
    schema = {"type": "int32", "name": "org.apache.kafka.connect.data.Time", "version": 1}
    data = JsonSerializer(True, schema)(dt.time(1, 2, 3, 4000), None)

    assert orjson.loads(data)["payload"] == 3723004
    assert JsonDeserializer()(data) == dt.time(1, 2, 3, 4000)


def test_logical_types_accept_raw_numbers():
    schema = connect_schema_from_avro(ORDER)
    record = {**ORDER_RECORD, "day": 1, "at": 1000}

    payload = orjson.loads(JsonSerializer(False, schema)(record, None))

    assert (payload["day"], payload["at"]) == (1, 1000)


def test_naive_timestamp_is_utc():
    schema = {"type": "int64", "name": "org.apache.kafka.connect.data.Timestamp"}

    assert compile_encoder(schema)(dt.datetime(1970, 1, 1, 0, 0, 1)) == 1000


def test_float_type_aliases_are_read():
    schema = {"type": "struct", "fields": [{"type": "float64", "field": "x"}]}
    data = orjson.dumps({"schema": schema, "payload": {"x": 1}})

    assert JsonDeserializer()(data) == {"x": 1.0}


def test_defaults_fill_missing_fields():
    schema = connect_schema_from_avro(
        '{"type": "record", "name": "R", "fields": ['
        '{"name": "a", "type": "string", "default": "dflt"},'
        '{"name": "b", "type": ["null", "long"], "default": null}]}'
    )

    assert orjson.loads(JsonSerializer(False, schema)({}, None)) == {"a": "dflt", "b": None}
    assert JsonDeserializer()(orjson.dumps({"schema": schema, "payload": {}})) == {
        "a": "dflt",
        "b": None,
    }


@pytest.mark.parametrize(
    ("record", "path", "message"),
    [
        ({**USER, "id": "x"}, "id", "expected int64, got str"),
        ({**USER, "id": True}, "id", "expected int64, got bool"),
        ({**USER, "id": 2**63}, "id", "out of range"),
        ({**USER, "name": None}, "name", "required field"),
        ({**USER, "extra": 1}, "", "fields not in the schema: extra"),
    ],
)
def test_payload_not_matching_schema(record, path, message, value_ctx):
    with pytest.raises(SerializationError) as err:
        JsonSerializer(True, USER_SCHEMA)(record, value_ctx)

    assert err.value.field_path == (path or None)
    assert message in str(err.value)
    assert err.value.topic == "users"


def test_schemaless_bytes_and_decimal():
    data = JsonSerializer(False)({"b": b"\x01", "d": Decimal("1.10"), "s": {1}}, None)

    assert orjson.loads(data) == {"b": "AQ==", "d": 1.1, "s": [1]}
    assert b'"d":1.10' in data


def test_schemaless_unsupported_type(value_ctx):
    with pytest.raises(SerializationError, match="not JSON serializable"):
        JsonSerializer(False)({"x": object()}, value_ctx)


def test_invalid_json(value_ctx):
    with pytest.raises(DeserializationError, match="not valid JSON") as err:
        JsonDeserializer()(b"\x00\x00\x00\x00\x01avro", value_ctx)

    assert err.value.topic == "users"


def test_payload_not_matching_envelope_schema(value_ctx):
    data = orjson.dumps({"schema": USER_SCHEMA, "payload": {"id": "x", "name": "n"}})

    with pytest.raises(DeserializationError, match="'id'.*expected int64"):
        JsonDeserializer()(data, value_ctx)


def test_invalid_base64(value_ctx):
    schema = {"type": "bytes"}

    with pytest.raises(DeserializationError, match="invalid base64"):
        JsonDeserializer()(orjson.dumps({"schema": schema, "payload": "***"}), value_ctx)


def test_malformed_schema_is_reported():
    with pytest.raises(ConnectDataError, match="unknown Connect type 'varchar'"):
        JsonSerializer(True, {"type": "varchar"})
    with pytest.raises(DeserializationError, match="'fields' list"):
        JsonDeserializer()(orjson.dumps({"schema": {"type": "struct"}, "payload": {}}))


def test_decoders_are_cached_per_schema(value_ctx):
    deserializer = JsonDeserializer(cache_size=1)
    first = JsonSerializer(True, USER_SCHEMA)(USER, value_ctx)
    other = JsonSerializer(True, {"type": "string"})("s", value_ctx)

    deserializer(first)
    cached = dict(deserializer._decoders)
    deserializer(first)
    assert deserializer._decoders == cached
    assert deserializer(other) == "s"
    assert len(deserializer._decoders) == 1


def test_struct_fast_paths_encode_like_the_field_encoders():
    """Values already in JSON form are copied; anything else goes through the field encoder."""
    schema = connect_schema_from_avro(
        '{"type": "record", "name": "R", "fields": ['
        '{"name": "flag", "type": "boolean"}, {"name": "n", "type": "int"},'
        '{"name": "x", "type": ["null", "double"], "default": null},'
        '{"name": "d", "type": {"type": "bytes", "logicalType": "decimal",'
        ' "precision": 5, "scale": 2}},'
        '{"name": "inner", "type": ["null", {"type": "record", "name": "I",'
        ' "fields": [{"name": "s", "type": "string"}]}], "default": null}]}'
    )
    encode = compile_encoder(schema)
    at_scale = {"flag": True, "n": 7, "x": 1, "d": Decimal("1.10"), "inner": {"s": "a"}}
    shorter = {"flag": False, "n": -1, "x": None, "d": Decimal("1.1"), "inner": None}

    assert encode(at_scale) == {"flag": True, "n": 7, "x": 1.0, "d": "bg==", "inner": {"s": "a"}}
    assert encode(shorter) == {"flag": False, "n": -1, "x": None, "d": "bg==", "inner": None}
    with pytest.raises(ConnectDataError, match="expected int32, got bool"):
        encode({**at_scale, "n": True})
    with pytest.raises(ConnectDataError, match="more than 2 decimal places"):
        encode({**at_scale, "d": Decimal("1.123")})
    with pytest.raises(ConnectDataError, match="expected a mapping, got list"):
        encode([])
