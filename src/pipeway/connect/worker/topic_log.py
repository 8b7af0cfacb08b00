"""A compacted topic as a replicated log: every worker tails it and applies each record.

Writes go through Kafka and come back through the tailing consumer, so every worker (the
writer included) applies the same records in the same order. :meth:`KafkaRecordLog.send`
returns only once this worker's tailer has applied the written records, which gives REST
callers read-your-writes without any other coordination. :class:`MemoryRecordLog` is the
same contract in process, for unit tests.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    Producer,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient

from pipeway.connect.worker.exceptions import StoreUnavailable
from pipeway.connect.worker.records import decode, encode
from pipeway.kafka.topics import ensure_topic

log = logging.getLogger(__name__)

Apply = Callable[[str, dict[str, Any] | None], None]
Entry = tuple[str, dict[str, Any] | None]
TIMEOUT_S = 30.0


class RecordLog(Protocol):
    def send(self, records: Sequence[Entry]) -> None:
        """Append records durably; return once this process has applied them."""
        ...

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each applied batch (on the applying thread)."""
        ...


class MemoryRecordLog:
    """An in-process log: records are applied immediately (unit tests, no Kafka)."""

    def __init__(self, apply: Apply) -> None:
        self._apply = apply
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []
        self.written: list[Entry] = []

    def add_listener(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def send(self, records: Sequence[Entry]) -> None:
        with self._lock:
            for key, value in records:
                self.written.append((key, value))
                self._apply(key, value)
        for listener in self._listeners:
            listener()


class KafkaRecordLog:
    """A compacted topic read from the beginning by a consumer thread (no consumer group)."""

    def __init__(self, kafka: Mapping[str, Any], topic: str, partitions: int, apply: Apply) -> None:
        self._kafka = dict(kafka)
        self.topic = topic
        self._wanted_partitions = partitions
        self._apply = apply
        self._listeners: list[Callable[[], None]] = []
        self._positions: dict[int, int] = {}
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._consumer: Consumer | None = None
        self._producer: Producer | None = None

    def add_listener(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def start(self, timeout_s: float = TIMEOUT_S) -> None:
        """Create the topic if missing and read it to its current end.

        Raises:
            StoreUnavailable: Kafka is unreachable or the topic cannot be read in time.
        """
        try:
            count = ensure_topic(
                AdminClient(self._kafka),
                self.topic,
                self._wanted_partitions,
                config={"cleanup.policy": "compact"},
            )
        except KafkaException as exc:
            raise StoreUnavailable(self.topic, str(exc.args[0])) from exc
        self._positions = dict.fromkeys(range(count), 0)
        self._producer = Producer(
            {**self._kafka, "acks": "all", "enable.idempotence": True, "linger.ms": 0}
        )
        self._consumer = Consumer(
            {**self._kafka, "group.id": f"{self.topic}-tailer", "enable.auto.commit": False}
        )
        self._consumer.assign(
            [TopicPartition(self.topic, p, OFFSET_BEGINNING) for p in range(count)]
        )
        ends = self._end_offsets(count)
        self._thread = threading.Thread(target=self._run, name=f"tail-{self.topic}", daemon=True)
        self._thread.start()
        self._wait_positions(ends, timeout_s)

    def stop(self) -> None:
        """Stop tailing and close the clients (also after a failed start)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(5)
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.close()
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.flush(5)

    def send(self, records: Sequence[Entry], timeout_s: float = TIMEOUT_S) -> None:
        """Produce ``records`` (acks=all), then wait until the tailer applied them.

        Raises:
            StoreUnavailable: Kafka did not acknowledge or the tailer lags past the timeout.
        """
        if self._producer is None:
            raise StoreUnavailable(self.topic, "the log is not started")
        written: dict[int, int] = {}
        errors: list[str] = []

        def delivered(err: KafkaError | None, msg: Message) -> None:
            if err is not None:
                errors.append(err.str())
            else:
                p, o = msg.partition() or 0, msg.offset() or 0
                written[p] = max(written.get(p, -1), o)

        for key, value in records:
            self._producer.produce(self.topic, encode(value), key.encode(), on_delivery=delivered)
        remaining = self._producer.flush(timeout_s)
        if errors or remaining:
            raise StoreUnavailable(self.topic, "; ".join(errors) or "write timed out")
        self._wait_positions({p: o + 1 for p, o in written.items()}, timeout_s)

    def _end_offsets(self, count: int) -> dict[int, int]:
        """High watermarks; retried while a just-created topic has no leader yet."""
        consumer = self._consumer
        if consumer is None:
            return {}
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            try:
                return {
                    p: consumer.get_watermark_offsets(
                        TopicPartition(self.topic, p), timeout=TIMEOUT_S
                    )[1]
                    for p in range(count)
                }
            except KafkaException as exc:
                if not _settling(exc.args[0]) or time.monotonic() > deadline:
                    raise StoreUnavailable(self.topic, str(exc.args[0])) from exc
                time.sleep(0.2)

    def _wait_positions(self, targets: dict[int, int], timeout_s: float) -> None:
        def reached() -> bool:
            return all(self._positions.get(p, 0) >= o for p, o in targets.items())

        with self._cond:
            if not self._cond.wait_for(reached, timeout_s):
                raise StoreUnavailable(self.topic, f"not read back within {timeout_s:.0f} s")

    def _run(self) -> None:
        consumer = self._consumer
        if consumer is None:
            return
        while not self._stopping.is_set():
            try:
                messages = consumer.consume(500, 0.1)
                self._handle(messages, consumer)
            except KafkaException as exc:
                log.warning("tailer error topic=%s error=%s", self.topic, exc)
                self._stopping.wait(0.5)

    def _handle(self, messages: list[Message], consumer: Consumer) -> None:
        applied = False
        for msg in messages:
            if msg.error() is not None:
                log.warning("tailer message error topic=%s error=%s", self.topic, msg.error())
                continue
            self._apply_message(msg)
            applied = True
        positions = consumer.position([TopicPartition(self.topic, p) for p in self._positions])
        with self._cond:
            for tp in positions:
                if tp.offset >= 0:
                    self._positions[tp.partition] = max(self._positions[tp.partition], tp.offset)
            self._cond.notify_all()
        if applied:
            for listener in self._listeners:
                listener()

    def _apply_message(self, msg: Message) -> None:
        key = (msg.key() or b"").decode("utf-8", "replace")
        try:
            self._apply(key, decode(msg.value()))
        except ValueError as exc:
            log.warning(
                "skipping undecodable record topic=%s key=%s error=%s", self.topic, key, exc
            )


_SETTLING = {
    KafkaError.NOT_LEADER_FOR_PARTITION,
    KafkaError.LEADER_NOT_AVAILABLE,
    KafkaError.UNKNOWN_TOPIC_OR_PART,
}


def _settling(error: KafkaError) -> bool:
    """Errors of a topic that was just created and has no leader everywhere yet."""
    return bool(error.retriable()) or error.code() in _SETTLING
