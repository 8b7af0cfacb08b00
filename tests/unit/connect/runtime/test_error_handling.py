"""Retry, tolerance and dead letter queue decisions, without Kafka."""

from __future__ import annotations

import threading
from typing import Any

import orjson
import pytest

from pipeway.connect.api import SourceRecord
from pipeway.connect.exceptions import RecordError, RetriableError
from pipeway.connect.runtime.contract import TaskId
from pipeway.connect.runtime.error_handling import (
    ErrorHandler,
    ErrorPolicy,
    FailedRecord,
    Stage,
    backoff_delays,
    error_headers,
    is_transient,
    with_retries,
)
from pipeway.connect.runtime.exceptions import StageError, ToleranceExceeded
from pipeway.connect.runtime.metrics import TaskMetrics
from pipeway.serde import RegistryUnavailableError

from .test_settings_policy import runtime_settings

TASK = TaskId("orders", 3)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class RecordingDlq:
    """Stands in for DeadLetterQueue: keeps what would be written."""

    def __init__(self) -> None:
        self.sent: list[tuple[FailedRecord, list[tuple[str, bytes | None]]]] = []

    def send(self, failed: FailedRecord, headers: list[tuple[str, bytes | None]]) -> None:
        self.sent.append((failed, headers))


def test_policy_from_runtime_settings() -> None:
    policy = ErrorPolicy.from_runtime(
        runtime_settings(
            **{
                "errors.tolerance": "all",
                "errors.retry.timeout": "5000",
                "errors.deadletterqueue.topic.name": "dlq",
            }
        )
    )
    assert policy.tolerate_all and policy.retry_timeout_ms == 5000
    assert policy.dlq_topic == "dlq" and policy.context_headers


def test_no_retries_by_default() -> None:
    assert list(backoff_delays(ErrorPolicy())) == []


def test_backoff_doubles_up_to_the_max_delay_and_stops_at_the_timeout() -> None:
    clock = FakeClock()
    delays = backoff_delays(ErrorPolicy(retry_timeout_ms=5000, retry_delay_max_ms=1000), clock)
    seen = []
    for wait in delays:
        seen.append(wait)
        clock.now += wait
    assert seen == [0.3, 0.6, 1.0, 1.0, 1.0, 1.0, pytest.approx(0.1)]


def test_infinite_retries() -> None:
    delays = backoff_delays(ErrorPolicy(retry_timeout_ms=-1, retry_delay_max_ms=2000))
    assert [next(delays) for _ in range(6)] == [0.3, 0.6, 1.2, 2.0, 2.0, 2.0]


def test_with_retries_retries_transient_errors_only() -> None:
    metrics = TaskMetrics()
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise RetriableError("busy")
        return "ok"

    policy = ErrorPolicy(retry_timeout_ms=-1, retry_delay_max_ms=1)
    assert with_retries(flaky, policy, metrics, threading.Event()) == "ok"
    assert metrics.retries_total == 2
    with pytest.raises(ValueError):
        with_retries(_raise(ValueError("bad")), policy, metrics, threading.Event())
    with pytest.raises(RetriableError):  # timeout 0: no retry
        with_retries(_raise(RetriableError("x")), ErrorPolicy(), metrics, threading.Event())


def _raise(exc: Exception) -> Any:
    def op() -> None:
        raise exc

    return op


def test_transient_includes_stage_errors_caused_by_transient_ones() -> None:
    unreachable = RegistryUnavailableError("http://r", "refused")
    assert is_transient(unreachable)
    assert is_transient(StageError("VALUE_CONVERTER", unreachable))
    assert not is_transient(StageError("VALUE_CONVERTER", ValueError()))


def test_tolerance_none_fails_and_counts() -> None:
    metrics = TaskMetrics()
    handler = ErrorHandler(ErrorPolicy(), TASK, metrics, RecordingDlq())  # type: ignore[arg-type]
    with pytest.raises(ToleranceExceeded, match="stage VALUE_CONVERTER") as info:
        handler.handle(Stage.VALUE_CONVERTER, ValueError("bad"), None)
    assert isinstance(info.value.__cause__, ValueError)
    assert metrics.errors_total == 1 and metrics.last_error


def test_tolerance_all_skips_and_writes_dlq_with_headers() -> None:
    metrics, dlq = TaskMetrics(), RecordingDlq()
    handler = ErrorHandler(ErrorPolicy(tolerate_all=True), TASK, metrics, dlq)  # type: ignore[arg-type]
    failed = FailedRecord("in", b"k", b"v", [("h", b"1")], partition=2, offset=41)
    try:
        raise RecordError("nope")
    except RecordError as exc:
        handler.handle(Stage.TASK_PUT, exc, failed, "my.Sink")
    assert metrics.errors_total == 1 and metrics.dlq_total == 1
    [(record, headers)] = dlq.sent
    assert record is failed
    got = dict(headers)
    assert got["__connect.errors.topic"] == b"in"
    assert got["__connect.errors.partition"] == b"2"
    assert got["__connect.errors.offset"] == b"41"
    assert got["__connect.errors.connector.name"] == b"orders"
    assert got["__connect.errors.task.id"] == b"3"
    assert got["__connect.errors.stage"] == b"TASK_PUT"
    assert got["__connect.errors.class.name"] == b"my.Sink"
    assert got["__connect.errors.exception.class.name"] == b"pipeway.connect.exceptions.RecordError"
    assert got["__connect.errors.exception.message"] == b"nope"
    assert b"Traceback" in (got["__connect.errors.exception.stacktrace"] or b"")


def test_tolerance_all_without_dlq_only_counts() -> None:
    metrics = TaskMetrics()
    handler = ErrorHandler(ErrorPolicy(tolerate_all=True), TASK, metrics, None)
    handler.handle(Stage.TRANSFORMATION, ValueError("x"), None)
    assert metrics.errors_total == 1 and metrics.dlq_total == 0


def test_context_headers_can_be_disabled() -> None:
    dlq = RecordingDlq()
    policy = ErrorPolicy(tolerate_all=True, context_headers=False)
    handler = ErrorHandler(policy, TASK, TaskMetrics(), dlq)  # type: ignore[arg-type]
    handler.handle(Stage.KEY_CONVERTER, ValueError("x"), FailedRecord("t", None, b"v"))
    assert dlq.sent[0][1] == []


def test_source_record_is_written_as_json() -> None:
    record = SourceRecord(
        topic="t",
        key={"id": 1},
        value={"when": b"\x00".decode(), "n": 1},
        source_partition={"table": "orders"},
        source_offset={"pos": 9},
    )
    failed = FailedRecord.from_source(record)
    assert orjson.loads(failed.key or b"") == {"id": 1}
    assert orjson.loads(failed.value or b"") == {"when": "\x00", "n": 1}
    headers = dict(error_headers(failed, TASK, "VALUE_CONVERTER", "c", ValueError("v")))
    assert orjson.loads(headers["__connect.errors.source.partition"] or b"") == {"table": "orders"}
    assert orjson.loads(headers["__connect.errors.source.offset"] or b"") == {"pos": 9}
    assert "__connect.errors.partition" not in headers
