"""The lifecycle every task runner shares: one thread, states, pause/resume, stop, failure.

Subclasses implement ``_setup`` (connect, start the task), ``_loop_once`` (one poll/put
cycle), ``_on_stop`` (final commit) and ``_teardown`` (release everything, always runs). An
exception anywhere ends the thread with state FAILED and its trace, as Kafka Connect reports
it in ``GET /connectors/{name}/status``.
"""

from __future__ import annotations

import logging
import threading
import traceback
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from pipeway.connect.runtime.contract import TaskId, TaskState, TaskStatus
from pipeway.connect.runtime.metrics import TaskMetrics

logger = logging.getLogger(__name__)

PAUSED_WAIT_S = 0.1


class TaskThread(ABC):
    """Runs a task loop on a daemon thread; implements the TaskRunner protocol's lifecycle."""

    def __init__(self, task_id: TaskId) -> None:
        self.task_id = task_id
        self.task_metrics = TaskMetrics()
        self._state: TaskState = "UNASSIGNED"
        self._trace: str | None = None
        self._stopping = threading.Event()
        self._paused = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the task thread; returns at once."""
        if self._thread is not None:
            return
        self._state = "RUNNING"
        self._thread = threading.Thread(target=self._run, name=f"task-{self.task_id}", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Ask the loop to stop, commit what was delivered, and join the thread."""
        self._stopping.set()
        if self._thread is None:
            return
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            logger.warning(
                "task did not stop in time task=%s timeout_s=%s", self.task_id, timeout_s
            )
        elif self._state != "FAILED":
            self._state = "UNASSIGNED"

    def pause(self) -> None:
        self._paused.set()
        if self._state == "RUNNING":
            self._state = "PAUSED"

    def resume(self) -> None:
        self._paused.clear()
        if self._state == "PAUSED":
            self._state = "RUNNING"

    def status(self) -> TaskStatus:
        return TaskStatus(self._state, self._trace)

    def metrics(self) -> Mapping[str, Any]:
        return self.task_metrics.snapshot()

    def join(self, timeout_s: float | None = None) -> None:
        """Wait for the thread to end (tests, and the worker after a failure)."""
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _run(self) -> None:
        failed = False
        try:
            self._setup()
            while not self._stopping.is_set():
                self._loop_once(paused=self._paused.is_set())
            self._on_stop()
        except Exception as exc:
            failed = True
            self._fail(exc)
        finally:
            self._safe_teardown(failed)

    def _fail(self, exc: BaseException) -> None:
        self._trace = "".join(traceback.format_exception(exc))
        self._state = "FAILED"
        self.task_metrics.last_error = f"{type(exc).__name__}: {exc}"
        logger.error("task failed task=%s error=%s", self.task_id, exc, exc_info=exc)

    def _safe_teardown(self, failed: bool) -> None:
        try:
            self._teardown(failed)
        except Exception as exc:
            logger.warning("task teardown failed task=%s error=%s", self.task_id, exc)

    @abstractmethod
    def _setup(self) -> None:
        """Connect clients, create and start the task."""

    @abstractmethod
    def _loop_once(self, paused: bool) -> None:
        """One cycle of work (or of waiting, when paused)."""

    @abstractmethod
    def _on_stop(self) -> None:
        """The final commit of a graceful stop."""

    @abstractmethod
    def _teardown(self, failed: bool) -> None:
        """Stop the task and close clients; always runs."""
