from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeway.jobs.runner import state
from pipeway.platform.process import proc_start_ticks


def test_claim_records_this_process(tmp_path: Path) -> None:
    record = state.claim("j1", "j1.py", "python", "once", tmp_path)
    assert record.pid == os.getpid() and record.is_alive()
    again = state.read_record("j1", tmp_path)
    assert again is not None and again.status == "running"
    assert [r.name for r in state.list_records(tmp_path)] == ["j1"]


def test_a_live_runner_blocks_a_second_claim(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        record = state.claim("j2", "j2.py", "python", "continuous", tmp_path)
        record.pid = child.pid
        record.pid_start_ticks = proc_start_ticks(child.pid)
        state.write_record(record, tmp_path)
        with pytest.raises(state.JobAlreadyRunning, match="already runs"):
            state.claim("j2", "j2.py", "python", "once", tmp_path)
    finally:
        child.kill()
        child.wait()


def test_a_dead_runner_shows_as_crashed_and_can_be_replaced(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    record = state.claim("j3", "j3.py", "python", "continuous", tmp_path)
    record.pid, record.pid_start_ticks = child.pid, 1
    state.write_record(record, tmp_path)
    assert state.list_records(tmp_path)[0].effective_status == "crashed"
    assert state.claim("j3", "j3.py", "python", "once", tmp_path).pid == os.getpid()


def test_stop_of_a_job_not_running(tmp_path: Path) -> None:
    with pytest.raises(state.JobNotRunning, match="not running"):
        state.request_stop("nothing", tmp_path)


def test_stop_sends_sigterm_and_waits(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    record = state.claim("j4", "j4.py", "python", "continuous", tmp_path)
    record.pid, record.pid_start_ticks = child.pid, proc_start_ticks(child.pid)
    state.write_record(record, tmp_path)
    try:
        import threading

        threading.Thread(target=child.wait, daemon=True).start()  # reap, so it leaves /proc
        state.request_stop("j4", tmp_path, timeout=10)
        assert child.wait(5) == -15
    finally:
        child.kill()
