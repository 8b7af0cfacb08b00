import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

from pipeway.platform.process import ManagedProcess


def _sleeper(tmp_path: Path) -> ManagedProcess:
    return ManagedProcess("sleeper", tmp_path / "run", tmp_path / "logs")


def test_start_records_pid_and_logs_output(tmp_path: Path) -> None:
    proc = _sleeper(tmp_path)
    info = proc.start(
        [sys.executable, "-c", "print('hello', flush=True); import time; time.sleep(30)"]
    )
    try:
        assert proc.info() == info
        deadline = time.monotonic() + 5
        while "hello" not in proc.log_tail() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "hello" in proc.log_tail()
    finally:
        assert proc.stop(timeout=5)
    assert proc.info() is None
    assert not proc.pid_file.exists()


def test_stop_escalates_to_sigkill_when_term_is_ignored(tmp_path: Path) -> None:
    proc = _sleeper(tmp_path)
    code = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(60)"
    )
    proc.start([sys.executable, "-c", code])
    deadline = time.monotonic() + 5
    while "ready" not in proc.log_tail() and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    assert proc.stop(timeout=0.5)
    assert time.monotonic() - started < 5
    assert not proc.is_running()


def test_stale_pid_file_is_not_mistaken_for_a_running_process(tmp_path: Path) -> None:
    proc = _sleeper(tmp_path)
    proc.start([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 5
    while proc.is_running() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.info() is None
    assert proc.stop() is False


def test_recycled_pid_with_other_start_time_is_stale(tmp_path: Path) -> None:
    proc = _sleeper(tmp_path)
    proc.pid_file.parent.mkdir(parents=True)
    # pid 1 exists but started long before this record's start ticks
    proc.pid_file.write_text('{"pid": 1, "started_at": 0, "proc_start_ticks": 999999999}')
    assert proc.info() is None


def test_child_dies_with_its_parent_when_asked(tmp_path: Path) -> None:
    """A test run that is killed must not leave services behind."""
    pid_file = tmp_path / "grandchild.pid"
    parent_code = (
        "import sys, time; from pathlib import Path; "
        "from pipeway.platform.process import ManagedProcess; "
        f"p = ManagedProcess('orphan', Path({str(tmp_path)!r}), Path({str(tmp_path)!r}), "
        "die_with_parent=True); "
        "info = p.start([sys.executable, '-c', 'import time; time.sleep(60)']); "
        f"Path({str(pid_file)!r}).write_text(str(info.pid)); time.sleep(60)"
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code])
    deadline = time.monotonic() + 10
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    child = int(pid_file.read_text())
    assert Path(f"/proc/{child}").exists()
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 5
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(child, os.WNOHANG)
        time.sleep(0.05)
    stat = Path(f"/proc/{child}/stat")
    assert not stat.exists() or stat.read_text().split(")")[1].split()[0] == "Z"
