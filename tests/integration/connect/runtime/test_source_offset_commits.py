"""Source offsets commit every interval for the acknowledged prefix, never past it."""

from __future__ import annotations

import dataclasses
import itertools
import time
from typing import Any

import pytest
from confluent_kafka import Consumer, TopicPartition

from pipeway.connect.runtime.contract import TaskId, WorkerSettings
from pipeway.connect.runtime.offsets import OffsetStore
from pipeway.connect.runtime.runners import create_runner

from .helpers import CountConnector, CountSettings, consume, runtime, wait_for

pytestmark = pytest.mark.integration


def high_watermark(bootstrap: str, topic: str) -> int:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "pipeway-test-hw"})
    try:
        return int(consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)[1])
    finally:
        consumer.close()


def test_offsets_advance_every_interval_under_continuous_load(
    worker: WorkerSettings, offsets: OffsetStore, kafka_bootstrap: str, unique_topic: str
) -> None:
    """A source that never pauses: the committed offset moves on at (about) every interval
    and never names a record Kafka does not hold."""
    settings = CountSettings(topic=unique_topic, count=10**9, batch=200, poll_sleep_ms=5)
    runner = create_runner(
        TaskId("steady", 0), CountConnector, settings, runtime("steady"), {}, {}, worker, offsets
    )
    runner.start()
    try:
        wait_for(lambda: offsets.offset("steady", {"counter": unique_topic}), 30)
        samples = []
        for _ in range(10):
            time.sleep(0.3)  # three flush intervals of 100 ms
            committed = int(offsets.offset("steady", {"counter": unique_topic})["n"])  # type: ignore[index]
            samples.append((committed, high_watermark(kafka_bootstrap, unique_topic)))
        metrics = runner.metrics()
    finally:
        runner.stop(30)
    print(f"committed n / records in Kafka every 0.3 s: {samples}")
    assert all(n <= in_kafka for n, in_kafka in samples)  # record n is the n-th in the topic
    advanced = sum(b[0] > a[0] for a, b in itertools.pairwise(samples))
    assert advanced == len(samples) - 1
    assert metrics["offset_commits_total"] >= 20  # 3 s at a 100 ms interval, some slack


class HeaderTask(CountConnector.task_class):  # type: ignore[misc,valid-type]
    """The counting task, with typed header values on each record."""

    def record(self, n: int) -> Any:
        base = super().record(n)
        return dataclasses.replace(base, headers=[("n", n), ("even", n % 2 == 0), ("raw", b"\x00")])


class HeaderConnector(CountConnector):
    task_class = HeaderTask


@pytest.mark.parametrize(
    ("converter", "expected"),
    [
        (None, [("n", b"1"), ("even", b"false"), ("raw", b"\x00")]),
        (
            "org.apache.kafka.connect.json.JsonConverter",
            [("n", b"1"), ("even", b"false"), ("raw", b"\x00")],
        ),
        ("string", [("n", b"1"), ("even", b"False"), ("raw", b"\x00")]),
    ],
)
def test_header_converter_writes_source_headers(
    worker: WorkerSettings,
    offsets: OffsetStore,
    kafka_bootstrap: str,
    unique_topic: str,
    converter: str | None,
    expected: list[tuple[str, bytes]],
) -> None:
    keys = {"header.converter": converter} if converter else {}
    settings = CountSettings(topic=unique_topic, count=1)
    runner = create_runner(
        TaskId("hdr", 0), HeaderConnector, settings, runtime("hdr", **keys), {}, {}, worker, offsets
    )
    runner.start()
    try:
        [msg] = consume(kafka_bootstrap, unique_topic, 1)
    finally:
        runner.stop(10)
    assert msg.headers() == expected
