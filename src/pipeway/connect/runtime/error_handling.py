"""Kafka Connect's error handling: retry, tolerate (skip + dead letter queue) or fail.

- ``errors.retry.timeout`` / ``errors.retry.delay.max.ms``: a :class:`TransientError`
  (``RetriableError``, an unreachable registry...) is retried with exponential backoff
  (300 ms, doubling, capped at the max delay) until the timeout (-1 = forever, 0 = never).
- ``errors.tolerance=none``: the first record error fails the task (:class:`ToleranceExceeded`).
- ``errors.tolerance=all``: the record is skipped, counted in ``errors_total``, and, with
  ``errors.deadletterqueue.topic.name``, written to the DLQ with the ``__connect.errors.*``
  context headers (``errors.deadletterqueue.context.headers.enable``, on by default here).
- ``errors.log.enable`` logs every error; the record itself only with
  ``errors.log.include.messages``.

Nothing is dropped silently: every skipped record is counted (``errors_total``, ``dlq_total``).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar, cast

import orjson
from confluent_kafka import KafkaError, Message, Producer
from confluent_kafka.admin import AdminClient

from pipeway.connect.api import SourceRecord
from pipeway.connect.runtime.contract import TaskId
from pipeway.connect.runtime.exceptions import DeliveryError, ToleranceExceeded
from pipeway.connect.runtime.metrics import TaskMetrics
from pipeway.connect.settings import RuntimeSettings
from pipeway.errors import TransientError
from pipeway.kafka.topics import TIMEOUT_S, ensure_topic

logger = logging.getLogger(__name__)

T = TypeVar("T")

INITIAL_BACKOFF_MS = 300
"""Kafka Connect's first retry delay; each further delay doubles (up to the max delay)."""

HEADER_PREFIX = "__connect.errors."
H_TOPIC = HEADER_PREFIX + "topic"
H_PARTITION = HEADER_PREFIX + "partition"
H_OFFSET = HEADER_PREFIX + "offset"
H_CONNECTOR = HEADER_PREFIX + "connector.name"
H_TASK = HEADER_PREFIX + "task.id"
H_STAGE = HEADER_PREFIX + "stage"
H_CLASS = HEADER_PREFIX + "class.name"
H_EXCEPTION = HEADER_PREFIX + "exception.class.name"
H_MESSAGE = HEADER_PREFIX + "exception.message"
H_STACKTRACE = HEADER_PREFIX + "exception.stacktrace"
H_SOURCE_PARTITION = HEADER_PREFIX + "source.partition"
"""pipeway extension: the JSON source partition of a failed source record."""
H_SOURCE_OFFSET = HEADER_PREFIX + "source.offset"
"""pipeway extension: the JSON source offset of a failed source record."""


class Stage(StrEnum):
    """Where a record failed (the ``__connect.errors.stage`` header)."""

    KEY_CONVERTER = "KEY_CONVERTER"
    VALUE_CONVERTER = "VALUE_CONVERTER"
    HEADER_CONVERTER = "HEADER_CONVERTER"
    TRANSFORMATION = "TRANSFORMATION"
    TASK_PUT = "TASK_PUT"
    TASK_POLL = "TASK_POLL"
    KAFKA_PRODUCE = "KAFKA_PRODUCE"
    KAFKA_CONSUME = "KAFKA_CONSUME"


@dataclass(frozen=True, slots=True)
class ErrorPolicy:
    """The ``errors.*`` settings of one connector."""

    tolerate_all: bool = False
    retry_timeout_ms: int = 0
    retry_delay_max_ms: int = 60000
    log_enable: bool = False
    log_include_messages: bool = False
    dlq_topic: str = ""
    dlq_replication_factor: int = 1
    context_headers: bool = True

    @classmethod
    def from_runtime(cls, runtime: RuntimeSettings) -> ErrorPolicy:
        return cls(
            tolerate_all=runtime.errors_tolerance == "all",
            retry_timeout_ms=runtime.errors_retry_timeout_ms,
            retry_delay_max_ms=runtime.errors_retry_delay_max_ms,
            log_enable=runtime.errors_log_enable,
            log_include_messages=runtime.errors_log_include_messages,
            dlq_topic=runtime.errors_dlq_topic,
            dlq_replication_factor=runtime.errors_dlq_replication_factor,
            context_headers=runtime.errors_dlq_context_headers,
        )


