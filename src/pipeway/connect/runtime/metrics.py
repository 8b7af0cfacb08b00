"""Per-task counters, a rolling throughput and latency window, and Prometheus text output.

Counters are plain ints touched by the task's own thread (delivery callbacks also run there,
inside ``producer.poll``), so no lock is needed on the hot path; readers (REST, Prometheus)
take a :meth:`TaskMetrics.snapshot`. Nothing is a dependency: the exposition format is a few
lines of text.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

WINDOW_S = 60.0
"""Length of the rolling window behind ``records_per_s`` and the latency percentiles."""

_MAX_SAMPLES = 4096


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by nearest rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


class RollingRate:
    """Events per second over the last ``window_s`` seconds, in one-second buckets."""

    def __init__(self, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic):
        self._window = int(window_s)
        self._clock = clock
        self._buckets: deque[list[float]] = deque()
        self._started = clock()

    def add(self, n: int) -> None:
        second = math.floor(self._clock())
        if self._buckets and self._buckets[-1][0] == second:
            self._buckets[-1][1] += n
        else:
            self._buckets.append([second, n])
        self._expire(second)

    def rate(self) -> float:
        """Events per second over the window (or since creation when younger)."""
        now = self._clock()
        self._expire(math.floor(now))
        span = min(float(self._window), max(now - self._started, 1e-3))
        return sum(b[1] for b in self._buckets) / span

    def _expire(self, second: float) -> None:
        while self._buckets and self._buckets[0][0] < second - self._window:
            self._buckets.popleft()


class RollingSamples:
    """The samples of the last ``window_s`` seconds (at most 4096), for percentiles."""

    def __init__(self, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic):
        self._window = window_s
        self._clock = clock
        self._samples: deque[tuple[float, float]] = deque(maxlen=_MAX_SAMPLES)

    def add(self, value: float) -> None:
        self._samples.append((self._clock(), value))

    def values(self) -> list[float]:
        horizon = self._clock() - self._window
        while self._samples and self._samples[0][0] < horizon:
            self._samples.popleft()
        return [v for _, v in self._samples]


class TaskMetrics:
    """What one task reports; see :meth:`snapshot` for the names."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.records_polled_total = 0
        self.records_written_total = 0
        self.errors_total = 0
        self.dlq_total = 0
        self.retries_total = 0
        self.offset_commits_total = 0
        self.offset_lag = 0
        self.last_error: str | None = None
        self._rate = RollingRate(clock=clock)
        self._latency = RollingSamples(clock=clock)

    def polled(self, n: int) -> None:
        self.records_polled_total += n

    def written(self, n: int = 1) -> None:
        self.records_written_total += n
        self._rate.add(n)

    def batch_latency(self, ms: float) -> None:
        self._latency.add(ms)

    def error(self, message: str) -> None:
        self.errors_total += 1
        self.last_error = message

    def snapshot(self) -> dict[str, Any]:
        """The metrics as a plain dict (names as in the REST API and Prometheus)."""
        latencies = self._latency.values()
        return {
            "records_polled_total": self.records_polled_total,
            "records_written_total": self.records_written_total,
            "records_per_s": round(self._rate.rate(), 3),
            "batch_latency_ms_p50": round(percentile(latencies, 0.50), 3),
            "batch_latency_ms_p99": round(percentile(latencies, 0.99), 3),
            "errors_total": self.errors_total,
            "dlq_total": self.dlq_total,
            "retries_total": self.retries_total,
            "offset_commits_total": self.offset_commits_total,
            "offset_lag": self.offset_lag,
            "last_error": self.last_error,
        }


_HELP = {
    "records_polled_total": "Records polled from the source task or consumed from Kafka.",
    "records_written_total": "Records acknowledged by Kafka (sources) or flushed (sinks).",
    "records_per_s": "Written records per second over the last minute.",
    "batch_latency_ms_p50": "Median batch latency in ms over the last minute.",
    "batch_latency_ms_p99": "99th percentile batch latency in ms over the last minute.",
    "errors_total": "Record or task errors seen (tolerated or not).",
    "dlq_total": "Records sent to the dead letter queue.",
    "retries_total": "Retries of retriable errors.",
    "offset_commits_total": "Successful offset commits.",
    "offset_lag": "Consumer lag (sinks) or records in flight (sources).",
}
PROMETHEUS_PREFIX = "pipeway_connect_task_"


def prometheus_text(metrics_by_task: Mapping[Any, Mapping[str, Any]]) -> str:
    """Render ``{TaskId or "conn-0": metrics}`` in the Prometheus text exposition format.

    Each metric gets ``connector`` and ``task`` labels; non-numeric values (``last_error``)
    are left out.
    """
    lines: list[str] = []
    for name, help_text in _HELP.items():
        samples = [
            (labels, value)
            for task, values in metrics_by_task.items()
            if isinstance(value := values.get(name), int | float) and not isinstance(value, bool)
            for labels in (_labels(task),)
        ]
        if not samples:
            continue
        full = PROMETHEUS_PREFIX + name
        kind = "counter" if name.endswith("_total") else "gauge"
        lines += [f"# HELP {full} {help_text}", f"# TYPE {full} {kind}"]
        lines += [f"{full}{{{labels}}} {_number(value)}" for labels, value in samples]
    return "\n".join(lines) + "\n" if lines else ""


def _labels(task: Any) -> str:
    connector = getattr(task, "connector", None)
    number = getattr(task, "task", None)
    if connector is None:
        connector, _, number = str(task).rpartition("-")
    return f'connector="{_escape(str(connector))}",task="{_escape(str(number))}"'


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    if isinstance(value, int):
        return str(value)
    return repr(float(value))
