"""AvroSerializer / AvroDeserializer: wire format, caching, evolution, references, errors."""

from __future__ import annotations

import io
import pickle
import struct
from decimal import Decimal

import fastavro
import orjson
import pytest

from pipeway.errors import TransientError
from pipeway.serde import (
    AvroDeserializer,
    AvroSerializer,
    DeserializationError,
    RegistryClient,
    SchemaParseError,
    SchemaReference,
    SerdeConfigError,
    SerializationContext,
    SerializationError,
    UnknownSchemaIdError,
    WireFormatError,
    record_name_strategy,
    topic_record_name_strategy,
)

from .fake_registry import FakeRegistry, request_paths
from .schemas import ADDRESS, CUSTOMER_WITH_REF, USER, USER_V1, USER_V2


def _framed(schema_id: int, schema: str, record: object) -> bytes:
    body = io.BytesIO()
    fastavro.schemaless_writer(body, fastavro.parse_schema(orjson.loads(schema)), record)
    return b"\x00" + struct.pack(">I", schema_id) + body.getvalue()


def test_wire_format_matches_hand_built_bytes(registry: RegistryClient, value_ctx):
    serializer = AvroSerializer(registry, USER_V1)

    data = serializer(USER, value_ctx)

    assert data == _framed(1, USER_V1, USER)
    assert data[:5] == b"\x00\x00\x00\x00\x01"


def test_round_trip(registry: RegistryClient, value_ctx):
    data = AvroSerializer(registry, USER_V1)(USER, value_ctx)

    assert AvroDeserializer(registry)(data, value_ctx) == USER


def test_decodes_hand_built_bytes(registry: RegistryClient, fake_registry: FakeRegistry):
    schema_id = fake_registry.register_direct("users-value", USER_V1)

    decoded = AvroDeserializer(registry)(_framed(schema_id, USER_V1, USER), None)

    assert decoded == USER


def test_large_schema_id_header(fake_registry: FakeRegistry, registry: RegistryClient, value_ctx):
    fake_registry.next_id = 0x01020304
    data = AvroSerializer(registry, USER_V1)(USER, value_ctx)

    assert data[:5] == b"\x00\x01\x02\x03\x04"
    assert AvroDeserializer(registry)(data) == USER


def test_tombstones_pass_through(registry: RegistryClient, fake_registry, value_ctx):
    assert AvroSerializer(registry, USER_V1)(None, value_ctx) is None
    assert AvroDeserializer(registry)(None, value_ctx) is None
    assert fake_registry.requests == []


def test_registry_is_called_once_per_subject(registry, fake_registry: FakeRegistry):
    serializer = AvroSerializer(registry, USER_V1)
    deserializer = AvroDeserializer(registry)
    users, admins = SerializationContext("users"), SerializationContext("admins")

    for _ in range(3):
        deserializer(serializer(USER, users), users)
        deserializer(serializer(USER, admins), admins)
        deserializer(serializer(USER, SerializationContext("users")), users)

    assert request_paths(fake_registry) == [
        "POST /subjects/users-value/versions",
        "GET /schemas/ids/1",
        "POST /subjects/admins-value/versions",
    ]


def test_key_and_value_use_separate_subjects(registry, fake_registry: FakeRegistry):
    serializer = AvroSerializer(registry, '"string"')

    serializer("k", SerializationContext("orders", "key"))
    serializer("v", SerializationContext("orders", "value"))

    assert set(fake_registry.subjects) == {"orders-key", "orders-value"}


def test_primitive_schemas(registry: RegistryClient, value_ctx):
    for schema, value in [('"string"', "héllo"), ('"long"', -5), ("int", 7), ('"double"', 1.5)]:
        data = AvroSerializer(registry, schema)(value, value_ctx)
        assert AvroDeserializer(registry)(data, value_ctx) == value