def backoff_delays(
    policy: ErrorPolicy, clock: Callable[[], float] = time.monotonic
) -> Iterator[float]:
    """Seconds to wait before each retry; ends when ``errors.retry.timeout`` is used up."""
    if policy.retry_timeout_ms == 0:
        return
    deadline = None if policy.retry_timeout_ms < 0 else clock() + policy.retry_timeout_ms / 1000
    delay_ms = float(INITIAL_BACKOFF_MS)
    while True:
        wait_s = min(delay_ms, float(policy.retry_delay_max_ms)) / 1000
        if deadline is not None:
            left = deadline - clock()
            if left <= 0:
                return
            wait_s = min(wait_s, left)
        yield wait_s
        delay_ms *= 2


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: a TransientError, or a stage failure caused by one."""
    cause = getattr(exc, "cause", None)
    return isinstance(exc, TransientError) or isinstance(cause, TransientError)


def with_retries(
    operation: Callable[[], T],
    policy: ErrorPolicy,
    metrics: TaskMetrics,
    stopping: threading.Event,
) -> T:
    """Run ``operation``, retrying transient errors per the policy; re-raise the last one.

    A stop request ends the waiting early (the last error is raised).
    """
    delays = backoff_delays(policy)
    while True:
        try:
            return operation()
        except Exception as exc:
            if not is_transient(exc):
                raise
            wait_s = next(delays, None)
            if wait_s is None or stopping.is_set():
                raise
            metrics.retries_total += 1
            logger.warning("retrying after transient error wait_s=%.3f error=%s", wait_s, exc)
            if stopping.wait(wait_s):
                raise


@dataclass(slots=True)
class FailedRecord:
    """What the dead letter queue writes for a record: its bytes and where it came from."""

    topic: str
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes | None]] = field(default_factory=list)
    partition: int | None = None
    offset: int | None = None
    extra_headers: list[tuple[str, bytes | None]] = field(default_factory=list)

    @classmethod
    def from_message(cls, msg: Message) -> FailedRecord:
        """The original bytes of a consumed (or refused produced) Kafka message."""
        offset = msg.offset()
        return cls(
            topic=msg.topic() or "",
            key=msg.key(),
            value=msg.value(),
            headers=_message_headers(msg),
            partition=msg.partition(),
            offset=offset if offset is not None and offset >= 0 else None,
        )

    @classmethod
    def from_source(cls, record: SourceRecord) -> FailedRecord:
        """A source record as JSON: key and value via orjson (non-JSON types as ``str``)."""
        return cls(
            topic=record.topic,
            key=_json_or_none(record.key),
            value=_json_or_none(record.value),
            headers=list(record.headers),
            partition=record.kafka_partition,
            extra_headers=[
                (H_SOURCE_PARTITION, _json_or_none(dict(record.source_partition))),
                (H_SOURCE_OFFSET, _json_or_none(dict(record.source_offset))),
            ],
        )


def _message_headers(msg: Message) -> list[tuple[str, bytes | None]]:
    raw = msg.headers() or []
    pairs = raw.items() if isinstance(raw, dict) else raw
    return [(k, v.encode("utf-8") if isinstance(v, str) else v) for k, v in pairs]


def _json_or_none(value: Any) -> bytes | None:
    if value is None:
        return None
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS)


def error_headers(
    failed: FailedRecord, task_id: TaskId, stage: str, executing_class: str, exc: BaseException
) -> list[tuple[str, bytes | None]]:
    """Kafka Connect's DLQ context headers (UTF-8 strings), plus pipeway's source ones."""
    pairs: list[tuple[str, str | None]] = [(H_TOPIC, failed.topic)]
    if failed.partition is not None:
        pairs.append((H_PARTITION, str(failed.partition)))
    if failed.offset is not None:
        pairs.append((H_OFFSET, str(failed.offset)))
    pairs += [
        (H_CONNECTOR, task_id.connector),
        (H_TASK, str(task_id.task)),
        (H_STAGE, str(stage)),
        (H_CLASS, executing_class),
        (H_EXCEPTION, _class_name(exc)),
        (H_MESSAGE, str(exc)),
        (H_STACKTRACE, "".join(traceback.format_exception(exc))),
    ]
    encoded = [(k, None if v is None else v.encode("utf-8")) for k, v in pairs]
    return encoded + failed.extra_headers


def _class_name(obj: BaseException | type) -> str:
    cls = obj if isinstance(obj, type) else type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


class DeadLetterQueue:
    """Writes failed records to ``errors.deadletterqueue.topic.name`` (created when missing)."""

    def __init__(self, bootstrap_servers: str, policy: ErrorPolicy) -> None:
        self.topic = policy.dlq_topic
        self._bootstrap = bootstrap_servers
        self._replication = policy.dlq_replication_factor
        self._producer: Producer | None = None
        self._errors: list[str] = []

    def send(self, failed: FailedRecord, headers: list[tuple[str, bytes | None]]) -> None:
        producer = self._producer or self._open()
        producer.produce(
            self.topic,
            failed.value,
            failed.key,
            headers=cast(Any, failed.headers + headers),
            on_delivery=self._delivered,
        )
        producer.poll(0)

    def flush(self) -> None:
        """Wait until every DLQ record is acknowledged (before offsets are committed).

        Raises:
            DeliveryError: a DLQ record could not be written.
        """
        if self._producer is None:
            return
        remaining = self._producer.flush(TIMEOUT_S)
        if self._errors or remaining:
            reason = "; ".join(self._errors) or f"{remaining} records not acknowledged in time"
            self._errors.clear()
            raise DeliveryError(self.topic, reason)

    def close(self) -> None:
        if self._producer is not None:
            self._producer.flush(TIMEOUT_S)
            self._producer = None

    def _open(self) -> Producer:
        ensure_topic(
            AdminClient({"bootstrap.servers": self._bootstrap}), self.topic, 1, self._replication
        )
        self._producer = Producer(
            {"bootstrap.servers": self._bootstrap, "enable.idempotence": True, "acks": "all"}
        )
        return self._producer

    def _delivered(self, err: KafkaError | None, _msg: Message) -> None:
        if err is not None:
            self._errors.append(err.str())


class ErrorHandler:
    """Decides, for one task, what a record error means: fail, or log + count + DLQ."""

    def __init__(
        self,
        policy: ErrorPolicy,
        task_id: TaskId,
        metrics: TaskMetrics,
        dlq: DeadLetterQueue | None = None,
    ) -> None:
        self.policy = policy
        self.task_id = task_id
        self.metrics = metrics
        self.dlq = dlq

    def handle(
        self,
        stage: str,
        exc: BaseException,
        failed: FailedRecord | None,
        executing_class: str | type = "",
    ) -> None:
        """Record a failed record; return to skip it or raise to fail the task.

        Raises:
            ToleranceExceeded: ``errors.tolerance=none`` (chained to ``exc``).
        """
        self.metrics.error(f"{stage}: {type(exc).__name__}: {exc}")
        self._log(stage, exc, failed)
        if not self.policy.tolerate_all:
            raise ToleranceExceeded(stage, exc) from exc
        if self.dlq is not None and failed is not None:
            name = (
                executing_class
                if isinstance(executing_class, str)
                else _class_name(executing_class)
            )
            headers = []
            if self.policy.context_headers:
                headers = error_headers(failed, self.task_id, stage, name, exc)
            self.dlq.send(failed, headers)
            self.metrics.dlq_total += 1

    def _log(self, stage: str, exc: BaseException, failed: FailedRecord | None) -> None:
        if not self.policy.log_enable:
            return
        where = ""
        if failed is not None:
            where = f" topic={failed.topic} partition={failed.partition} offset={failed.offset}"
            if self.policy.log_include_messages:
                where += f" key={failed.key!r:.200} value={failed.value!r:.500}"
        logger.error(
            "record error task=%s stage=%s tolerance=%s%s error=%s: %s",
            self.task_id,
            stage,
            "all" if self.policy.tolerate_all else "none",
            where,
            type(exc).__name__,
            exc,
        )
