"""The tv-analytics job on real Kafka equals the batch oracle (docs/jobs/tv-analytics.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from pipeway.demo.tv import contract
from pipeway.demo.tv.oracle import OracleResult, compute
from pipeway.demo.tv.scenario import Scenario, ScenarioConfig, generate
from pipeway.jobs.settings import KafkaSettings
from tests.integration.demo.tv.pipeline import TvPipeline, sorted_rows

pytestmark = pytest.mark.integration

COUNTERS = (
    "late_actions",
    "stops_ignored",
    "switches_without_session",
    "starts_while_open",
    "standby_timeouts",
    "pending_actions",
    "open_sessions",
)


@pytest.fixture
def kafka(kafka_bootstrap: str, registry_url: str) -> KafkaSettings:
    return KafkaSettings(bootstrap_servers=kafka_bootstrap, registry_url=registry_url)


def assert_equals_oracle(pipeline: TvPipeline, expected: OracleResult) -> None:
    for name in contract.OUTPUT_TOPICS:
        got = sorted_rows(name, pipeline.latest(name).values())
        want = expected.outputs[name]
        assert len(got) == len(want), f"{name}: {len(got)} rows, oracle {len(want)}"
        mismatched = [(g, w) for g, w in zip(got, want, strict=True) if g != w]
        assert not mismatched, f"{name}: {len(mismatched)} rows differ, first {mismatched[0]}"
    counts = pipeline.counts()
    oracle = expected.counts
    assert {c: counts.get(c, 0) for c in COUNTERS} == {c: getattr(oracle, c) for c in COUNTERS}


def test_default_scenario_phase_by_phase_equals_the_oracle(
    spark: SparkSession, kafka: KafkaSettings, tmp_path: Path
) -> None:
    scenario = generate(ScenarioConfig(seed=42))
    expected = compute(scenario.phases)
    assert expected.counts.late_actions > 0 and expected.counts.standby_timeouts > 0
    pipeline = TvPipeline(kafka, tmp_path)

    for phase in scenario.phases:
        pipeline.produce_phase(phase)
        pipeline.run_once()

    assert_equals_oracle(pipeline, expected)


def test_replayed_batches_after_a_crash_leave_outputs_and_counts_unchanged(
    spark: SparkSession, kafka: KafkaSettings, tmp_path: Path
) -> None:
    """A crash after the outputs were written but before Spark committed the batches: the
    restarted job replays them from the checkpointed state; keyed rows are rewritten with
    the same values and no counter counts twice."""
    scenario = _small_scenario()
    expected = compute(scenario.phases)
    pipeline = TvPipeline(kafka, tmp_path, shards=2)
    crash_after = 1

    for p, phase in enumerate(scenario.phases):
        pipeline.produce_phase(phase)
        pipeline.run_once()
        if p == crash_after:
            sessions_before = len(pipeline.decoded(contract.SESSIONS))
            _forget_last_commits(pipeline.checkpoint("analytics"), 2)

    assert_equals_oracle(pipeline, expected)
    written = len(pipeline.decoded(contract.SESSIONS))
    assert written > len(expected.outputs[contract.SESSIONS]), "the replay rewrote nothing"
    assert sessions_before > 0


def _small_scenario() -> Scenario:
    return generate(ScenarioConfig(seed=7, users=60, channels=6, cities=4, phases=3, ads=10))


def _forget_last_commits(checkpoint: Path, batches: int) -> None:
    """What a crash between writing and committing leaves: offsets logged, no commit."""
    commits = sorted((checkpoint / "commits").glob("[0-9]*"), key=lambda p: int(p.name))
    assert len(commits) >= batches
    for path in commits[-batches:]:
        path.unlink()
        crc = path.with_name(f".{path.name}.crc")
        crc.unlink(missing_ok=True)
