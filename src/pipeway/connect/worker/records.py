"""Record keys and values of the config and status topics, in Kafka Connect's layout.

Keeping Connect's keys and JSON values (without a schema envelope) means the topics can be
read with Connect's own tooling and a reader of either system recognises every record:

- config topic: ``connector-<name>`` → ``{"properties": {...}}``, ``target-state-<name>`` →
  ``{"state": ...}``, ``task-<name>-<n>`` → ``{"properties": {...}}``, ``commit-<name>`` →
  ``{"tasks": N}``, ``restart-connector-<name>`` → ``{"include-tasks", "only-failed"}``;
  pipeway adds ``restart-task-<name>-<n>`` → ``{}`` for single-task restarts.
- status topic: ``status-connector-<name>`` and ``status-task-<name>-<n>`` →
  ``{"state", "trace", "worker_id", "generation"}``.

A ``None`` value is a tombstone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

TargetState = Literal["STARTED", "PAUSED", "STOPPED"]
ConnectorState = Literal["UNASSIGNED", "RUNNING", "PAUSED", "STOPPED", "FAILED", "RESTARTING"]

CONNECTOR = "connector-"
TARGET_STATE = "target-state-"
TASK = "task-"
COMMIT = "commit-"
RESTART_CONNECTOR = "restart-connector-"
RESTART_TASK = "restart-task-"
STATUS_CONNECTOR = "status-connector-"
STATUS_TASK = "status-task-"


class _Value(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class PropertiesValue(_Value):
    """Value of ``connector-<name>`` and ``task-<name>-<n>``."""

    properties: dict[str, Any]


class TargetStateValue(_Value):
    """Value of ``target-state-<name>``; Connect 3.5+ puts STOPPED in ``state.v2``."""

    state: TargetState = "STARTED"
    state_v2: TargetState | None = Field(None, alias="state.v2")

    @property
    def effective(self) -> TargetState:
        return self.state_v2 or self.state


class CommitValue(_Value):
    """Value of ``commit-<name>``: how many task configs make the committed set."""

    tasks: int = Field(ge=0)


class RestartValue(_Value):
    include_tasks: bool = Field(False, alias="include-tasks")
    only_failed: bool = Field(False, alias="only-failed")


class StatusValue(_Value):
    """Value of a status record (connector or task)."""

    state: ConnectorState
    trace: str | None = None
    worker_id: str = ""
    generation: int = 0


@dataclass(frozen=True, slots=True)
class ParsedKey:
    """A config or status key split into its prefix, connector name and task number."""

    kind: str
    connector: str
    task: int | None = None


_TASK_KINDS = (TASK, RESTART_TASK, STATUS_TASK)
_KINDS = (
    TARGET_STATE,
    RESTART_CONNECTOR,
    RESTART_TASK,
    STATUS_CONNECTOR,
    STATUS_TASK,
    CONNECTOR,
    TASK,
    COMMIT,
)


def parse_key(key: str) -> ParsedKey | None:
    """Split ``key``; None for keys pipeway does not know (e.g. Connect's ``session-key``)."""
    for kind in _KINDS:
        if not key.startswith(kind):
            continue
        rest = key[len(kind) :]
        if kind not in _TASK_KINDS:
            return ParsedKey(kind, rest)
        name, _, number = rest.rpartition("-")
        if name and number.isdigit():
            return ParsedKey(kind, name, int(number))
        return None
    return None


def connector_key(name: str) -> str:
    return f"{CONNECTOR}{name}"


def target_state_key(name: str) -> str:
    return f"{TARGET_STATE}{name}"


def task_key(name: str, task: int) -> str:
    return f"{TASK}{name}-{task}"


def commit_key(name: str) -> str:
    return f"{COMMIT}{name}"


def restart_connector_key(name: str) -> str:
    return f"{RESTART_CONNECTOR}{name}"


def restart_task_key(name: str, task: int) -> str:
    return f"{RESTART_TASK}{name}-{task}"


def status_connector_key(name: str) -> str:
    return f"{STATUS_CONNECTOR}{name}"


def status_task_key(name: str, task: int) -> str:
    return f"{STATUS_TASK}{name}-{task}"


def encode(value: BaseModel | dict[str, Any] | None) -> bytes | None:
    """JSON without a schema envelope (Connect's ``schemas.enable=false`` layout)."""
    if value is None:
        return None
    if isinstance(value, BaseModel):
        return orjson.dumps(value.model_dump(by_alias=True, exclude_none=True))
    return orjson.dumps(value)


def decode(data: bytes | None) -> dict[str, Any] | None:
    """The JSON object of a record value; None for tombstones.

    Raises:
        ValueError: the value is not a JSON object.
    """
    if data is None:
        return None
    value = orjson.loads(data)
    if not isinstance(value, dict):
        raise ValueError("record value is not a JSON object")
    return value