def test_top_level_bytes_are_written_unframed(registry: RegistryClient, value_ctx):
    """Confluent's serializers write a bytes schema raw, without the Avro length prefix."""
    data = AvroSerializer(registry, '"bytes"')(b"\x01\x02\x03", value_ctx)

    assert data == b"\x00\x00\x00\x00\x01\x01\x02\x03"
    assert AvroDeserializer(registry)(data, value_ctx) == b"\x01\x02\x03"


def test_schema_evolution_v1_read_as_v2(registry: RegistryClient, value_ctx):
    data = AvroSerializer(registry, USER_V1)(USER, value_ctx)

    decoded = AvroDeserializer(registry, reader_schema=USER_V2)(data, value_ctx)

    assert decoded == {**USER, "country": "NL"}


def test_schema_evolution_v2_read_as_v1(registry: RegistryClient, fake_registry, value_ctx):
    data = AvroSerializer(registry, USER_V2)({**USER, "country": "BE"}, value_ctx)

    assert AvroDeserializer(registry, reader_schema=USER_V1)(data, value_ctx) == USER


def test_identical_reader_schema_skips_resolution(registry: RegistryClient, value_ctx):
    data = AvroSerializer(registry, USER_V1)(USER, value_ctx)
    pretty = orjson.dumps(orjson.loads(USER_V1), option=orjson.OPT_INDENT_2).decode()
    deserializer = AvroDeserializer(registry, reader_schema=pretty)

    assert deserializer(data, value_ctx) == USER
    assert deserializer._readers[1].reader is None


def test_incompatible_reader_schema_fails_with_deserialization_error(registry, value_ctx):
    data = AvroSerializer(registry, USER_V1)(USER, value_ctx)
    reader = (
        '{"type": "record", "name": "User", "namespace": "com.example", "fields": ['
        '{"name": "required_new", "type": "string"}]}'
    )

    with pytest.raises(DeserializationError, match="schema id 1"):
        AvroDeserializer(registry, reader_schema=reader)(data, value_ctx)


def test_return_record_name(registry: RegistryClient, value_ctx):
    union = orjson.dumps(
        [
            {"type": "record", "name": "A", "fields": [{"name": "x", "type": "int"}]},
            {"type": "record", "name": "B", "fields": [{"name": "y", "type": "int"}]},
        ]
    ).decode()
    data = AvroSerializer(registry, union)(("B", {"y": 1}), value_ctx)

    assert AvroDeserializer(registry, return_record_name=True)(data) == ("B", {"y": 1})
    assert AvroDeserializer(registry)(data) == {"y": 1}


def test_logical_types_round_trip(registry: RegistryClient, value_ctx):
    schema = orjson.dumps(
        {
            "type": "record",
            "name": "Price",
            "fields": [
                {
                    "name": "amount",
                    "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2},
                }
            ],
        }
    ).decode()
    data = AvroSerializer(registry, schema)({"amount": Decimal("12.34")}, value_ctx)

    assert AvroDeserializer(registry)(data) == {"amount": Decimal("12.34")}


def test_record_name_strategies(registry: RegistryClient, fake_registry: FakeRegistry, value_ctx):
    AvroSerializer(registry, USER_V1, subject_name_strategy=record_name_strategy)(USER, value_ctx)
    AvroSerializer(registry, USER_V1, subject_name_strategy=topic_record_name_strategy)(
        USER, value_ctx
    )

    assert list(fake_registry.subjects) == ["com.example.User", "users-com.example.User"]


def test_record_name_strategy_needs_named_schema(registry: RegistryClient, value_ctx):
    serializer = AvroSerializer(registry, '"string"', subject_name_strategy=record_name_strategy)

    with pytest.raises(SerializationError, match="RecordNameStrategy needs a named schema"):
        serializer("x", value_ctx)


