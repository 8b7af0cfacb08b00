"""Waiting helpers for integration tests: poll a condition, read a topic from its start."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
from confluent_kafka import Consumer, Message, TopicPartition

TRANSIENT = (httpx.HTTPError, OSError, KeyError, IndexError)
"""Errors a check may raise while the thing it watches is still starting."""


def wait_for(
    check: Callable[[], Any], timeout_s: float = 60.0, what: str = "", interval_s: float = 0.1
) -> Any:
    """Poll ``check`` until it returns something truthy and return that.

    Raises:
        AssertionError: on timeout, naming ``what`` and the last value or error seen.
    """
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except TRANSIENT as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(interval_s)
    raise AssertionError(f"timed out waiting for {what or check}: last={last!r}")


def read_topic(bootstrap: str, topic: str, count: int, timeout_s: float = 30.0) -> list[Message]:
    """Up to ``count`` records of every partition of ``topic`` from offset 0.

    Partitions are assigned directly (no consumer group to join), so this returns as soon as
    ``count`` records arrived; fewer when ``timeout_s`` ends first.
    """
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "pipeway-test-reader"})
    deadline = time.monotonic() + timeout_s
    out: list[Message] = []
    try:
        partitions = _partitions(consumer, topic, deadline)
        consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
        while partitions and len(out) < count and time.monotonic() < deadline:
            out.extend(m for m in consumer.consume(500, 0.2) if m.error() is None)
    finally:
        consumer.close()
    return out


def _partitions(consumer: Consumer, topic: str, deadline: float) -> list[int]:
    """The topic's partitions, waiting for a producer to create it."""
    while time.monotonic() < deadline:
        found = consumer.list_topics(timeout=5).topics.get(topic)
        if found is not None and found.error is None and found.partitions:
            return sorted(found.partitions)
        time.sleep(0.1)
    return []


def read_to_end(bootstrap: str, topic: str, timeout_s: float = 30.0) -> list[Message]:
    """Every record of ``topic`` up to the end it has now (its high watermarks).

    For topics many tests share (``pipeway-jobs-progress``), where a record count to wait
    for is unknown.

    Raises:
        AssertionError: the end was not reached within ``timeout_s``.
    """
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "pipeway-test-reader"})
    deadline = time.monotonic() + timeout_s
    out: list[Message] = []
    try:
        partitions = _partitions(consumer, topic, deadline)
        ends = {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), 10)[1] for p in partitions
        }
        remaining = {p for p, end in ends.items() if end > 0}
        consumer.assign([TopicPartition(topic, p, 0) for p in remaining])
        while remaining:
            if time.monotonic() > deadline:
                raise AssertionError(f"{topic}: end not reached in {timeout_s} s")
            for message in consumer.consume(500, 0.2):
                if message.error() is not None:
                    continue
                out.append(message)
                partition, offset = message.partition() or 0, message.offset() or 0
                if offset + 1 >= ends[partition]:
                    remaining.discard(partition)
    finally:
        consumer.close()
    return out
