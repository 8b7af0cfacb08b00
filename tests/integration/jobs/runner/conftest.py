from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

from pipeway.jobs.runner.modes import RunMode
from pipeway.jobs.runner.run import JobRunSettings
from pipeway.jobs.settings import KafkaSettings, SparkSettings
from pipeway.testing.waiting import read_to_end, read_topic
from tests.integration.jobs.helpers import avro_values, confluent_avro, produce

ACTION = {
    "type": "record",
    "name": "Action",
    "namespace": "it.jobs",
    "fields": [
        {"name": "user_id", "type": "int"},
        {"name": "channel_id", "type": "int"},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    ],
}
BASE_TS = 1_795_000_000_000  # a whole minute


@pytest.fixture
def run_settings(kafka: KafkaSettings, tmp_path: Path) -> Callable[..., JobRunSettings]:
    """Runner settings for the test broker, the shared Spark session and a fresh data dir."""

    def make(mode: RunMode = RunMode.ONCE, **overrides: Any) -> JobRunSettings:
        return JobRunSettings(
            kafka=kafka,
            spark=SparkSettings(master="local[2]", ui_enabled=False),
            mode=mode,
            data_dir=tmp_path / "data",
            **overrides,
        )

    return make


def produce_actions(kafka: KafkaSettings, topic: str, actions: Iterable[dict[str, Any]]) -> int:
    serializer = confluent_avro(kafka.registry_url or "", ACTION)
    values = avro_values(serializer, topic, actions)
    return produce(kafka.bootstrap_servers, topic, [(None, v) for v in values])


def read_avro_topic(
    kafka: KafkaSettings, topic: str, expected: int | None, avro_key: bool = True
) -> list[tuple[Any, Any]]:
    """(key, value) of the records in ``topic``, decoded with confluent-kafka's deserializer
    (a key that is not Avro comes back as text): ``expected`` of them, or with ``None``
    every record up to the topic's current end."""
    registry = SchemaRegistryClient({"url": kafka.registry_url})
    decode = AvroDeserializer(registry)
    if expected is None:
        messages = read_to_end(kafka.bootstrap_servers, topic)
    else:
        messages = read_topic(kafka.bootstrap_servers, topic, expected)
    out = []
    for m in messages:
        key = m.key()
        if key and avro_key:
            key_value = decode(key, SerializationContext(topic, MessageField.KEY))
        else:
            key_value = key.decode() if key else None
        out.append((key_value, decode(m.value(), SerializationContext(topic, MessageField.VALUE))))
    return out


def latest_by_key(records: list[tuple[Any, Any]]) -> dict[str, Any]:
    """The last value per key, as a compacted topic or the search sink keeps it."""
    return {json.dumps(k, sort_keys=True, default=str): v for k, v in records}