def test_auto_register_off_uses_lookup(registry, fake_registry: FakeRegistry, value_ctx):
    fake_registry.register_direct("users-value", USER_V1)
    fake_registry.register_direct("users-value", USER_V2)
    serializer = AvroSerializer(registry, USER_V1, auto_register=False)

    data = serializer(USER, value_ctx)

    assert data[:5] == b"\x00\x00\x00\x00\x01"
    assert request_paths(fake_registry) == ["POST /subjects/users-value"]


def test_auto_register_off_and_schema_missing(registry, fake_registry: FakeRegistry, value_ctx):
    serializer = AvroSerializer(registry, USER_V1, auto_register=False)

    with pytest.raises(SerializationError, match="not registered under subject 'users-value'"):
        serializer(USER, value_ctx)
    assert fake_registry.subjects == {}


def test_use_latest_version(registry: RegistryClient, fake_registry: FakeRegistry, value_ctx):
    fake_registry.register_direct("users-value", USER_V1)
    latest_id = fake_registry.register_direct("users-value", USER_V2)
    serializer = AvroSerializer(registry, None, use_latest_version=True)

    data = serializer({**USER, "country": "FR"}, value_ctx)

    assert data == _framed(latest_id, USER_V2, {**USER, "country": "FR"})
    assert request_paths(fake_registry)[0] == "GET /subjects/users-value/versions/latest"


def test_schema_required_without_use_latest(registry: RegistryClient):
    with pytest.raises(SerdeConfigError, match="writer schema is required"):
        AvroSerializer(registry, None)


def test_invalid_writer_schema(registry: RegistryClient):
    with pytest.raises(SchemaParseError, match="invalid Avro schema"):
        AvroSerializer(registry, '{"type": "record", "name": "X", "fields": [{"name": "a"}]}')
    with pytest.raises(SchemaParseError, match="not valid JSON"):
        AvroSerializer(registry, "{nope")


def test_mismatch_names_topic_and_field_path(registry: RegistryClient, value_ctx):
    serializer = AvroSerializer(registry, USER_V1)

    with pytest.raises(SerializationError) as err:
        serializer({"id": "not-a-long", "name": "Ada"}, value_ctx)

    assert err.value.topic == "users"
    assert err.value.field == "value"
    assert err.value.field_path == "com.example.User.id"
    assert "'not-a-long'" in str(err.value)
    assert "topic 'users'" in str(err.value)
    assert isinstance(err.value.__cause__, Exception)


def test_missing_required_field(registry: RegistryClient, value_ctx):
    with pytest.raises(SerializationError) as err:
        AvroSerializer(registry, USER_V1)({"id": 1}, value_ctx)

    assert err.value.field_path == "com.example.User.name"


def test_non_record_value(registry: RegistryClient, value_ctx):
    with pytest.raises(SerializationError, match="cannot serialize value of topic 'users'"):
        AvroSerializer(registry, USER_V1)("just a string", value_ctx)


def test_serializer_requires_context(registry: RegistryClient):
    with pytest.raises(SerializationError, match="SerializationContext"):
        AvroSerializer(registry, USER_V1)(USER, None)


def test_registry_errors_propagate_unwrapped(fake_registry: FakeRegistry, value_ctx):
    import httpx

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    registry = RegistryClient("http://127.0.0.1:8081", transport=httpx.MockTransport(refuse))

    with pytest.raises(TransientError, match="127.0.0.1:8081 is unreachable"):
        AvroSerializer(registry, USER_V1)(USER, value_ctx)
    with pytest.raises(TransientError):
        AvroDeserializer(registry)(b"\x00\x00\x00\x00\x01\x02", value_ctx)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x01\x00\x00\x00\x01\x02", "magic byte 1"),
        (b'{"json": true}', "magic byte 123"),
        (b"\x00\x00\x01", "magic byte 0"),
        (b"", "empty"),
    ],
)
def test_not_wire_format(registry: RegistryClient, data: bytes, expected: str, value_ctx):
    with pytest.raises(WireFormatError) as err:
        AvroDeserializer(registry)(data, value_ctx)

    assert "not Confluent wire format" in str(err.value)
    assert expected in str(err.value)
    assert err.value.topic == "users"
    assert isinstance(err.value, DeserializationError)


