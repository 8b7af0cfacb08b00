"""A worker without Kafka: in-memory logs, fake runners, a herder owning chosen partitions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeway.connect.runtime.contract import TaskId, TaskState, TaskStatus
from pipeway.connect.worker.config_state import ConfigState
from pipeway.connect.worker.config_store import ConfigStore
from pipeway.connect.worker.herder import Herder
from pipeway.connect.worker.service import ConnectService
from pipeway.connect.worker.status_store import StatusState, StatusStore
from pipeway.connect.worker.topic_log import MemoryRecordLog
from pipeway.connect.worker.validation import ValidatedConfig

ALL_PARTITIONS = set(range(16))


class FakeRunner:
    """A legitimate double of the TaskRunner protocol that records what it was asked."""

    def __init__(self, task_id: TaskId, config: ValidatedConfig, task_config: Mapping[str, Any]):
        self.task_id = task_id
        self.config = config
        self.task_config = dict(task_config)
        self.state: TaskState = "UNASSIGNED"
        self.trace: str | None = None
        self.calls: list[str] = []

    def start(self) -> None:
        self.calls.append("start")
        self.state = "RUNNING"

    def stop(self, timeout_s: float = 30.0) -> None:
        self.calls.append("stop")
        self.state = "UNASSIGNED"

    def pause(self) -> None:
        self.calls.append("pause")
        self.state = "PAUSED"

    def resume(self) -> None:
        self.calls.append("resume")
        self.state = "RUNNING"

    def fail(self, trace: str) -> None:
        self.state, self.trace = "FAILED", trace

    def status(self) -> TaskStatus:
        return TaskStatus(self.state, self.trace)

    def metrics(self) -> Mapping[str, Any]:
        return {"records_written_total": 7, "records_per_s": 1.5, "last_error": None}


@dataclass
class FakeFactory:
    created: list[FakeRunner] = field(default_factory=list)
    fail_for: set[TaskId] = field(default_factory=set)

    def __call__(
        self, task_id: TaskId, config: ValidatedConfig, task_config: Mapping[str, Any]
    ) -> FakeRunner:
        if task_id in self.fail_for:
            raise RuntimeError(f"no runner for {task_id}")
        runner = FakeRunner(task_id, config, task_config)
        self.created.append(runner)
        return runner

    def live(self) -> dict[TaskId, FakeRunner]:
        return {r.task_id: r for r in self.created if "stop" not in r.calls}


@dataclass
class OffsetsStub:
    offsets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def offsets_of(self, connector: str) -> list[dict[str, Any]]:
        return self.offsets.get(connector, [])


class Cluster:
    """Shared config/status views plus any number of herders (one per fake worker)."""

    def __init__(self) -> None:
        self.config_state = ConfigState()
        self.status_state = StatusState()
        self.config_log = MemoryRecordLog(self.config_state.apply)
        self.status_log = MemoryRecordLog(self.status_state.apply)
        self.configs = ConfigStore(self.config_state, self.config_log)
        self.statuses = StatusStore(self.status_state, self.status_log)

    def herder(self, worker_id: str = "w1:8083", factory: FakeFactory | None = None) -> Herder:
        return Herder(self.configs, self.statuses, factory or FakeFactory(), worker_id, 1.0)

    def service(self, herder: Herder, offsets: OffsetsStub | None = None) -> ConnectService:
        return ConnectService(self.configs, self.status_state, herder, offsets, "cluster-1")
