"""Runs a sink task: consume → decode → transforms → ``task.put`` → ``task.flush`` → commit.

At-least-once: the consumer (group ``connect-<connector>``, as in Kafka Connect) never
auto-commits. Every ``offset.flush.interval.ms``, before a rebalance takes partitions away
and at stop, the runner calls ``task.flush()`` and commits, synchronously, the offsets of
the batches ``put`` accepted, only after ``flush`` returned. A ``flush`` that raises fails
the task with nothing committed, so a restarted task gets those records again.

``put`` raising ``RetriableError`` pauses consumption and retries the same records with
backoff (capped by ``errors.retry.delay.max.ms``) until they go through or the task stops,
as Kafka Connect's WorkerSinkTask does. ``put`` raising ``RecordError(record=r)``: the
records before ``r`` count as accepted, ``r`` is handled per ``errors.tolerance`` (DLQ with
its original bytes) and the records after it are put again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition

from pipeway.connect.api import SinkRecord, SinkTask, SinkTaskContext
from pipeway.connect.exceptions import RecordError
from pipeway.connect.runtime.contract import TaskId
from pipeway.connect.runtime.conversion import SinkDecoder
from pipeway.connect.runtime.error_handling import (
    ErrorHandler,
    FailedRecord,
    Stage,
    backoff_delays,
    is_transient,
)
from pipeway.connect.runtime.exceptions import StageError
from pipeway.connect.runtime.source_runner import RecordChain
from pipeway.connect.runtime.task_thread import PAUSED_WAIT_S, TaskThread

logger = logging.getLogger(__name__)

Coordinates = tuple[str, int, int]
"""(topic, partition, offset) of a consumed message."""


@dataclass(frozen=True, slots=True)
class SinkRunnerConfig:
    """How a sink runner consumes."""

    bootstrap_servers: str
    group_id: str
    topics: Sequence[str] = ()
    topics_regex: str | None = None
    offset_flush_interval_ms: int = 1000
    max_poll_records: int = 500
    poll_timeout_s: float = 0.5
    consumer_overrides: Mapping[str, Any] | None = None


def consumer_config(task_id: TaskId, config: SinkRunnerConfig) -> dict[str, Any]:
    """Manual commits, earliest on first start (Kafka Connect's sink defaults)."""
    return {
        "bootstrap.servers": config.bootstrap_servers,
        "group.id": config.group_id,
        "client.id": f"connect-{task_id}",
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        **(config.consumer_overrides or {}),
    }


def subscription(config: SinkRunnerConfig) -> list[str]:
    """``topics`` plus ``topics.regex`` as a librdkafka ``^...$`` pattern (full match)."""
    topics = list(config.topics)
    if config.topics_regex:
        pattern = config.topics_regex.removeprefix("^").removesuffix("$")
        topics.append(f"^{pattern}$")
    return topics


@dataclass(slots=True)
class _Batch:
    """Consumed records on their way into the task, and where each partition ends."""

    records: list[SinkRecord] = field(default_factory=list)
    originals: dict[Coordinates, Message] = field(default_factory=dict)
    ends: dict[tuple[str, int], int] = field(default_factory=dict)


@dataclass(slots=True)
class _Retry:
    batch: _Batch
    delays: Iterator[float]
    at: float


class SimpleSinkContext:
    """The SinkTaskContext the runtime gives a task."""

    def __init__(self, task_id: TaskId) -> None:
        self.connector_name = task_id.connector
        self.task_id = task_id.task


class SinkTaskRunner(TaskThread):
    """A TaskRunner for a sink task (see the module docstring for the guarantees)."""

    def __init__(
        self,
        task_id: TaskId,
        task_factory: Callable[[SinkTaskContext], SinkTask],
        *,
        config: SinkRunnerConfig,
        decoder: SinkDecoder,
        errors: ErrorHandler,
        transforms: RecordChain | None = None,
    ) -> None:
        super().__init__(task_id)
        self._factory = task_factory
        self._config = config
        self._decoder = decoder
        self._errors = errors
        self._chain = transforms
        self._apply = transforms.apply if transforms is not None else None
        self._task: SinkTask | None = None
        self._consumer: Consumer | None = None
        self._accepted: dict[tuple[str, int], int] = {}
        self._unflushed = 0
        self._retry: _Retry | None = None
        self._consumer_paused = False
        self._closing = False
        self._next_commit = 0.0

    # lifecycle -------------------------------------------------------------------------

    def _setup(self) -> None:
        self._task = self._factory(SimpleSinkContext(self.task_id))
        self._task.start()
        self._consumer = Consumer(consumer_config(self.task_id, self._config))
        self._consumer.subscribe(
            subscription(self._config), on_assign=self._on_assign, on_revoke=self._on_revoke
        )
        self._next_commit = time.monotonic() + self._config.offset_flush_interval_ms / 1000
        logger.info("sink task started task=%s group=%s", self.task_id, self._config.group_id)

    def _loop_once(self, paused: bool) -> None:
        consumer = self._require_consumer()
        self._apply_pause(paused or self._retry is not None)
        if self._retry is not None and time.monotonic() >= self._retry.at:
            self._deliver(self._retry.batch)
        timeout = PAUSED_WAIT_S if self._consumer_paused else self._config.poll_timeout_s
        messages = consumer.consume(self._config.max_poll_records, timeout)
        if messages:
            self._process(messages)
        if time.monotonic() >= self._next_commit and self._retry is None:
            self.flush_and_commit()

    def _on_stop(self) -> None:
        self._retry = None
        self.flush_and_commit()

    def _teardown(self, failed: bool) -> None:
        self._closing = True
        if self._consumer is not None:
            self._consumer.close()
        if self._task is not None:
            try:
                self._task.stop()
            except Exception as exc:
                logger.warning("task.stop() failed task=%s error=%s", self.task_id, exc)
        if self._errors.dlq is not None:
            self._errors.dlq.close()
        logger.info("sink task stopped task=%s failed=%s", self.task_id, failed)

    # consume → put ---------------------------------------------------------------------

    def _process(self, messages: list[Message]) -> None:
        started = time.perf_counter()
        batch = _Batch()
        for msg in messages:
            error = msg.error()
            if error is not None:
                if error.fatal():
                    raise KafkaException(error)
                if error.code() != KafkaError._PARTITION_EOF:
                    logger.warning("consumer error task=%s error=%s", self.task_id, error)
                continue
            topic, partition, offset = msg.topic() or "", msg.partition() or 0, msg.offset() or 0
            batch.ends[(topic, partition)] = offset + 1
            record = self._to_record(msg)
            if record is not None:
                batch.records.append(record)
                batch.originals[(topic, partition, offset)] = msg
        self.task_metrics.polled(len(messages))
        self._deliver(batch)
        self.task_metrics.batch_latency((time.perf_counter() - started) * 1000)

    def _to_record(self, msg: Message) -> SinkRecord | None:
        """Decode and transform one message; None when it failed (tolerated) or was dropped."""
        try:
            record = self._decoder.decode(msg)
        except StageError as exc:
            failed = FailedRecord.from_message(msg)
            self._errors.handle(exc.stage, exc.cause, failed, exc.executing_class)
            return None
        if self._apply is None:
            return record
        try:
            out: SinkRecord | None = self._apply(record)
        except Exception as exc:
            failed = FailedRecord.from_message(msg)
            self._errors.handle(Stage.TRANSFORMATION, exc, failed, type(self._chain))
            return None
        return out

    def _deliver(self, batch: _Batch) -> None:
        """Put the batch; mark its offsets accepted, or schedule a retry of what is left."""
        task = self._require_task()
        remaining = batch.records
        while remaining:
            try:
                task.put(remaining)
                break
            except RecordError as exc:
                remaining = self._skip_bad(remaining, exc, batch)
            except Exception as exc:
                if not is_transient(exc):
                    raise
                self._schedule_retry(replace(batch, records=remaining), exc)
                return
        self._retry = None
        for key, end in batch.ends.items():
            self._accepted[key] = end
        self._unflushed += len(batch.records)

    def _skip_bad(
        self, records: list[SinkRecord], exc: RecordError, batch: _Batch
    ) -> list[SinkRecord]:
        """Handle the record a RecordError names; return the records after it."""
        bad = exc.record
        index = next((i for i, r in enumerate(records) if r is bad), None)
        if index is None and isinstance(bad, SinkRecord):
            coords = (bad.topic, bad.kafka_partition, bad.kafka_offset)
            index = next(
                (
                    i
                    for i, r in enumerate(records)
                    if (r.topic, r.kafka_partition, r.kafka_offset) == coords
                ),
                None,
            )
        if index is None:
            self._errors.handle(Stage.TASK_PUT, exc, None, type(self._task))
            raise exc  # tolerated but unidentifiable: cannot know what put accepted
        record = records[index]
        original = batch.originals.get((record.topic, record.kafka_partition, record.kafka_offset))
        failed = FailedRecord.from_message(original) if original is not None else None
        self._errors.handle(Stage.TASK_PUT, exc, failed, type(self._task))
        return records[index + 1 :]

    def _schedule_retry(self, batch: _Batch, exc: Exception) -> None:
        if self._retry is None:
            policy = replace(self._errors.policy, retry_timeout_ms=-1)
            self._retry = _Retry(batch, backoff_delays(policy), 0.0)
        self._retry.batch = batch
        wait_s = next(self._retry.delays)
        self._retry.at = time.monotonic() + wait_s
        self.task_metrics.retries_total += 1
        self.task_metrics.last_error = f"{type(exc).__name__}: {exc}"
        logger.warning(
            "put failed, retrying task=%s records=%d wait_s=%.3f error=%s",
            self.task_id,
            len(batch.records),
            wait_s,
            exc,
        )

    # offsets and rebalances ------------------------------------------------------------

    def flush_and_commit(self, partitions: Sequence[TopicPartition] | None = None) -> bool:
        """``task.flush()`` then synchronously commit the accepted offsets.

        Returns whether offsets were committed. Runs on the task thread only.
        """
        self._next_commit = time.monotonic() + self._config.offset_flush_interval_ms / 1000
        if not self._accepted:
            self._update_lag()
            return False
        try:
            self._require_task().flush()
        except Exception as exc:
            if not is_transient(exc):
                raise
            self.task_metrics.retries_total += 1
            logger.warning("flush failed, retrying later task=%s error=%s", self.task_id, exc)
            return False
        if self._errors.dlq is not None:
            self._errors.dlq.flush()
        offsets = [TopicPartition(t, p, o) for (t, p), o in self._accepted.items()]
        self._require_consumer().commit(offsets=offsets, asynchronous=False)
        self.task_metrics.written(self._unflushed)
        self.task_metrics.offset_commits_total += 1
        self._accepted.clear()
        self._unflushed = 0
        self._update_lag()
        return True

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        logger.info("partitions assigned task=%s count=%d", self.task_id, len(partitions))
        if self._consumer_paused and partitions:
            consumer.pause(partitions)

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        """Flush and commit before losing the partitions (the next owner starts there)."""
        logger.info("partitions revoked task=%s count=%d", self.task_id, len(partitions))
        if self._closing:
            return
        self._retry = None  # not accepted: the next owner re-reads it from the commit
        self.flush_and_commit()

    def _apply_pause(self, paused: bool) -> None:
        if paused == self._consumer_paused:
            return
        consumer = self._require_consumer()
        assignment = consumer.assignment()
        if assignment:
            (consumer.pause if paused else consumer.resume)(assignment)
        self._consumer_paused = paused

    def _update_lag(self) -> None:
        consumer = self._require_consumer()
        lag = 0
        assignment = consumer.assignment()
        for tp in consumer.position(assignment) if assignment else []:
            watermarks = consumer.get_watermark_offsets(tp, cached=True)
            if watermarks and tp.offset >= 0 and watermarks[1] >= tp.offset:
                lag += watermarks[1] - tp.offset
        self.task_metrics.offset_lag = lag

    def _require_task(self) -> SinkTask:
        if self._task is None:
            raise RuntimeError("the sink runner is not set up")
        return self._task

    def _require_consumer(self) -> Consumer:
        if self._consumer is None:
            raise RuntimeError("the sink runner is not set up")
        return self._consumer
