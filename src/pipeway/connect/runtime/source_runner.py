"""Runs a source task: poll → transforms → convert → produce, then commit acknowledged offsets.

At-least-once: a source offset is written to the offset topic only once Kafka has
acknowledged its record and every earlier record of its source partition. The records of
a poll batch are tracked in :class:`SubmittedRecords` as one group per source partition
(acknowledged when all its records are); every ``offset.flush.interval.ms`` the runner commits,
per source partition, the offset of the latest record of the acknowledged prefix, without
waiting for the records still in flight (so under continuous load the offsets advance every
interval and a crash re-delivers about one interval of records); then it calls
``task.commit``. At stop it flushes the producer first and commits everything. A record Kafka
refuses for good fails the task without a commit (or, with ``errors.tolerance=all``, goes to
the dead letter queue and counts as handled, as in Kafka Connect since KIP-779).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from confluent_kafka import KafkaError, KafkaException, Message, Producer
from confluent_kafka.admin import AdminClient

from pipeway.connect.api import SourceRecord, SourceTask, SourceTaskContext
from pipeway.connect.exceptions import RecordError
from pipeway.connect.runtime.contract import TaskId
from pipeway.connect.runtime.conversion import SourceConverter
from pipeway.connect.runtime.error_handling import (
    ErrorHandler,
    FailedRecord,
    Stage,
    is_transient,
    with_retries,
)
from pipeway.connect.runtime.exceptions import DeliveryError, OffsetCommitError, StageError
from pipeway.connect.runtime.offsets import OffsetStore, PartitionKey, partition_key
from pipeway.connect.runtime.submitted import Committable, SubmittedGroup, SubmittedRecords
from pipeway.connect.runtime.task_thread import PAUSED_WAIT_S, TaskThread
from pipeway.kafka.topics import TIMEOUT_S, ensure_topic

logger = logging.getLogger(__name__)

DeliveryCallback = Callable[[KafkaError | None, Message], None]


class RecordChain(Protocol):
    """What the runtime needs of a transform chain: ``apply`` returns a record or None."""

    def apply(self, record: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class SourceRunnerConfig:
    """How a source runner talks to Kafka."""

    bootstrap_servers: str
    offset_flush_interval_ms: int = 1000
    topic_partitions: int = 1
    topic_replication_factor: int = 1
    producer_overrides: Mapping[str, Any] | None = None


def producer_config(task_id: TaskId, config: SourceRunnerConfig) -> dict[str, Any]:
    """Idempotent, acks=all, a short linger and lz4: safe and fast enough for most sources."""
    return {
        "bootstrap.servers": config.bootstrap_servers,
        "client.id": f"connect-{task_id}",
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 10,
        "compression.type": "lz4",
        **(config.producer_overrides or {}),
    }


class OffsetContext:
    """The SourceTaskContext the runtime gives a task: committed offsets from the store."""

    def __init__(self, task_id: TaskId, store: OffsetStore) -> None:
        self.connector_name = task_id.connector
        self.task_id = task_id.task
        self._store = store

    def offset(self, partition: Mapping[str, Any]) -> Mapping[str, Any] | None:
        return self._store.offset(self.connector_name, partition)


class SourceTaskRunner(TaskThread):
    """A TaskRunner for a source task (see the module docstring for the guarantees)."""

    def __init__(
        self,
        task_id: TaskId,
        task_factory: Callable[[SourceTaskContext], SourceTask],
        *,
        config: SourceRunnerConfig,
        offsets: OffsetStore,
        converter: SourceConverter,
        errors: ErrorHandler,
        transforms: RecordChain | None = None,
    ) -> None:
        super().__init__(task_id)
        self._factory = task_factory
        self._config = config
        self._offsets = offsets
        self._converter = converter
        self._errors = errors
        self._chain = transforms
        self._apply = transforms.apply if transforms is not None else None
        self._task: SourceTask | None = None
        self._producer: Producer | None = None
        self._admin: AdminClient | None = None
        self._topics: set[str] = set()
        self._submitted = SubmittedRecords()
        self._retry: Committable = {}  # offsets of a commit that failed, tried again next time
        self._last_partition: object = None
        self._last_key: PartitionKey = ()
        self._delivery_error: Exception | None = None
        self._next_commit = 0.0
        self._acked = 0

    # lifecycle -------------------------------------------------------------------------

    def _setup(self) -> None:
        self._producer = Producer(producer_config(self.task_id, self._config))
        self._admin = AdminClient({"bootstrap.servers": self._config.bootstrap_servers})
        self._task = self._factory(OffsetContext(self.task_id, self._offsets))
        self._task.start()
        self._next_commit = time.monotonic() + self._config.offset_flush_interval_ms / 1000
        logger.info("source task started task=%s", self.task_id)

    def _loop_once(self, paused: bool) -> None:
        producer = self._require_producer()
        if paused:
            producer.poll(PAUSED_WAIT_S)
        else:
            records = self._poll()
            if records:
                self._send_batch(records)
            else:
                producer.poll(0)
        self._count_acks()
        if self._delivery_error is not None:
            raise self._delivery_error
        if time.monotonic() >= self._next_commit:
            self.commit()

    def _on_stop(self) -> None:
        self.commit(final=True)

    def _teardown(self, failed: bool) -> None:
        if self._task is not None:
            try:
                self._task.stop()
            except Exception as exc:
                logger.warning("task.stop() failed task=%s error=%s", self.task_id, exc)
        if self._producer is not None:
            self._producer.flush(1.0 if failed else TIMEOUT_S)
        if self._errors.dlq is not None:
            self._errors.dlq.close()
        logger.info("source task stopped task=%s failed=%s", self.task_id, failed)

    # poll → produce --------------------------------------------------------------------

    def _poll(self) -> Sequence[SourceRecord]:
        task = self._task
        if task is None:
            return []
        try:
            return with_retries(task.poll, self._errors.policy, self.task_metrics, self._stopping)
        except RecordError as exc:
            failed = exc.record if isinstance(exc.record, SourceRecord) else None
            dlq_record = FailedRecord.from_source(failed) if failed is not None else None
            self._errors.handle(Stage.TASK_POLL, exc, dlq_record, type(task))
            return []

    def _send_batch(self, records: Sequence[SourceRecord]) -> None:
        """Send a poll batch; its records are tracked as one group per source partition.

        A group is acknowledged once all its records are (see :class:`SubmittedGroup`), so
        the commit guarantee is the per-record one at batch granularity, at a fraction of the
        per-record cost: no tracker entry, handle or callback closure per record.
        """
        started = time.perf_counter()
        self.task_metrics.polled(len(records))
        groups: dict[PartitionKey, tuple[SubmittedGroup, DeliveryCallback]] = {}
        last_partition: object = None
        group: SubmittedGroup | None = None
        delivered: DeliveryCallback | None = None
        send = self._send
        try:
            for record in records:
                partition = record.source_partition
                if partition is not last_partition or group is None or delivered is None:
                    group, delivered = self._group_of(partition, groups)
                    last_partition = partition
                group.add(record.source_offset)
                send(record, group, delivered)
        finally:
            for sealed, _ in groups.values():
                sealed.seal()  # a failed batch fails the task; nothing commits after that
        producer = self._require_producer()
        producer.poll(0)
        self.task_metrics.offset_lag = len(producer)
        self.task_metrics.batch_latency((time.perf_counter() - started) * 1000)

    def _group_of(
        self,
        partition: Mapping[str, Any],
        groups: dict[PartitionKey, tuple[SubmittedGroup, DeliveryCallback]],
    ) -> tuple[SubmittedGroup, DeliveryCallback]:
        """This batch's group of ``partition`` and its delivery callback (made on first use)."""
        if partition is not self._last_partition:
            self._last_partition = partition
            self._last_key = partition_key(partition)
        key = self._last_key
        found = groups.get(key)
        if found is None:
            group = self._submitted.submit_group(key, partition)
            found = groups[key] = (group, self._delivery_callback(group))
        return found

    def _delivery_callback(self, group: SubmittedGroup) -> DeliveryCallback:
        """One pre-bound delivery report for every record of ``group``."""
        ack = group.ack

        def delivered(err: KafkaError | None, msg: Message) -> None:
            if err is None:
                ack()
                self._acked += 1  # added to the metrics after each poll (cheaper than per record)
            else:
                self._on_delivery_error(group, err, msg)

        return delivered

    def _send(
        self, record: SourceRecord, group: SubmittedGroup, delivered: DeliveryCallback
    ) -> None:
        out: SourceRecord | None = record
        if self._apply is not None:
            try:
                out = self._apply(record)
            except Exception as exc:
                failed = FailedRecord.from_source(record)
                self._errors.handle(Stage.TRANSFORMATION, exc, failed, type(self._chain))
                out = None
        if out is None:
            group.ack()  # dropped by a transform, or its error was handled
            return
        try:
            key, value = self._convert(out)
            headers = self._converter.convert_headers(out) if out.headers else None
            self._produce(out, key, value, headers, delivered)
        except StageError as exc:
            failed = FailedRecord.from_source(out)
            self._errors.handle(exc.stage, exc.cause, failed, exc.executing_class)
            group.ack()

    def _convert(self, record: SourceRecord) -> tuple[bytes | None, bytes | None]:
        try:
            return self._converter.convert(record)
        except StageError as exc:
            if not is_transient(exc):
                raise
        return with_retries(
            lambda: self._converter.convert(record),
            self._errors.policy,
            self.task_metrics,
            self._stopping,
        )

    def _produce(
        self,
        record: SourceRecord,
        key: bytes | None,
        value: bytes | None,
        headers: list[tuple[str, bytes | None]] | None,
        delivered: DeliveryCallback,
    ) -> None:
        topic = record.topic
        if topic not in self._topics:
            self._ensure_topic(topic)
        producer = self._require_producer()
        partition = record.kafka_partition if record.kafka_partition is not None else -1
        while True:
            try:
                producer.produce(
                    topic,
                    value,
                    key,
                    partition=partition,
                    headers=headers,  # type: ignore[arg-type]
                    timestamp=record.timestamp or 0,
                    on_delivery=delivered,
                )
                return
            except BufferError:
                producer.poll(0.05)
            except KafkaException as exc:
                raise StageError(Stage.KAFKA_PRODUCE, exc, "Producer") from exc

    def _on_delivery_error(self, group: SubmittedGroup, err: KafkaError, msg: Message) -> None:
        """A refused record (runs inside producer.poll/flush on this thread)."""
        failure = DeliveryError(msg.topic() or "", err.str())
        try:
            self._errors.handle(
                Stage.KAFKA_PRODUCE, failure, FailedRecord.from_message(msg), "Producer"
            )
        except Exception as exc:  # not tolerated: the task fails, this offset never commits
            if self._delivery_error is None:
                self._delivery_error = exc
            return
        group.ack()  # tolerated: in the dead letter queue, which is flushed before commits

    def _count_acks(self) -> None:
        if self._acked:
            self.task_metrics.written(self._acked)
            self._acked = 0

    def _ensure_topic(self, topic: str) -> None:
        admin = self._admin or AdminClient({"bootstrap.servers": self._config.bootstrap_servers})
        ensure_topic(
            admin, topic, self._config.topic_partitions, self._config.topic_replication_factor
        )
        self._topics.add(topic)

    # offsets -----------------------------------------------------------------------------

    def commit(self, final: bool = False) -> bool:
        """Commit the offsets of the acknowledged prefix of every source partition.

        ``final`` (at stop) first flushes the producer, so everything delivered is covered.
        Returns whether offsets were committed. Runs on the task thread only.

        Raises:
            DeliveryError: a record (or a DLQ record) was refused and not tolerated; nothing
                is committed.
        """
        self._next_commit = time.monotonic() + self._config.offset_flush_interval_ms / 1000
        producer = self._require_producer()
        if final:
            producer.flush(TIMEOUT_S)
        else:
            producer.poll(0)  # serve the delivery reports that arrived
        self._count_acks()
        self.task_metrics.offset_lag = len(producer)
        if self._delivery_error is not None:
            raise self._delivery_error
        snapshot = {**self._retry, **self._submitted.committable()}
        self._retry = {}
        if not snapshot:
            return False
        return self._commit_snapshot(snapshot)

    def _commit_snapshot(self, snapshot: Committable) -> bool:
        if self._errors.dlq is not None:
            self._errors.dlq.flush()  # a lost DLQ record fails the task: never drop silently
        try:
            self._offsets.commit(self.task_id.connector, snapshot)
        except (OffsetCommitError, KafkaException) as exc:
            logger.error("offset commit failed task=%s error=%s", self.task_id, exc)
            self._retry = snapshot
            return False
        self.task_metrics.offset_commits_total += 1
        if self._task is not None:
            try:
                self._task.commit({k: offset for k, (_p, offset) in snapshot.items()})
            except Exception as exc:
                logger.warning("task.commit() failed task=%s error=%s", self.task_id, exc)
        return True

    def _require_producer(self) -> Producer:
        if self._producer is None:
            raise RuntimeError("the source runner is not set up")
        return self._producer
