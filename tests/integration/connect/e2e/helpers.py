"""Shared helpers of the end-to-end tests, and a sink connector loaded by its Python path."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import httpx
from confluent_kafka import Consumer, Message, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

from pipeway.connect.api import ConnectorSettings, SinkConnector, SinkRecord, SinkTask
from tests.integration.connect.worker.conftest import wait_for

__all__ = ["wait_for"]


def create_connector(url: str, name: str, config: dict[str, Any]) -> None:
    resp = httpx.post(f"{url}/connectors", json={"name": name, "config": config}, timeout=30)
    assert resp.status_code == 201, resp.text


def status(url: str, name: str) -> dict[str, Any]:
    resp = httpx.get(f"{url}/connectors/{name}/status", timeout=10)
    resp.raise_for_status()
    result: dict[str, Any] = resp.json()
    return result


def wait_running(url: str, name: str, timeout_s: float = 60.0) -> dict[str, Any]:
    def running() -> dict[str, Any] | None:
        st = status(url, name)
        states = [st["connector"]["state"], *(t["state"] for t in st["tasks"])]
        assert "FAILED" not in states, st
        return st if st["tasks"] and set(states) == {"RUNNING"} else None

    result: dict[str, Any] = wait_for(running, timeout_s, f"{name} RUNNING")
    return result


def reader(bootstrap: str) -> Consumer:
    return Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"e2e-reader-{uuid.uuid4().hex}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "enable.partition.eof": False,
        }
    )


def high_watermark(bootstrap: str, topic: str) -> int:
    """Messages in partition 0 of ``topic`` (0 while it does not exist)."""
    consumer = reader(bootstrap)
    try:
        if topic not in consumer.list_topics(topic, timeout=10).topics:
            return 0
        try:
            return int(consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)[1])
        except Exception:  # not created yet
            return 0
    finally:
        consumer.close()


def read_range(bootstrap: str, topic: str, end: int, timeout_s: float = 60.0) -> list[Message]:
    """Messages at offsets ``0 .. end-1`` of partition 0 of ``topic``."""
    consumer = reader(bootstrap)
    consumer.assign([TopicPartition(topic, 0, 0)])
    out: list[Message] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(out) < end and time.monotonic() < deadline:
            for msg in consumer.consume(5000, 0.5):
                if msg.error() is None and (msg.offset() or 0) < end:
                    out.append(msg)
    finally:
        consumer.close()
    assert len(out) == end, f"read {len(out)} of {end} messages of {topic}"
    return out


def read_until(bootstrap: str, topic: str, count: int, timeout_s: float = 60.0) -> list[Message]:
    """Wait until ``topic`` holds at least ``count`` messages; return all of them."""
    wait_for(lambda: high_watermark(bootstrap, topic) >= count, timeout_s, f"{count} in {topic}")
    return read_range(bootstrap, topic, high_watermark(bootstrap, topic))


class AvroReader:
    """Decodes Confluent-wire Avro with confluent-kafka's own deserializer and registry client."""

    def __init__(self, registry_url: str) -> None:
        self.registry = SchemaRegistryClient({"url": registry_url})
        self._deserializer = AvroDeserializer(self.registry)

    def key(self, msg: Message) -> Any:
        ctx = SerializationContext(msg.topic() or "", MessageField.KEY)
        return self._deserializer(msg.key(), ctx)

    def value(self, msg: Message) -> Any:
        ctx = SerializationContext(msg.topic() or "", MessageField.VALUE)
        return self._deserializer(msg.value(), ctx)

    def schema_id(self, data: bytes | None) -> int:
        assert data is not None and data[0] == 0, "not Confluent wire format"
        return int.from_bytes(data[1:5], "big")


def headers(msg: Message) -> dict[str, str]:
    """A message's headers as text (the last value of a repeated name)."""
    out: dict[str, str] = {}
    for name, value in cast(list[tuple[str, bytes | None]], msg.headers() or []):
        out[name] = (value or b"").decode()
    return out


# --- a sink loaded by Python path -------------------------------------------------------


class CollectingSinkSettings(ConnectorSettings):
    path: str


class CollectingSinkTask(SinkTask):
    """Appends each flushed record's value (JSON) as one line to ``path``."""

    def start(self) -> None:
        self.buffer: list[SinkRecord] = []

    def put(self, records: Sequence[SinkRecord]) -> None:
        self.buffer.extend(records)

    def flush(self) -> None:
        if self.buffer:
            with Path(self.config.path).open("a") as out:
                for record in self.buffer:
                    out.write(json.dumps(record.value, default=str) + "\n")
        self.buffer = []


class CollectingSink(SinkConnector):
    """``connector.class: tests.integration.connect.e2e.helpers.CollectingSink``."""

    settings_class = CollectingSinkSettings
    task_class = CollectingSinkTask
