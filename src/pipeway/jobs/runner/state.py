"""A job's record on disk: ``<data dir>/jobs/<job>/job.json``.

``pipeway jobs list`` and ``pipeway jobs stop`` work from another process than the job's, so
the running job writes its pid (with the process start time, so a reused pid is not mistaken
for the job), status and query names here, and removes nothing: the last run's outcome stays
readable.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from pipeway.jobs.exceptions import JobsError
from pipeway.platform.paths import data_dir as default_data_dir
from pipeway.platform.process import proc_start_ticks

Status = Literal["running", "stopping", "stopped", "finished", "failed"]
STATE_FILE = "job.json"


class JobAlreadyRunning(JobsError):
    """Another process runs this job (one checkpoint cannot have two writers)."""


class JobNotRunning(JobsError):
    """``stop`` named a job that has no live process."""


class JobRecord(BaseModel):
    name: str
    source: str
    kind: str
    mode: str
    pid: int
    pid_start_ticks: int | None = None
    started_at: float
    updated_at: float
    status: Status
    queries: list[str] = []
    error: str | None = None

    def is_alive(self) -> bool:
        """True when the recorded process still runs (same pid and start time)."""
        ticks = proc_start_ticks(self.pid)
        return ticks is not None and ticks == self.pid_start_ticks

    @property
    def effective_status(self) -> str:
        """The status, corrected to ``crashed`` when it says running but the process is gone."""
        if self.status in ("running", "stopping") and not self.is_alive():
            return "crashed"
        return self.status


def jobs_dir(data_dir: Path | None = None) -> Path:
    return default_data_dir(data_dir) / "jobs"


def job_dir(name: str, data_dir: Path | None = None) -> Path:
    return jobs_dir(data_dir) / name


def read_record(name: str, data_dir: Path | None = None) -> JobRecord | None:
    path = job_dir(name, data_dir) / STATE_FILE
    if not path.is_file():
        return None
    return JobRecord.model_validate_json(path.read_text())


def list_records(data_dir: Path | None = None) -> list[JobRecord]:
    """Every job that has run under this data directory, by name."""
    root = jobs_dir(data_dir)
    if not root.is_dir():
        return []
    records = [read_record(p.name, data_dir) for p in sorted(root.iterdir()) if p.is_dir()]
    return [r for r in records if r is not None]


def write_record(record: JobRecord, data_dir: Path | None = None) -> None:
    """Replace the job's record atomically (readers never see half a file)."""
    folder = job_dir(record.name, data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    record.updated_at = time.time()
    tmp = folder / f".{STATE_FILE}.{os.getpid()}"
    tmp.write_text(json.dumps(record.model_dump(mode="json"), indent=2))
    tmp.replace(folder / STATE_FILE)


def claim(name: str, source: str, kind: str, mode: str, data_dir: Path | None = None) -> JobRecord:
    """Record this process as the job's runner.

    Raises:
        JobAlreadyRunning: a live process already runs the job.
    """
    previous = read_record(name, data_dir)
    if previous is not None and previous.is_alive() and previous.pid != os.getpid():
        raise JobAlreadyRunning(
            f"job {name} already runs (pid {previous.pid}); stop it with `pipeway jobs stop {name}`"
        )
    now = time.time()
    record = JobRecord(
        name=name,
        source=source,
        kind=kind,
        mode=mode,
        pid=os.getpid(),
        pid_start_ticks=proc_start_ticks(os.getpid()),
        started_at=now,
        updated_at=now,
        status="running",
    )
    write_record(record, data_dir)
    return record


def request_stop(name: str, data_dir: Path | None = None, timeout: float = 60.0) -> JobRecord:
    """Ask the job's process to stop (SIGTERM) and wait until it has.

    The job stops its queries between micro-batches, so its checkpoints and outputs agree.

    Raises:
        JobNotRunning: no live process runs ``name``.
        JobsError: it did not stop within ``timeout`` seconds.
    """
    record = read_record(name, data_dir)
    if record is None or not record.is_alive():
        raise JobNotRunning(f"job {name} is not running")
    os.kill(record.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while record.is_alive():
        if time.monotonic() > deadline:
            raise JobsError(f"job {name} (pid {record.pid}) did not stop within {timeout:.0f} s")
        time.sleep(0.2)
    return read_record(name, data_dir) or record
