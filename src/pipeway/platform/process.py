"""A component's OS process: started detached, tracked by a pid file, stopped cleanly.

The pid file lets ``pipeway platform status``/``down`` find processes started by an earlier
command. It stores the pid and the process start time read from ``/proc``, so a pid recycled
by an unrelated process is never mistaken for the component.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProcessInfo:
    """What the pid file records about a running component."""

    pid: int
    started_at: float
    proc_start_ticks: int


def proc_start_ticks(pid: int) -> int | None:
    """Start time of ``pid`` in clock ticks since boot, or None when it does not exist."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[19]) if fields[0] != "Z" else None


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Runs in the child before exec: ask Linux to SIGTERM it when its parent dies.

    Used for test services, so a test run that is killed leaves no broker behind.
    """
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class ManagedProcess:
    """One supervised child process with its pid file and log file.

    ``die_with_parent`` ties the child's life to the process that started it (tests);
    otherwise children outlive the CLI command that started them (``platform up``).
    """

    def __init__(
        self, name: str, run_dir: Path, log_dir: Path, die_with_parent: bool = False
    ) -> None:
        self.name = name
        self.die_with_parent = die_with_parent
        self.pid_file = run_dir / f"{name}.pid"
        self.log_file = log_dir / f"{name}.log"
        self._popen: subprocess.Popen[bytes] | None = None

    def start(
        self, cmd: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> ProcessInfo:
        """Start ``cmd`` in its own session, appending its output to the log file."""
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} start {self.name}\n".encode())
            log.flush()
            self._popen = subprocess.Popen(
                list(cmd),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **(env or {})},
                cwd=cwd,
                start_new_session=True,
                preexec_fn=_die_with_parent if self.die_with_parent else None,
            )
        info = ProcessInfo(self._popen.pid, time.time(), proc_start_ticks(self._popen.pid) or 0)
        self.pid_file.write_text(json.dumps(info.__dict__))
        return info

    def info(self) -> ProcessInfo | None:
        """The recorded process if it is still alive, else None (stale pid files are removed)."""
        try:
            info = ProcessInfo(**json.loads(self.pid_file.read_text()))
        except (OSError, ValueError, TypeError):
            return None
        self._reap()
        ticks = proc_start_ticks(info.pid)
        if ticks is None or (info.proc_start_ticks and ticks != info.proc_start_ticks):
            self.pid_file.unlink(missing_ok=True)
            return None
        return info

    def is_running(self) -> bool:
        return self.info() is not None

    def exit_code(self) -> int | None:
        """Exit code when this object started the process and it has exited."""
        return self._popen.poll() if self._popen else None

    def stop(self, timeout: float = 20.0) -> bool:
        """SIGTERM the process group, SIGKILL after ``timeout``. True when something was stopped."""
        info = self.info()
        if info is None:
            return False
        self._signal(info.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._alive(info.pid):
            self._reap()
            time.sleep(0.1)
        if self._alive(info.pid):
            self._signal(info.pid, signal.SIGKILL)
            while self._alive(info.pid):
                self._reap()
                time.sleep(0.05)
        self.pid_file.unlink(missing_ok=True)
        return True

    def kill(self) -> None:
        """SIGKILL at once (crash tests)."""
        info = self.info()
        if info is not None:
            self._signal(info.pid, signal.SIGKILL)

    def log_tail(self, lines: int = 20) -> str:
        """The last ``lines`` lines of the log, for error messages."""
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.rstrip().splitlines()[-lines:])

    def _reap(self) -> None:
        if self._popen is not None:
            self._popen.poll()

    @staticmethod
    def _alive(pid: int) -> bool:
        return proc_start_ticks(pid) is not None

    @staticmethod
    def _signal(pid: int, sig: signal.Signals) -> None:
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            os.kill(pid, sig)
