"""Running a job in this process: build its queries, drive them per run mode, stop cleanly.

Graceful stop (SIGTERM, SIGINT, ``pipeway jobs stop``) waits for each query's running
micro-batch to finish before stopping it, so the checkpoint and the output topics agree and
a restart neither loses nor repeats a batch. After a crash (SIGKILL, power loss) Spark replays
the batch the checkpoint did not commit; outputs are keyed, so a replayed record replaces its
earlier copy for every reader that keeps the latest value per key (the search sink, compacted
topics) and nothing is double counted.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from pydantic import BaseModel, ConfigDict, Field
from pyspark.errors import StreamingQueryException
from pyspark.sql.streaming import StreamingQuery

from pipeway.jobs.exceptions import JobsError
from pipeway.jobs.registry import registry_client
from pipeway.jobs.runner import state
from pipeway.jobs.runner.context import JobContext
from pipeway.jobs.runner.modes import RunMode, parse_interval
from pipeway.jobs.runner.progress import PROGRESS_TOPIC, ProgressPublisher
from pipeway.jobs.runner.spec import JobSpec
from pipeway.jobs.session import get_spark
from pipeway.jobs.settings import KafkaSettings, SparkSettings
from pipeway.platform.paths import data_dir as default_data_dir

log = logging.getLogger(__name__)


class JobFailedError(JobsError):
    """A query of the job stopped with an error; the message carries Spark's."""


class JobRunSettings(BaseModel):
    """Where a job runs and how long."""

    model_config = ConfigDict(extra="forbid")

    kafka: KafkaSettings
    spark: SparkSettings = Field(default_factory=SparkSettings)
    mode: RunMode = RunMode.CONTINUOUS
    trigger_interval: str = Field("1 second", description="Processing-time trigger (continuous)")
    data_dir: Path | None = None
    progress_topic: str | None = Field(PROGRESS_TOPIC, description="None: do not publish")
    stop_timeout_s: float = Field(60.0, gt=0, description="Wait for a running batch on stop")
    max_passes: int = Field(1000, ge=1, description="until-idle: give up after this many passes")
    options: dict[str, str] = Field(
        default_factory=dict,
        description="the job's own settings (``--option key=value``), as ``ctx.options``",
    )


@dataclass
class RunResult:
    """What a run did: passes (availableNow runs), input rows, and why it ended."""

    job: str
    status: str
    passes: int = 0
    input_rows: int = 0
    """Rows read by all queries (a topic read by two queries counts twice)."""
    queries: list[str] = field(default_factory=list)
    query_rows: dict[str, int] = field(default_factory=dict)
    """Rows read per query name, over all passes."""


