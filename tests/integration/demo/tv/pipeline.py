"""Driving the tv-analytics job phase by phase through real Kafka, and reading its outputs."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from pipeway.demo.tv import contract
from pipeway.demo.tv.jobs import TvJobConfig, build_analytics
from pipeway.demo.tv.jobs.encoding import ROW_KEYS
from pipeway.demo.tv.jobs.topics import COUNTS
from pipeway.demo.tv.scenario import record_key
from pipeway.demo.tv.schemas import key_schema, schema
from pipeway.jobs.dead_letters import dead_letter_topic
from pipeway.jobs.runner import JobContext, JobSpec
from pipeway.jobs.runner.modes import RunMode
from pipeway.jobs.runner.run import JobRunSettings, RunResult, run_job
from pipeway.jobs.settings import KafkaSettings, SparkSettings
from pipeway.testing.services import create_topic, unique_name

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Phase = dict[str, list[dict[str, Any]]]


@dataclass
class TvPipeline:
    """One isolated copy of the TV topics (a unique prefix) and the job's data directory."""

    kafka: KafkaSettings
    data_dir: Path
    shards: int = 3
    watermark_delay_ms: int = contract.WATERMARK_DELAY_MS
    prefix: str = field(default_factory=lambda: unique_name("tv") + ".")
    job: str = field(default_factory=lambda: unique_name("tv-analytics"))
    progress_topic: str = field(default_factory=lambda: unique_name("tv-progress"))

    def __post_init__(self) -> None:
        self.config = TvJobConfig(
            topic_prefix=self.prefix,
            shards=self.shards,
            watermark_delay_ms=self.watermark_delay_ms,
        )
        self.registry = SchemaRegistryClient({"url": self.kafka.registry_url})
        self._serializers: dict[str, AvroSerializer] = {}
        names = [*self.config.inputs.values(), *self.config.outputs.values()]
        for topic in [*names, dead_letter_topic(self.job)]:
            create_topic(self.kafka.bootstrap_servers, topic)

    def topic(self, name: str) -> str:
        return self.config.topic(name)

    # -- input ----------------------------------------------------------------------------
    def produce_phase(self, phase: Phase) -> None:
        """Every record of the phase, per topic in delivery order, with the scenario's keys."""
        producer = Producer({"bootstrap.servers": self.kafka.bootstrap_servers, "linger.ms": 20})
        for name, records in phase.items():
            for value in records:
                key, payload = self.encode(name, value)
                producer.produce(self.topic(name), key=key, value=payload)
                producer.poll(0)
        assert producer.flush(30) == 0

    def produce_raw(self, name: str, pairs: Iterable[tuple[bytes | None, bytes | None]]) -> None:
        producer = Producer({"bootstrap.servers": self.kafka.bootstrap_servers})
        for key, value in pairs:
            producer.produce(self.topic(name), key=key, value=value)
        assert producer.flush(30) == 0

    def encode(self, name: str, value: dict[str, Any]) -> tuple[bytes, bytes]:
        topic, key = self.topic(name), record_key(name, value)
        payload = self._serializer(name, schema(name))(
            value, SerializationContext(topic, MessageField.VALUE)
        )
        if name == contract.USERS_CDC:
            key_bytes = self._serializer(name + ".key", key_schema(name))(
                key, SerializationContext(topic, MessageField.KEY)
            )
        else:
            key_bytes = str(key).encode()
        return key_bytes, payload

    def _serializer(self, name: str, avro: dict[str, Any]) -> AvroSerializer:
        if name not in self._serializers:
            self._serializers[name] = AvroSerializer(self.registry, json.dumps(avro))
        return self._serializers[name]

    # -- the job --------------------------------------------------------------------------
    def spec(self) -> JobSpec:
        def build(ctx: JobContext) -> None:
            build_analytics(ctx, self.config)

        return JobSpec(self.job, "python", "tests", build)

    def run_once(self) -> RunResult:
        """One ``availableNow`` pass: a data batch and the no-data batch after it."""
        settings = JobRunSettings(
            kafka=self.kafka,
            spark=SparkSettings(master="local[2]", ui_enabled=False),
            mode=RunMode.ONCE,
            data_dir=self.data_dir,
            progress_topic=self.progress_topic,
        )
        return run_job(self.spec(), settings)

    def checkpoint(self, query: str) -> Path:
        return self.data_dir / "jobs" / self.job / "checkpoints" / query

    # -- output ---------------------------------------------------------------------------
    def messages(self, topic: str) -> list[Any]:
        """Every message of ``topic`` (one partition or more) from its start to its end."""
        consumer = Consumer(
            {"bootstrap.servers": self.kafka.bootstrap_servers, "group.id": unique_name("r")}
        )
        try:
            partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
            ends = {p: _end_offset(consumer, topic, p) for p in partitions}
            consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
            out: list[Any] = []
            seen = dict.fromkeys(partitions, 0)
            while any(seen[p] < ends[p] for p in partitions):
                for m in consumer.consume(5000, 1.0):
                    assert m.error() is None, m.error()
                    out.append(m)
                    seen[m.partition()] = m.offset() + 1
        finally:
            consumer.close()
        return out

    def decoded(self, name: str) -> list[dict[str, Any]]:
        """Every value of output ``name``, decoded by confluent-kafka, times as epoch ms."""
        topic = self.topic(name)
        decode = AvroDeserializer(self.registry)
        ctx = SerializationContext(topic, MessageField.VALUE)
        return [_millis(decode(m.value(), ctx)) for m in self.messages(topic)]

    def progress(self) -> list[dict[str, Any]]:
        """The job's published query progress records (``pipeway-jobs-progress`` format)."""
        decode = AvroDeserializer(self.registry)
        ctx = SerializationContext(self.progress_topic, MessageField.VALUE)
        return [decode(m.value(), ctx) for m in self.messages(self.progress_topic)]

    def latest(self, name: str) -> dict[tuple[Any, ...], dict[str, Any]]:
        """The last value per row key, as a compacted topic or the search sink keeps it."""
        return {tuple(v[k] for k in ROW_KEYS[name]): v for v in self.decoded(name)}

    def counts(self) -> dict[str, int]:
        """The job's counters: the shards' last values added up."""
        totals: dict[str, int] = {}
        for row in self.latest(COUNTS).values():
            totals[row["name"]] = totals.get(row["name"], 0) + row["value"]
        return totals


def _end_offset(consumer: Consumer, topic: str, partition: int) -> int:
    return int(consumer.get_watermark_offsets(TopicPartition(topic, partition))[1])


def _millis(value: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v - _EPOCH) // timedelta(milliseconds=1) if isinstance(v, datetime) else v
        for k, v in value.items()
    }


def sorted_rows(name: str, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in the contract's order (by row key, nulls first), to compare with the oracle."""
    return sorted(rows, key=lambda r: tuple((r[k] is not None, r[k]) for k in ROW_KEYS[name]))
