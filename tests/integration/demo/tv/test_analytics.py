"""The tv-analytics job on real Kafka equals the batch oracle (docs/jobs/tv-analytics.md).

One module-scoped run (Spark jobs are slow to start, so the three tests share it): a seeded
scenario produced phase by phase, each phase followed by one ``availableNow`` run of the job
(a data batch and its no-data batch, every run restarting from the checkpoint), with bad
records mixed into phase 1 and a crash after phase 1 (the last batches' commits lost, so the
next run replays them).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka.schema_registry import Schema
from confluent_kafka.serialization import MessageField, SerializationContext
from pyspark.sql import SparkSession

from pipeway.demo.tv import contract
from pipeway.demo.tv.jobs.encoding import ROW_KEYS
from pipeway.demo.tv.oracle import LiveResult, OracleResult, compute, live
from pipeway.demo.tv.scenario import ScenarioConfig, generate
from pipeway.demo.tv.schemas import schema
from pipeway.jobs.dead_letters import HEADER_PREFIX, dead_letter_topic
from pipeway.jobs.settings import KafkaSettings
from tests.integration.demo.tv.pipeline import Phase, TvPipeline, sorted_rows

# the first test also pays for the shared run (Spark start-up, four job runs)
pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

COUNTERS = (
    "late_actions",
    "stops_ignored",
    "switches_without_session",
    "starts_while_open",
    "standby_timeouts",
    "pending_actions",
    "open_sessions",
)
CRASH_AFTER_PHASE = 1
INVALID_CODES = (0, 9)


@dataclass
class Run:
    pipeline: TvPipeline
    expected: OracleResult
    live: list[LiveResult]
    """the oracle's live rows after each phase"""
    bad_records: int
    """records produced that must end in the job's dead letter topic"""