def test_unknown_schema_id(registry: RegistryClient, value_ctx):
    with pytest.raises(UnknownSchemaIdError) as err:
        AvroDeserializer(registry)(b"\x00\x00\x00\x30\x39\x02", value_ctx)

    assert err.value.schema_id == 12345
    assert "schema id 12345" in str(err.value)
    copy = pickle.loads(pickle.dumps(err.value))
    assert (copy.schema_id, str(copy)) == (12345, str(err.value))


def test_truncated_body(registry: RegistryClient, value_ctx):
    data = AvroSerializer(registry, USER_V1)(USER, value_ctx)

    with pytest.raises(DeserializationError, match="does not decode with schema id 1"):
        AvroDeserializer(registry)(data[:7], value_ctx)


def test_non_avro_schema_id(registry: RegistryClient, fake_registry: FakeRegistry):
    registry.register("json-value", '{"type": "object"}', schema_type="JSON")

    with pytest.raises(SchemaParseError, match="schema type is JSON"):
        AvroDeserializer(registry)(b"\x00\x00\x00\x00\x01{}")


def test_schema_references(registry: RegistryClient, fake_registry: FakeRegistry, value_ctx):
    registry.register("com.example.Address", ADDRESS)
    ref = SchemaReference("com.example.Address", "com.example.Address", 1)
    serializer = AvroSerializer(registry, CUSTOMER_WITH_REF, references=[ref])
    customer = {"id": 1, "home": {"city": "Delft", "zip": "2611"}, "work": None}

    data = serializer(customer, value_ctx)
    fresh = RegistryClient("http://registry.test:8081", transport=fake_registry.transport())

    assert AvroDeserializer(fresh)(data, value_ctx) == customer
    assert fake_registry.schemas[2].references == [ref.to_json()]


def test_nested_references_resolve_once(registry: RegistryClient, fake_registry, value_ctx):
    """A diamond: both Customer and Wrapper import Address; Address is parsed once."""
    registry.register("address", ADDRESS)
    address_ref = SchemaReference("com.example.Address", "address", 1)
    registry.register("customer", CUSTOMER_WITH_REF, references=[address_ref])
    wrapper = orjson.dumps(
        {
            "type": "record",
            "name": "Wrapper",
            "namespace": "com.example",
            "fields": [
                {"name": "customer", "type": "com.example.Customer"},
                {"name": "billing", "type": "com.example.Address"},
            ],
        }
    ).decode()
    refs = [SchemaReference("com.example.Customer", "customer", 1), address_ref]
    home = {"city": "Delft", "zip": "2611"}
    record = {"customer": {"id": 1, "home": home, "work": home}, "billing": home}

    data = AvroSerializer(registry, wrapper, references=refs)(record, value_ctx)

    assert AvroDeserializer(registry)(data, value_ctx) == record


def test_missing_reference_is_explained(registry: RegistryClient):
    with pytest.raises(SchemaParseError, match="unknown type 'com.example.Address'.*references"):
        AvroSerializer(registry, CUSTOMER_WITH_REF)


def test_accepts_confluent_serialization_context(registry: RegistryClient):
    from confluent_kafka.serialization import MessageField
    from confluent_kafka.serialization import SerializationContext as ConfluentContext

    ctx = ConfluentContext("users", MessageField.VALUE)
    data = AvroSerializer(registry, USER_V1)(USER, ctx)

    assert AvroDeserializer(registry)(data, ctx) == USER
    assert "users-value" in registry.list_subjects()


def test_accepts_bytearray_and_memoryview(registry: RegistryClient, value_ctx):
    data = AvroSerializer(registry, USER_V1)(USER, value_ctx)
    deserializer = AvroDeserializer(registry)

    assert deserializer(bytearray(data), value_ctx) == USER
    assert deserializer(memoryview(data), value_ctx) == USER
