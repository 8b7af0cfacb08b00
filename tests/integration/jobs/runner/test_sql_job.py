"""A streaming SQL file run by the job runner against real Kafka, registry and Spark."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeway.jobs.exceptions import JobsConfigError
from pipeway.jobs.runner import load_job
from pipeway.jobs.runner.progress import PROGRESS_TOPIC
from pipeway.jobs.runner.run import JobRunSettings, run_job
from pipeway.jobs.settings import KafkaSettings
from pipeway.testing.services import unique_name
from tests.integration.jobs.runner.conftest import (
    BASE_TS,
    latest_by_key,
    produce_actions,
    read_avro_topic,
)

pytestmark = pytest.mark.integration

MINUTE_SQL = """
-- views per channel and minute, the issue's example
INSERT INTO {output}
OPTIONS (key 'window_start, channel_id', query 'minute')
SELECT w.start AS window_start, channel_id, count(*) AS views
FROM (SELECT window(ts, '1 minute') AS w, channel_id FROM {source})
GROUP BY w, channel_id;
"""


def _actions(rng: random.Random, n: int) -> list[dict[str, object]]:
    return [
        {
            "user_id": rng.randrange(50),
            "channel_id": rng.randrange(3),
            "ts": datetime.fromtimestamp((BASE_TS + rng.randrange(180_000)) / 1000, UTC),
        }
        for _ in range(n)
    ]


def _expected(actions: list[dict[str, object]]) -> dict[tuple[int, int], int]:
    counts: Counter[tuple[int, int]] = Counter()
    for a in actions:
        ts = a["ts"]
        assert isinstance(ts, datetime)
        minute = int(ts.timestamp() * 1000) // 60_000 * 60_000
        counts[(minute, int(a["channel_id"]))] += 1  # type: ignore[call-overload]
    return dict(counts)


def _observed(kafka: KafkaSettings, topic: str, keys: int) -> dict[tuple[int, int], int]:
    records = read_avro_topic(kafka, topic, keys)
    latest = latest_by_key(records)
    return {
        (int(v["window_start"].timestamp() * 1000), v["channel_id"]): v["views"]
        for v in latest.values()
    }


def test_sql_job_counts_per_minute_and_a_rerun_continues_without_double_counting(
    kafka: KafkaSettings, run_settings: Callable[..., JobRunSettings], tmp_path: Path
) -> None:
    token = unique_name("a").replace("-", "")
    source = f"it.actions_{token}"  # the SQL names it it_actions_<token>
    output = f"it.minute.{token}"
    sql = tmp_path / "minute.sql"
    sql.write_text(MINUTE_SQL.format(output=f"`{output}`", source=f"it_actions_{token}"))
    rng = random.Random(7)
    first, second = _actions(rng, 300), _actions(rng, 200)

    produce_actions(kafka, source, first)
    spec = load_job(str(sql), name=f"minute-{token}")
    result = run_job(spec, run_settings())
    assert (result.status, result.passes) == ("finished", 1)
    assert result.query_rows == {f"{spec.name}.minute": 300, f"{spec.name}.dlq-{source}": 300}
    expected = _expected(first)
    assert _observed(kafka, output, len(expected)) == expected

    produce_actions(kafka, source, second)  # more views in the same windows
    result = run_job(spec, run_settings())
    # the checkpoints skipped what the first run read
    assert result.query_rows == {f"{spec.name}.minute": 200, f"{spec.name}.dlq-{source}": 200}
    expected = _expected(first + second)
    assert _observed(kafka, output, len(expected)) == expected

    records = read_avro_topic(kafka, PROGRESS_TOPIC, None, avro_key=False)
    progress = [v for k, v in records if k == spec.name and v["job"] == spec.name]
    minute = [p for p in progress if p["query"] == "minute"]
    assert sum(p["num_input_rows"] for p in minute) == 500
    assert all(p["batch_duration_ms"] >= 0 for p in minute)


def test_sql_naming_an_unknown_topic_is_a_clear_error(
    kafka: KafkaSettings, run_settings: Callable[..., JobRunSettings], tmp_path: Path
) -> None:
    sql = tmp_path / "bad.sql"
    sql.write_text("\n\nINSERT INTO out SELECT * FROM no_such_topic_here;")
    spec = load_job(str(sql))
    with pytest.raises(JobsConfigError, match=r"bad.sql:3: 'no_such_topic_here' is neither"):
        run_job(spec, run_settings())


def test_sql_with_an_unknown_column_names_file_and_line(
    kafka: KafkaSettings, run_settings: Callable[..., JobRunSettings], tmp_path: Path
) -> None:
    source = unique_name("it.cols").replace("-", "_")
    produce_actions(kafka, source, _actions(random.Random(1), 3))
    sql = tmp_path / "cols.sql"
    sql.write_text(f"INSERT INTO `{source}.out` SELECT no_such_column FROM `{source}`;")
    with pytest.raises(JobsConfigError, match=r"cols.sql:1: .*no_such_column"):
        run_job(load_job(str(sql)), run_settings())
