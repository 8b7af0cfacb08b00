"""Connector configurations in ``config.storage.topic`` (one compacted partition).

The stored config keeps secrets in clear, because tasks need them to run; everything that
leaves the worker (REST answers, CLI output, logs) goes through :mod:`.masking` first. The
topic has one partition so that all workers apply the records in one order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeway.connect.worker import records as r
from pipeway.connect.worker.config_state import ConfigSnapshot, ConfigState
from pipeway.connect.worker.topic_log import Entry, RecordLog

CONFIG_PARTITIONS = 1


class ConfigStore:
    """Writes config records through the log and answers from the applied state."""

    def __init__(self, state: ConfigState, log: RecordLog) -> None:
        self.state = state
        self._log = log

    def snapshot(self) -> ConfigSnapshot:
        return self.state.snapshot()

    def put_connector(
        self, name: str, config: Mapping[str, Any], target: r.TargetState | None = None
    ) -> None:
        """Write a connector's config (and, for a new connector, its target state first)."""
        records: list[Entry] = []
        if target is not None:
            records.append((r.target_state_key(name), _target(target)))
        records.append((r.connector_key(name), {"properties": dict(config)}))
        self._log.send(records)

    def put_target_state(self, name: str, target: r.TargetState) -> None:
        self._log.send([(r.target_state_key(name), _target(target))])

    def put_task_configs(self, name: str, configs: list[dict[str, Any]]) -> None:
        """Write every task config, then the commit record that makes the set visible."""
        records: list[Entry] = [
            (r.task_key(name, n), {"properties": props}) for n, props in enumerate(configs)
        ]
        records.append((r.commit_key(name), {"tasks": len(configs)}))
        self._log.send(records)

    def delete_connector(self, name: str, task_count: int) -> None:
        """Tombstone the connector (which removes it at once) and its other keys."""
        keys = [r.connector_key(name), r.target_state_key(name), r.commit_key(name)]
        keys += [r.task_key(name, n) for n in range(task_count)]
        self._log.send([(key, None) for key in keys])

    def request_restart(self, name: str, include_tasks: bool, only_failed: bool) -> None:
        value = {"include-tasks": include_tasks, "only-failed": only_failed}
        self._log.send([(r.restart_connector_key(name), value)])

    def request_task_restart(self, name: str, task: int) -> None:
        self._log.send([(r.restart_task_key(name, task), {})])


def _target(target: r.TargetState) -> dict[str, Any]:
    # Connect 3.5+ readers take state.v2; older ones see PAUSED instead of STOPPED
    legacy = "PAUSED" if target == "STOPPED" else target
    return {"state": legacy, "state.v2": target}
