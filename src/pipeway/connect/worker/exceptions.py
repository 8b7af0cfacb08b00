"""Errors of the connect worker; the REST layer maps each to Kafka Connect's status code."""

from __future__ import annotations

from pipeway.connect.exceptions import ConnectError
from pipeway.errors import ConfigError, TransientError


class WorkerError(ConnectError):
    """Base class of the worker's own errors."""


class StoreUnavailable(WorkerError, TransientError):
    """Kafka did not take or return a config/status record in time."""

    def __init__(self, topic: str, reason: str) -> None:
        super().__init__(f"cannot use topic {topic!r}: {reason}")
        self.topic = topic
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.topic, self.reason))


class ConnectorNotFound(WorkerError):
    def __init__(self, name: str) -> None:
        super().__init__(f"Connector {name} not found")
        self.name = name

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return (type(self), (self.name,))


class TaskNotFound(WorkerError):
    def __init__(self, name: str, task: int) -> None:
        super().__init__(f"Task {name}-{task} not found")
        self.name = name
        self.task = task

    def __reduce__(self) -> tuple[type, tuple[str, int]]:
        return (type(self), (self.name, self.task))


class ConnectorExists(WorkerError):
    def __init__(self, name: str) -> None:
        super().__init__(f"Connector {name} already exists")
        self.name = name

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return (type(self), (self.name,))


class BadRequest(WorkerError):
    """A request that is well-formed JSON but makes no sense (e.g. names that disagree)."""


class NotRunningHere(WorkerError):
    """Local-only data (task metrics) asked of a worker that does not run the task."""

    def __init__(self, task: str, worker_id: str) -> None:
        where = f"worker {worker_id}" if worker_id else "no worker"
        super().__init__(f"Task {task} is not running on this worker (it runs on {where})")
        self.task = task
        self.worker_id = worker_id

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.task, self.worker_id))


class WorkerConfigError(ConfigError, WorkerError):
    """The worker's own settings (flags or worker.properties) are invalid."""
