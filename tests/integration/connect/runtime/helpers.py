"""In-test connectors and Kafka helpers for the runtime's integration tests."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Sequence
from typing import Any

from confluent_kafka import Producer
from pydantic import Field

from pipeway.connect.api import (
    ConnectorSettings,
    SinkConnector,
    SinkRecord,
    SinkTask,
    SourceConnector,
    SourceRecord,
    SourceTask,
)
from pipeway.connect.exceptions import RecordError, RetriableError
from pipeway.connect.settings import RuntimeSettings
from pipeway.testing.waiting import read_topic as consume
from pipeway.testing.waiting import wait_for

__all__ = ["consume", "wait_for"]  # the shared waiting helpers, re-exported for these tests

COUNT_SCHEMA = {
    "type": "record",
    "name": "Count",
    "namespace": "pipeway.test",
    "fields": [{"name": "n", "type": "long"}, {"name": "pad", "type": "string"}],
}


def runtime(name: str, **keys: Any) -> RuntimeSettings:
    return RuntimeSettings.model_validate({"name": name, "connector.class": "test", **keys})


def produce(
    bootstrap: str, topic: str, values: Sequence[tuple[bytes | None, bytes | None]]
) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for key, value in values:
        producer.produce(topic, value, key)
    assert producer.flush(30) == 0


# --- a counting source ------------------------------------------------------------------


class CountSettings(ConnectorSettings):
    topic: str
    count: int = 10
    batch: int = 100
    big_at: int = Field(-1, description="record number whose pad is 8000 random bytes")
    bad_at: int = Field(-1, description="record number whose value does not match the schema")
    poll_sleep_ms: int = 0


class CountTask(SourceTask):
    """Emits records n = last committed + 1 .. count on one source partition."""

    def start(self) -> None:
        self.partition = {"counter": self.config.topic}
        last = self.context.offset(self.partition)
        self.n = int(last["n"]) if last else 0
        self.committed: list[Any] = []

    def poll(self) -> list[SourceRecord]:
        if self.config.poll_sleep_ms:
            time.sleep(self.config.poll_sleep_ms / 1000)
        if self.n >= self.config.count:
            time.sleep(0.02)
            return []
        out = []
        for _ in range(min(self.config.batch, self.config.count - self.n)):
            self.n += 1
            out.append(self.record(self.n))
        return out

    def record(self, n: int) -> SourceRecord:
        pad = secrets.token_urlsafe(6000) if n == self.config.big_at else ""  # incompressible
        value: dict[str, Any] = {"n": n, "pad": pad}
        if n == self.config.bad_at:
            value = {"n": "not a long", "pad": ""}
        return SourceRecord(
            topic=self.config.topic,
            key=str(n),
            value=value,
            value_schema=COUNT_SCHEMA,
            source_partition=self.partition,
            source_offset={"n": n},
        )

    def commit(self, offsets: Any) -> None:
        self.committed.append(dict(offsets))


class CountConnector(SourceConnector):
    settings_class = CountSettings
    task_class = CountTask


# --- a recording sink -------------------------------------------------------------------


class SinkSettings(ConnectorSettings):
    fail_flush: bool = False
    bad_value: int | None = None
    retriable_puts: int = 0


class RecordingSinkTask(SinkTask):
    """Keeps what it was given; ``flushed`` holds what ``flush`` made durable."""

    def start(self) -> None:
        self.buffer: list[SinkRecord] = []
        self.flushed: list[SinkRecord] = []
        self.puts = 0
        self.lock = threading.Lock()

    def put(self, records: Sequence[SinkRecord]) -> None:
        self.puts += 1
        if self.puts <= self.config.retriable_puts:
            raise RetriableError("destination busy")
        for record in records:
            if self.config.bad_value is not None and record.value.get("n") == self.config.bad_value:
                raise RecordError("destination refused the record", record)
            with self.lock:
                self.buffer.append(record)

    def flush(self) -> None:
        if self.config.fail_flush:
            raise RuntimeError("flush failed on purpose")
        with self.lock:
            self.flushed += self.buffer
            self.buffer = []


class RecordingSinkConnector(SinkConnector):
    settings_class = SinkSettings
    task_class = RecordingSinkTask