class _StopFlag:
    """Set by SIGTERM/SIGINT (or another thread) to ask for a graceful stop."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        log.info("signal %s: stopping the job after the running micro-batch", signum)
        self.event.set()

    @property
    def is_set(self) -> bool:
        return self.event.is_set()


@contextmanager
def _signals(flag: _StopFlag) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, flag) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class JobRunner:
    """Runs one job; ``stop()`` may be called from another thread."""

    def __init__(self, spec: JobSpec, settings: JobRunSettings) -> None:
        self.spec = spec
        self.settings = settings
        self._stop = _StopFlag()
        parse_interval(settings.trigger_interval)  # fail early on a bad interval

    def stop(self) -> None:
        self._stop.event.set()

    def run(self) -> RunResult:
        """Run until the mode says done or a stop is requested.

        Raises:
            JobAlreadyRunning: another process runs this job.
            JobFailedError: a query failed (the job record says so too).
        """
        settings = self.settings
        record = state.claim(
            self.spec.name, self.spec.source, self.spec.kind, settings.mode.value, settings.data_dir
        )
        result = RunResult(self.spec.name, "running")
        spark = get_spark(settings.spark)
        publisher = self._publisher()
        if publisher is not None:
            spark.streams.addListener(publisher)
        self._last_batches: dict[str, int] = {}
        try:
            with _signals(self._stop):
                self._drive(result, record)
            result.status = "stopped" if self._stop.is_set else "finished"
        except BaseException as exc:
            result.status = "failed"
            record.error = str(exc)[:2000]
            raise
        finally:
            if publisher is not None:
                if not publisher.wait_until_seen(self._last_batches):
                    log.warning("job %s: progress of the last batches not published", record.name)
                spark.streams.removeListener(publisher)
                publisher.close()
            record.status = result.status  # type: ignore[assignment]
            record.queries = result.queries
            state.write_record(record, settings.data_dir)
        return result

    def _publisher(self) -> ProgressPublisher | None:
        settings = self.settings
        if not settings.progress_topic:
            return None
        registry = registry_client(settings.kafka)
        publisher = ProgressPublisher(
            self.spec.name, settings.kafka.bootstrap_servers, registry, settings.progress_topic
        )
        publisher.ensure_topic()
        return publisher

    def _context(self) -> JobContext:
        settings = self.settings
        return JobContext(
            name=self.spec.name,
            spark=get_spark(settings.spark),
            kafka=settings.kafka,
            job_dir=state.job_dir(self.spec.name, settings.data_dir),
            mode=settings.mode,
            interval=parse_interval(settings.trigger_interval),
            options=dict(settings.options),
        )

    def _drive(self, result: RunResult, record: state.JobRecord) -> None:
        mode = self.settings.mode
        while not self._stop.is_set:
            ctx = self._context()
            self._build(ctx)
            result.queries = [q.name for q in ctx.queries]
            record.queries = result.queries
            state.write_record(record, self.settings.data_dir)
            self._await(ctx.queries)
            result.passes += 1
            rows = 0
            for query in ctx.queries:
                last = query.lastProgress
                if last is not None:
                    self._last_batches[str(query.id)] = int(last["batchId"])
                read = _input_rows(query)
                result.query_rows[query.name] = result.query_rows.get(query.name, 0) + read
                rows += read
            result.input_rows += rows
            if mode is not RunMode.UNTIL_IDLE or rows == 0:
                return
            if result.passes >= self.settings.max_passes:
                raise JobsError(
                    f"job {self.spec.name} still had input after {result.passes} passes"
                )

    def _build(self, ctx: JobContext) -> None:
        try:
            self.spec.build(ctx)
        except BaseException:
            self._stop_all(ctx.queries)
            raise
        if not ctx.queries:
            raise JobsError(f"job {self.spec.name} started no query: build(ctx) must start some")

    def _await(self, queries: list[StreamingQuery]) -> None:
        """Wait until every query ended (availableNow) or a stop is requested; fail fast."""
        try:
            while not self._stop.is_set:
                active = [q for q in queries if q.isActive]
                _raise_failures(self.spec.name, queries)
                if not active:
                    return
                with contextlib.suppress(StreamingQueryException):
                    active[0].awaitTermination(1)  # raises when it failed: reported below
        finally:
            self._stop_all(queries)
        _raise_failures(self.spec.name, queries)

    def _stop_all(self, queries: list[StreamingQuery]) -> None:
        """Stop each active query between micro-batches (waits for a running one)."""
        deadline = time.monotonic() + self.settings.stop_timeout_s
        for query in queries:
            while query.isActive and query.status.get("isTriggerActive"):
                if time.monotonic() > deadline:
                    log.warning("query %s: batch still running at stop timeout", query.name)
                    break
                time.sleep(0.05)
            if query.isActive:
                query.stop()


def _input_rows(query: StreamingQuery) -> int:
    return sum(int(p.get("numInputRows", 0)) for p in query.recentProgress)


def _raise_failures(job: str, queries: list[StreamingQuery]) -> None:
    for query in queries:
        if not query.isActive:
            error = query.exception()
            if error is not None:
                raise JobFailedError(f"job {job}: query {query.name} failed: {_describe(error)}")


def run_job(spec: JobSpec, settings: JobRunSettings) -> RunResult:
    """Run ``spec`` in this process (see :class:`JobRunner`)."""
    default_data_dir(settings.data_dir).mkdir(parents=True, exist_ok=True)
    return JobRunner(spec, settings).run()


def _describe(error: Exception) -> str:
    """Spark's error text without the JVM stack trace (the first lines say what failed)."""
    lines = str(error).strip().splitlines()
    return "\n".join(lines[:6])
