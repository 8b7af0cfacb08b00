"""Rolling rate and percentiles, and the Prometheus text rendering."""

from __future__ import annotations

from pipeway.connect.runtime.contract import TaskId
from pipeway.connect.runtime.metrics import (
    RollingRate,
    RollingSamples,
    TaskMetrics,
    percentile,
    prometheus_text,
)


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.5) == 0.0


def test_rate_over_the_window_and_expiry() -> None:
    clock = FakeClock()
    rate = RollingRate(window_s=10, clock=clock)
    for _ in range(10):
        rate.add(100)
        clock.now += 1
    assert rate.rate() == 100.0
    clock.now += 20
    assert rate.rate() == 0.0


def test_young_rate_uses_elapsed_time() -> None:
    clock = FakeClock()
    rate = RollingRate(window_s=60, clock=clock)
    rate.add(50)
    clock.now += 2
    assert rate.rate() == 25.0


def test_samples_expire() -> None:
    clock = FakeClock()
    samples = RollingSamples(window_s=5, clock=clock)
    samples.add(1.0)
    clock.now += 10
    samples.add(2.0)
    assert samples.values() == [2.0]


def test_snapshot_names() -> None:
    metrics = TaskMetrics()
    metrics.polled(3)
    metrics.written(2)
    metrics.batch_latency(4.0)
    metrics.error("boom")
    snap = metrics.snapshot()
    assert snap["records_polled_total"] == 3 and snap["records_written_total"] == 2
    assert snap["batch_latency_ms_p50"] == 4.0 and snap["batch_latency_ms_p99"] == 4.0
    assert snap["errors_total"] == 1 and snap["last_error"] == "boom"
    assert {"dlq_total", "retries_total", "offset_lag", "records_per_s"} <= set(snap)


def test_prometheus_text() -> None:
    text = prometheus_text(
        {
            TaskId("orders", 0): {"records_written_total": 5, "offset_lag": 2, "last_error": "x"},
            'we"ird-1': {"records_written_total": 1, "records_per_s": 0.5},
        }
    )
    lines = text.splitlines()
    assert "# TYPE pipeway_connect_task_records_written_total counter" in lines
    assert 'pipeway_connect_task_records_written_total{connector="orders",task="0"} 5' in lines
    assert 'pipeway_connect_task_records_written_total{connector="we\\"ird",task="1"} 1' in lines
    assert "# TYPE pipeway_connect_task_offset_lag gauge" in lines
    assert 'pipeway_connect_task_records_per_s{connector="we\\"ird",task="1"} 0.5' in lines
    assert "last_error" not in text
    assert text.endswith("\n")
    assert prometheus_text({}) == ""
