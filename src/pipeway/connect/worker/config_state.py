"""The cluster's connector configurations as read from the config topic.

Every worker applies the same records in the same order (one partition), so every worker
holds the same view. Task configs written by a connector's owner only become visible when the
``commit-<name>`` record that follows them is read, as in Kafka Connect, so a reader never
sees half of a new task set.
"""

from __future__ import annotations

import copy
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from pipeway.connect.worker import records as r

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RestartRequest:
    """A restart asked for through the REST API; ``seq`` orders requests across the log."""

    seq: int
    connector: str
    task: int | None = None
    include_tasks: bool = False
    only_failed: bool = False


@dataclass(slots=True)
class ConnectorEntry:
    """One connector: its flat config, target state and committed task configs."""

    config: dict[str, Any]
    target: r.TargetState = "STARTED"
    tasks: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ConfigSnapshot:
    """An immutable copy of the state, for one reconciliation or one REST answer."""

    connectors: dict[str, ConnectorEntry]
    restarts: tuple[RestartRequest, ...]
    seq: int

    def get(self, name: str) -> ConnectorEntry | None:
        return self.connectors.get(name)


class ConfigState:
    """Applies config records; thread safe (the tailer writes, everyone else reads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._configs: dict[str, dict[str, Any]] = {}
        self._targets: dict[str, r.TargetState] = {}
        self._tasks: dict[str, list[dict[str, Any]]] = {}
        self._pending: dict[str, dict[int, dict[str, Any]]] = {}
        self._restarts: list[RestartRequest] = []
        self._seq = 0

    def apply(self, key: str, value: dict[str, Any] | None) -> None:
        """Apply one record; malformed records are logged and skipped."""
        parsed = r.parse_key(key)
        if parsed is None:
            return
        with self._lock:
            self._seq += 1
            try:
                self._apply(parsed, value)
            except (ValidationError, ValueError) as exc:
                log.warning("skipping malformed config record key=%s error=%s", key, exc)

    def _apply(self, key: r.ParsedKey, value: dict[str, Any] | None) -> None:
        name = key.connector
        if key.kind == r.CONNECTOR:
            if value is None:
                self._forget(name)
            else:
                self._configs[name] = r.PropertiesValue.model_validate(value).properties
        elif key.kind == r.TARGET_STATE and value is not None:
            self._targets[name] = r.TargetStateValue.model_validate(value).effective
        elif key.kind == r.TASK and key.task is not None and value is not None:
            props = r.PropertiesValue.model_validate(value).properties
            self._pending.setdefault(name, {})[key.task] = props
        elif key.kind == r.COMMIT and value is not None:
            self._commit(name, r.CommitValue.model_validate(value).tasks)
        elif key.kind in (r.RESTART_CONNECTOR, r.RESTART_TASK) and value is not None:
            self._restarts.append(self._restart(key, value))
            del self._restarts[:-100]  # only new requests matter; keep memory bounded

    def _commit(self, name: str, count: int) -> None:
        pending = self._pending.get(name, {})
        if any(n not in pending for n in range(count)):
            log.warning("commit without its task configs connector=%s tasks=%d", name, count)
            return
        self._tasks[name] = [pending[n] for n in range(count)]
        self._pending[name] = {}

    def _restart(self, key: r.ParsedKey, value: dict[str, Any]) -> RestartRequest:
        options = r.RestartValue.model_validate(value)
        return RestartRequest(
            self._seq, key.connector, key.task, options.include_tasks, options.only_failed
        )

    def _forget(self, name: str) -> None:
        self._configs.pop(name, None)
        self._targets.pop(name, None)
        self._tasks.pop(name, None)
        self._pending.pop(name, None)

    def snapshot(self) -> ConfigSnapshot:
        with self._lock:
            connectors = {
                name: ConnectorEntry(
                    copy.deepcopy(config),
                    self._targets.get(name, "STARTED"),
                    copy.deepcopy(self._tasks.get(name, [])),
                )
                for name, config in self._configs.items()
            }
            return ConfigSnapshot(connectors, tuple(self._restarts), self._seq)
