"""Producing test records with confluent-kafka's own serializers, and collecting results."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from pyspark.sql import DataFrame


def confluent_avro(registry_url: str, schema: dict[str, Any]) -> AvroSerializer:
    """confluent-kafka's serializer, registering ``schema`` under the topic's subject."""
    return AvroSerializer(SchemaRegistryClient({"url": registry_url}), json.dumps(schema))


def produce(
    bootstrap: str,
    topic: str,
    records: Iterable[tuple[bytes | None, bytes | None]],
) -> int:
    """Send ready-made (key, value) bytes and wait until the broker has them all."""
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    count = 0
    for key, value in records:
        producer.produce(topic, key=key, value=value)
        count += 1
    assert producer.flush(30) == 0
    return count


def avro_values(
    serializer: AvroSerializer, topic: str, values: Iterable[dict[str, Any]]
) -> list[bytes]:
    ctx = SerializationContext(topic, MessageField.VALUE)
    return [serializer(v, ctx) for v in values]


def rows(df: DataFrame, *columns: str) -> list[tuple[Any, ...]]:
    """Collected rows as sorted tuples of ``columns`` (plain values, easy to compare)."""
    found = [tuple(r[c] for c in columns) for r in df.collect()]
    return sorted(found, key=lambda t: tuple((v is not None, v) for v in t))
