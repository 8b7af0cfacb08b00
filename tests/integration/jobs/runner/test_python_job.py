"""Python jobs through the runner: until-idle passes, dead letters, graceful stop, failures."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from pipeway.jobs.dead_letters import dead_letter_topic
from pipeway.jobs.runner import JobContext, JobSpec
from pipeway.jobs.runner.modes import RunMode
from pipeway.jobs.runner.progress import PROGRESS_TOPIC
from pipeway.jobs.runner.run import JobFailedError, JobRunner, JobRunSettings, run_job
from pipeway.jobs.runner.state import read_record
from pipeway.jobs.settings import KafkaSettings
from pipeway.testing.services import unique_name
from pipeway.testing.waiting import read_topic, wait_for
from tests.integration.jobs.helpers import produce
from tests.integration.jobs.runner.conftest import BASE_TS, produce_actions, read_avro_topic

pytestmark = pytest.mark.integration


def _actions(first: int, n: int) -> list[dict[str, object]]:
    return [
        {"user_id": i, "channel_id": i % 3, "ts": datetime.fromtimestamp(BASE_TS / 1000, UTC)}
        for i in range(first, first + n)
    ]


def _copy_job(name: str, source: str, output: str) -> JobSpec:
    def build(ctx: JobContext) -> None:
        actions = ctx.read(source)
        ctx.write(actions.select("user_id", "channel_id"), output, key="user_id", query="copy")

    return JobSpec(name, "python", "test", build)


def test_until_idle_runs_passes_until_no_input_and_routes_dead_letters(
    kafka: KafkaSettings, run_settings: Callable[..., JobRunSettings], unique_topic: str
) -> None:
    output, job = unique_name("out"), unique_name("copy")
    produce_actions(kafka, unique_topic, _actions(0, 5))
    produce(kafka.bootstrap_servers, unique_topic, [(b"k", b"\x07not avro"), (None, b"\x00")])

    result = run_job(_copy_job(job, unique_topic, output), run_settings(RunMode.UNTIL_IDLE))

    assert (result.status, result.passes) == ("finished", 2)  # the second pass saw nothing
    assert result.query_rows[f"{job}.copy"] == 7
    users = sorted(v["user_id"] for _, v in read_avro_topic(kafka, output, 5))
    assert users == [0, 1, 2, 3, 4]
    dead = read_topic(kafka.bootstrap_servers, dead_letter_topic(job), 2)
    assert sorted(m.value() for m in dead) == [b"\x00", b"\x07not avro"]
    reasons = [dict(m.headers() or [])["__connect.errors.exception.message"] for m in dead]
    assert all(reason for reason in reasons)
    record = read_record(job, run_settings().data_dir)
    assert record is not None and record.status == "finished"
    progress = [
        v for k, v in read_avro_topic(kafka, PROGRESS_TOPIC, None, avro_key=False) if k == job
    ]
    assert sum(p["dead_letters"] for p in progress) == 2  # counted in the progress metrics
    decode = f"pipeway.decode.{unique_topic}.dead_letters"
    assert sum(p["observed_metrics"].get(decode, 0) for p in progress) == 2


def test_continuous_job_stops_between_batches_and_resumes_without_loss_or_repeats(
    kafka: KafkaSettings, run_settings: Callable[..., JobRunSettings], unique_topic: str
) -> None:
    output, job = unique_name("out"), unique_name("cont")
    spec = _copy_job(job, unique_topic, output)
    produce_actions(kafka, unique_topic, _actions(0, 4))  # the subject exists before start
    runner = JobRunner(spec, run_settings(RunMode.CONTINUOUS, trigger_interval="300ms"))
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = runner.run()
        except BaseException as exc:  # surfaced by the assertion below
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    try:
        wait_for(lambda: len(read_topic(kafka.bootstrap_servers, output, 4, 2)) == 4, 90)
        produce_actions(kafka, unique_topic, _actions(4, 6))  # while the job runs
        wait_for(lambda: len(read_topic(kafka.bootstrap_servers, output, 10, 2)) == 10, 90)
    finally:
        runner.stop()
        thread.join(90)
    assert not thread.is_alive()
    assert "error" not in outcome, outcome.get("error")
    assert getattr(outcome["result"], "status", None) == "stopped"
    record = read_record(job, run_settings().data_dir)
    assert record is not None and record.status == "stopped"

    produce_actions(kafka, unique_topic, _actions(10, 5))
    again = run_job(spec, run_settings(RunMode.ONCE))
    assert again.query_rows[f"{job}.copy"] == 5  # only what came after the stop
    users = sorted(v["user_id"] for _, v in read_avro_topic(kafka, output, 15))
    assert users == list(range(15))  # nothing lost, nothing written twice


def test_a_failing_query_fails_the_job_with_sparks_reason(
    kafka: KafkaSettings, run_settings: Callable[..., JobRunSettings], unique_topic: str
) -> None:
    job = unique_name("fail")
    produce_actions(kafka, unique_topic, _actions(0, 3))

    def build(ctx: JobContext) -> None:
        boom = F.when(F.col("user_id") >= 0, F.raise_error(F.lit("boom-from-test")))
        frame = ctx.read(unique_topic, dead_letters=False).select(
            "user_id", boom.otherwise(F.lit("x")).alias("text")
        )
        ctx.write(frame, unique_name("never"), query="explode")

    with pytest.raises(JobFailedError, match=r"query .*explode failed: .*boom-from-test"):
        run_job(JobSpec(job, "python", "test", build), run_settings(RunMode.ONCE))
    record = read_record(job, run_settings().data_dir)
    assert record is not None and record.status == "failed"
    assert record.error is not None and "boom-from-test" in record.error


def test_a_job_starting_no_query_is_an_error(
    kafka: KafkaSettings, run_settings: Callable[..., JobRunSettings], tmp_path: Path
) -> None:
    from pipeway.jobs.exceptions import JobsError

    spec = JobSpec(unique_name("empty"), "python", "test", lambda ctx: None)
    with pytest.raises(JobsError, match="started no query"):
        run_job(spec, run_settings(RunMode.ONCE))
