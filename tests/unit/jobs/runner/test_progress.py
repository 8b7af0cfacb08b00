from __future__ import annotations

import json
from typing import Any

import fastavro

from pipeway.jobs.runner.progress import PROGRESS_SCHEMA, progress_record

PROGRESS: dict[str, Any] = {
    "id": "4c1f",
    "runId": "9a2b",
    "name": "tv.minutes",
    "timestamp": "2026-11-26T01:00:00.500Z",
    "batchId": 7,
    "batchDuration": 1234,
    "numInputRows": 500,
    "inputRowsPerSecond": 250.0,
    "processedRowsPerSecond": "NaN",
    "eventTime": {"watermark": "2026-11-26T00:59:00.000Z"},
    "stateOperators": [
        {"numRowsTotal": 10, "numRowsDroppedByWatermark": 2},
        {"numRowsTotal": 5, "numRowsDroppedByWatermark": 1},
    ],
    "observedMetrics": {
        "pipeway.dead_letters": {"count": 3},
        "pipeway.decode.tv.actions": {"rows": 503, "dead_letters": 3},
    },
}


def test_progress_record_maps_spark_progress() -> None:
    record = progress_record("tv", PROGRESS)
    assert record["job"] == "tv" and record["query"] == "minutes"
    assert record["batch_id"] == 7 and record["num_input_rows"] == 500
    assert record["timestamp"] == 1795654800500
    assert record["watermark"] == 1795654740000
    assert record["processed_rows_per_second"] == 0.0  # NaN before any input
    assert (record["state_rows"], record["late_rows_dropped"]) == (15, 3)
    assert record["dead_letters"] == 3
    assert record["observed_metrics"]["pipeway.decode.tv.actions.rows"] == 503
    assert json.loads(record["progress_json"])["batchId"] == 7


def test_progress_record_fits_its_avro_schema() -> None:
    schema = fastavro.parse_schema(PROGRESS_SCHEMA)
    assert fastavro.validate(progress_record("tv", PROGRESS), schema, raise_errors=True)
    empty = progress_record("j", {"name": "j.q", "batchId": 0})
    assert empty["watermark"] is None
    assert fastavro.validate(empty, schema, raise_errors=True)
