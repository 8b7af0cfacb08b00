"""The tasks running in this worker, as the herder's thread and REST readers see them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pipeway.connect.runtime.contract import TaskId, TaskRunner, TaskStatus

log = logging.getLogger(__name__)


class FailedRunner:
    """Stands in for a task that could not be created, so its status carries the reason."""

    def __init__(self, task_id: TaskId, trace: str) -> None:
        self.task_id = task_id
        self._trace = trace

    def start(self) -> None:
        return None

    def stop(self, timeout_s: float = 30.0) -> None:
        return None

    def pause(self) -> None:
        return None

    def resume(self) -> None:
        return None

    def status(self) -> TaskStatus:
        return TaskStatus("FAILED", self._trace)

    def metrics(self) -> Mapping[str, Any]:
        return {}


@dataclass(slots=True)
class LocalTask:
    runner: TaskRunner
    fingerprint: bytes
    paused: bool = False
    reported: TaskStatus | None = None


class LocalTasks:
    """A lock-guarded map of the runners of this worker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tasks: dict[TaskId, LocalTask] = {}

    def add(self, task_id: TaskId, task: LocalTask) -> None:
        with self._lock:
            self._tasks[task_id] = task

    def pop(self, ids: Iterable[TaskId]) -> dict[TaskId, LocalTask]:
        with self._lock:
            return {t: self._tasks.pop(t) for t in list(ids) if t in self._tasks}

    def items(self) -> list[tuple[TaskId, LocalTask]]:
        with self._lock:
            return list(self._tasks.items())

    def get(self, task_id: TaskId) -> LocalTask | None:
        with self._lock:
            return self._tasks.get(task_id)

    def ids(self) -> set[TaskId]:
        with self._lock:
            return set(self._tasks)


def stop_all(runners: Iterable[TaskRunner], timeout_s: float) -> None:
    """Stop runners in parallel (each commits its offsets); a failing stop is logged."""
    threads = [
        threading.Thread(target=_stop, args=(runner, timeout_s), name=f"stop-{runner.task_id}")
        for runner in runners
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout_s + 5)


def _stop(runner: TaskRunner, timeout_s: float) -> None:
    try:
        runner.stop(timeout_s)
    except Exception:  # a runner's stop must not keep the others from stopping
        log.exception("stopping task=%s failed", runner.task_id)
