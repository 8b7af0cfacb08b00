"""How fast a source runner moves a trivial task's records into Kafka as Avro (printed)."""

from __future__ import annotations

import time

import pytest

from pipeway.connect.runtime.contract import TaskId, WorkerSettings
from pipeway.connect.runtime.offsets import OffsetStore
from pipeway.connect.runtime.runners import create_runner
from pipeway.testing.services import unique_name

from .helpers import CountConnector, CountSettings, runtime, wait_for

pytestmark = pytest.mark.integration

RECORDS = 200_000


def test_source_runner_throughput(
    worker: WorkerSettings, offsets: OffsetStore, unique_topic: str
) -> None:
    name = unique_name("bench")
    settings = CountSettings(topic=unique_topic, count=RECORDS, batch=1000)
    runner = create_runner(
        TaskId(name, 0), CountConnector, settings, runtime(name), {}, {}, worker, offsets
    )
    started = time.perf_counter()
    runner.start()
    wait_for(
        lambda: (offsets.offset(name, {"counter": unique_topic}) or {}).get("n") == RECORDS,
        timeout_s=120,
    )
    elapsed = time.perf_counter() - started
    runner.stop()
    rate = RECORDS / elapsed
    print(f"\nsource runner: {RECORDS} Avro records in {elapsed:.2f}s = {rate:,.0f} records/s")
    assert runner.metrics()["records_written_total"] == RECORDS
    assert rate > 1000
