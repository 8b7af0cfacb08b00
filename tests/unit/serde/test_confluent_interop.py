"""Byte compatibility with confluent-kafka's AvroSerializer / AvroDeserializer.

Both stacks talk to the same in-memory registry (each with its own client), so the schema
ids agree and the bytes can be compared directly.
"""

from __future__ import annotations

from decimal import Decimal

import orjson
import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer as ConfluentAvroDeserializer
from confluent_kafka.schema_registry.avro import AvroSerializer as ConfluentAvroSerializer
from confluent_kafka.serialization import MessageField
from confluent_kafka.serialization import SerializationContext as ConfluentContext

from pipeway.serde import AvroDeserializer, AvroSerializer, RegistryClient, SerializationContext

from .schemas import USER, USER_V1, USER_V2

RECORDS = [
    USER,
    {"id": -1, "name": "", "email": None},
    {"id": 2**62, "name": "Zoë ✓", "email": "z@example.com"},
]


@pytest.fixture
def contexts() -> tuple[SerializationContext, ConfluentContext]:
    return SerializationContext("users", "value"), ConfluentContext("users", MessageField.VALUE)


@pytest.mark.parametrize("record", RECORDS)
def test_pipeway_bytes_equal_confluent_bytes(
    registry: RegistryClient, confluent_registry: SchemaRegistryClient, contexts, record
):
    ours, theirs = contexts
    confluent = ConfluentAvroSerializer(confluent_registry, USER_V1)

    assert AvroSerializer(registry, USER_V1)(record, ours) == confluent(record, theirs)


@pytest.mark.parametrize("record", RECORDS)
def test_pipeway_writes_confluent_reads(
    registry: RegistryClient, confluent_registry: SchemaRegistryClient, contexts, record
):
    ours, theirs = contexts
    data = AvroSerializer(registry, USER_V1)(record, ours)

    assert ConfluentAvroDeserializer(confluent_registry)(data, theirs) == record


@pytest.mark.parametrize("record", RECORDS)
def test_confluent_writes_pipeway_reads(
    registry: RegistryClient, confluent_registry: SchemaRegistryClient, contexts, record
):
    ours, theirs = contexts
    data = ConfluentAvroSerializer(confluent_registry, USER_V1)(record, theirs)

    assert AvroDeserializer(registry)(data, ours) == record


def test_confluent_v1_read_by_pipeway_as_v2(registry, confluent_registry, contexts):
    ours, theirs = contexts
    data = ConfluentAvroSerializer(confluent_registry, USER_V1)(USER, theirs)

    assert AvroDeserializer(registry, reader_schema=USER_V2)(data, ours) == {
        **USER,
        "country": "NL",
    }


def test_pipeway_v1_read_by_confluent_as_v2(registry, confluent_registry, contexts):
    ours, theirs = contexts
    data = AvroSerializer(registry, USER_V1)(USER, ours)

    decoded = ConfluentAvroDeserializer(confluent_registry, USER_V2)(data, theirs)

    assert decoded == {**USER, "country": "NL"}


def test_top_level_bytes_interop(registry, confluent_registry, contexts):
    ours, theirs = contexts
    confluent = ConfluentAvroSerializer(confluent_registry, '"bytes"')

    data = AvroSerializer(registry, '"bytes"')(b"\x00raw\xff", ours)

    assert data == confluent(b"\x00raw\xff", theirs)
    assert ConfluentAvroDeserializer(confluent_registry)(data, theirs) == b"\x00raw\xff"


def test_logical_types_interop(registry, confluent_registry, contexts):
    ours, theirs = contexts
    schema = orjson.dumps(
        {
            "type": "record",
            "name": "Payment",
            "fields": [
                {
                    "name": "amount",
                    "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2},
                },
                {"name": "currency", "type": {"type": "enum", "name": "Ccy", "symbols": ["EUR"]}},
                {"name": "lines", "type": {"type": "array", "items": "long"}},
                {"name": "meta", "type": {"type": "map", "values": "string"}},
            ],
        }
    ).decode()
    record = {"amount": Decimal("-10.05"), "currency": "EUR", "lines": [1, 2], "meta": {"a": "b"}}

    data = AvroSerializer(registry, schema)(record, ours)

    assert data == ConfluentAvroSerializer(confluent_registry, schema)(record, theirs)
    assert ConfluentAvroDeserializer(confluent_registry)(data, theirs) == record
    assert AvroDeserializer(registry)(data, ours) == record


def test_key_subject_interop(registry, confluent_registry, fake_registry):
    ours = SerializationContext("orders", "key")
    theirs = ConfluentContext("orders", MessageField.KEY)

    data = ConfluentAvroSerializer(confluent_registry, '"string"')("order-1", theirs)

    assert AvroDeserializer(registry)(data, ours) == "order-1"
    assert AvroSerializer(registry, '"string"')("order-1", ours) == data
    assert list(fake_registry.subjects) == ["orders-key"]
