"""Connector and task statuses, shared through ``status.storage.topic``.

The worker that runs a task (or owns a connector) writes its status; every worker tails the
topic, so any worker's REST API answers for the whole cluster. Keys are Kafka Connect's
(``status-connector-<name>``, ``status-task-<name>-<n>``) and all records of one key go to one
partition, so the latest write wins; a hand-over is ordered because the old owner writes its
final status before the group gives the task to the new owner.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from pydantic import ValidationError

from pipeway.connect.worker import records as r
from pipeway.connect.worker.topic_log import RecordLog

log = logging.getLogger(__name__)

STATUS_PARTITIONS = 5


class StatusState:
    """The latest status per key; thread safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connectors: dict[str, r.StatusValue] = {}
        self._tasks: dict[tuple[str, int], r.StatusValue] = {}

    def apply(self, key: str, value: dict[str, Any] | None) -> None:
        parsed = r.parse_key(key)
        if parsed is None or parsed.kind not in (r.STATUS_CONNECTOR, r.STATUS_TASK):
            return
        try:
            status = None if value is None else r.StatusValue.model_validate(value)
        except ValidationError as exc:
            log.warning("skipping malformed status record key=%s error=%s", key, exc)
            return
        with self._lock:
            if parsed.kind == r.STATUS_CONNECTOR:
                _put(self._connectors, parsed.connector, status)
            elif parsed.task is not None:
                _put(self._tasks, (parsed.connector, parsed.task), status)

    def connector(self, name: str) -> r.StatusValue | None:
        with self._lock:
            return self._connectors.get(name)

    def task(self, name: str, task: int) -> r.StatusValue | None:
        with self._lock:
            return self._tasks.get((name, task))


def _put(table: dict[Any, r.StatusValue], key: Any, status: r.StatusValue | None) -> None:
    if status is None:
        table.pop(key, None)
    else:
        table[key] = status


class StatusStore:
    """Reads statuses from the state and writes them through the log."""

    def __init__(self, state: StatusState, log: RecordLog) -> None:
        self.state = state
        self._log = log

    def put_connector(self, name: str, status: r.StatusValue | None) -> None:
        self._log.send([(r.status_connector_key(name), _dump(status))])

    def put_task(self, name: str, task: int, status: r.StatusValue | None) -> None:
        self._log.send([(r.status_task_key(name, task), _dump(status))])


def _dump(status: r.StatusValue | None) -> dict[str, Any] | None:
    if status is None:
        return None
    return status.model_dump(by_alias=True)