@pytest.fixture(scope="module")
def run(
    spark: SparkSession,
    kafka_bootstrap: str,
    registry_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Run:
    kafka = KafkaSettings(bootstrap_servers=kafka_bootstrap, registry_url=registry_url)
    scenario = generate(ScenarioConfig(seed=42, phases=3))
    phases = _with_invalid_actions(scenario.phases, CRASH_AFTER_PHASE)
    expected = compute(phases)
    pipeline = TvPipeline(kafka, tmp_path_factory.mktemp("tv-analytics"))
    old_action = _register_action_without_device(pipeline)
    bad = 0
    for p, phase in enumerate(phases):
        pipeline.produce_phase(phase)
        if p == CRASH_AFTER_PHASE:
            bad = _produce_bad_records(pipeline, old_action, phase)
        pipeline.run_once()
        if p == CRASH_AFTER_PHASE:
            _crash_before_commit(pipeline.checkpoint("analytics"))
    expected_live = [live(phases[: p + 1]) for p in range(len(phases))]
    return Run(pipeline, expected, expected_live, bad + len(INVALID_CODES))


def test_outputs_equal_the_oracle(run: Run) -> None:
    expected = run.expected
    assert expected.counts.late_actions > 0 and expected.counts.standby_timeouts > 0
    for name in contract.OUTPUT_TOPICS:
        got = sorted_rows(name, run.pipeline.latest(name).values())
        want = expected.outputs[name]
        assert want, f"the scenario gives no {name} rows"
        assert len(got) == len(want), f"{name}: {len(got)} rows, oracle {len(want)}"
        differ = [(g, w) for g, w in zip(got, want, strict=True) if g != w]
        assert not differ, f"{name}: {len(differ)} rows differ, first (job, oracle) {differ[0]}"


def test_live_rows_equal_the_oracle_after_every_phase(run: Run) -> None:
    """Each batch writes every open window's cells as of its latest action (``as_of``):
    after each phase they equal the oracle's live rows for the phases so far."""
    checked = 0
    for name in contract.LIVE_TOPICS.values():
        by_as_of: dict[int, dict[tuple[Any, ...], dict[str, Any]]] = {}
        for row in run.pipeline.decoded(name):
            if not row["final"]:  # a replayed batch rewrites the same rows: last one wins
                by_as_of.setdefault(row["as_of"], {})[_key(name, row)] = row
        for p, want in enumerate(run.live):
            assert want.as_of is not None
            got = sorted_rows(name, by_as_of.get(want.as_of, {}).values())
            assert got == want.outputs[name], f"{name} after phase {p} differs from the oracle"
            checked += len(got)
    assert checked > 1000  # the last phase ends the day (nothing open), the others have rows


def test_live_topics_end_with_the_final_rows(run: Run) -> None:
    """A window's last row in its live topic is its final row (``final``, ``as_of`` =
    window end), so a reader of the live topic alone converges to the final values."""
    for final, name in contract.LIVE_TOPICS.items():
        last = run.pipeline.latest(name).values()
        got = [{k: v for k, v in row.items() if k not in ("as_of", "final")}
               for row in last if row["final"]]  # fmt: skip
        assert sorted_rows(final, got) == run.expected.outputs[final]
        assert all(row["as_of"] == row["window_end"] for row in last if row["final"])


def test_counts_equal_the_oracle_after_a_replay(run: Run) -> None:
    """Late actions dropped, stops ignored, ...: the job's counts topic (each shard's last
    value, summed) equals the oracle although the crashed batches ran twice."""
    counts = run.pipeline.counts()
    oracle = run.expected.counts
    assert {c: counts.get(c, 0) for c in COUNTERS} == {c: getattr(oracle, c) for c in COUNTERS}
    sessions = run.pipeline.decoded(contract.SESSIONS)
    distinct = {(s["user_id"], s["device_id"], s["start_ts"]) for s in sessions}
    assert len(sessions) > len(distinct), "the replayed batch wrote no session again"


def test_bad_records_go_to_the_dead_letter_topic_with_their_reason(run: Run) -> None:
    """At least once, like Kafka Connect's DLQs: the batch replayed after the crash wrote
    its dead letters again, each an exact copy that names the same source record."""
    messages = run.pipeline.messages(dead_letter_topic(run.pipeline.job))
    by_source: dict[tuple[str, str, str], set[tuple[bytes, bytes, str]]] = {}
    for m in messages:
        source = (_header(m, "topic"), _header(m, "partition"), _header(m, "offset"))
        by_source.setdefault(source, set()).add(
            (m.key(), m.value(), _header(m, "exception.message"))
        )
    assert all(len(copies) == 1 for copies in by_source.values())
    dead = [next(iter(copies)) for copies in by_source.values()]
    reasons = sorted(reason for _, _, reason in dead)
    assert len(dead) == run.bad_records == run.expected.counts.invalid_actions + 4
    assert sum("is not 1 (start), 2 (stop) or 3 (switch)" in r for r in reasons) == 2
    assert sum("missing required field(s): device_id" in r for r in reasons) == 1
    assert sum("not Confluent wire format" in r for r in reasons) == 1
    assert sum("tombstone" in r for r in reasons) == 1
    assert sum(r.startswith("value: shorter than") for r in reasons) == 1
    counted = sum(p["dead_letters"] for p in run.pipeline.progress())
    assert run.bad_records <= counted <= 2 * run.bad_records  # the replayed batch counts again
    topics = {topic for topic, _, _ in by_source}
    assert topics == {run.pipeline.topic(contract.ACTIONS), run.pipeline.topic(contract.TELEMETRY)}


def _with_invalid_actions(phases: list[Phase], phase: int) -> list[Phase]:
    """Actions with codes other than 1, 2, 3: the oracle counts them as invalid."""
    out = copy.deepcopy(phases)
    valid = out[phase][contract.ACTIONS][0]
    for i, code in enumerate(INVALID_CODES):
        out[phase][contract.ACTIONS].insert(5 + i, {**valid, "action": code})
    return out


def _register_action_without_device(pipeline: TvPipeline) -> dict[str, Any]:
    """An earlier version of the action schema without ``device_id``: records written with
    it lack a field the current version requires (no default)."""
    old = schema(contract.ACTIONS)
    old["fields"] = [f for f in old["fields"] if f["name"] != "device_id"]
    subject = pipeline.topic(contract.ACTIONS) + "-value"
    pipeline.registry.set_compatibility(subject_name=subject, level="NONE")
    pipeline.registry.register_schema(subject, Schema(json.dumps(old), "AVRO"))
    return old


def _produce_bad_records(pipeline: TvPipeline, old_action: dict[str, Any], phase: Phase) -> int:
    topic = pipeline.topic(contract.ACTIONS)
    sample = {k: v for k, v in phase[contract.ACTIONS][0].items() if k != "device_id"}
    old_bytes = pipeline._serializer("old-action", old_action)(
        sample, SerializationContext(topic, MessageField.VALUE)
    )
    user_key, _ = pipeline.encode(contract.USERS_CDC, phase[contract.USERS_CDC][0])
    pipeline.produce_raw(
        contract.ACTIONS, [(b"1", b"\x07not avro at all"), (b"1", b"\x00\x00"), (b"1", old_bytes)]
    )
    pipeline.produce_raw(contract.TELEMETRY, [(b"dev-x", None)])
    pipeline.produce_raw(contract.USERS_CDC, [(user_key, None)])  # skipped, as the contract says
    return 4


def _crash_before_commit(checkpoint: Path) -> None:
    """What a crash after the data batch's outputs were written but before Spark committed
    it leaves: its offsets logged, no commit, no later batch (the next run replays it)."""
    commits = sorted((checkpoint / "commits").glob("[0-9]*"), key=lambda p: int(p.name))
    last = int(commits[-1].name)
    for path in (
        checkpoint / "commits" / str(last),
        checkpoint / "offsets" / str(last),
        checkpoint / "commits" / str(last - 1),
    ):
        path.unlink()
        path.with_name(f".{path.name}.crc").unlink(missing_ok=True)


def _key(name: str, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[k] for k in ROW_KEYS[name])


def _header(message: Any, name: str) -> str:
    headers = dict(message.headers() or [])
    return bytes(headers[HEADER_PREFIX + name]).decode()
