"""The contract between the worker (herder, REST API) and the task runners.

The worker decides *which* tasks run here and asks :func:`pipeway.connect.runtime.runners.
create_runner` for a :class:`TaskRunner`; the runner owns *how* a task runs (its thread,
consumer/producer, conversion, transforms, offsets, dead letter queue and metrics).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

TaskState = Literal["UNASSIGNED", "RUNNING", "PAUSED", "FAILED"]


class WorkerSettings(BaseModel):
    """Settings of one connect worker (Kafka Connect's worker keys where they exist)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    bootstrap_servers: str = Field("127.0.0.1:9092", alias="bootstrap.servers")
    registry_url: str = Field("http://127.0.0.1:8081", alias="schema.registry.url")
    group_id: str = Field("pipeway-connect", alias="group.id")
    offset_storage_topic: str = Field("pipeway-connect-offsets", alias="offset.storage.topic")
    config_storage_topic: str = Field("pipeway-connect-configs", alias="config.storage.topic")
    status_storage_topic: str = Field("pipeway-connect-status", alias="status.storage.topic")
    offset_flush_interval_ms: int = Field(1000, alias="offset.flush.interval.ms", ge=10)
    rest_host: str = Field("127.0.0.1", alias="rest.host.name")
    rest_port: int = Field(8083, alias="rest.port", ge=0, le=65535)
    worker_id: str = Field("", alias="worker.id")


@dataclass(frozen=True, slots=True)
class TaskId:
    connector: str
    task: int

    def __str__(self) -> str:
        return f"{self.connector}-{self.task}"


@dataclass(frozen=True, slots=True)
class TaskStatus:
    """What ``GET /connectors/{name}/status`` reports for a task."""

    state: TaskState
    trace: str | None = None


class TaskRunner(Protocol):
    """One task running in this worker, on its own thread."""

    task_id: TaskId

    def start(self) -> None:
        """Start the task thread; returns at once (state becomes RUNNING or FAILED)."""
        ...

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop gracefully: commit what was delivered, call task.stop(), join the thread."""
        ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def status(self) -> TaskStatus: ...

    def metrics(self) -> Mapping[str, Any]:
        """Counters and rates, e.g. records_polled_total, records_written_total,
        records_per_s, batch_latency_ms_p50/p99, errors_total, dlq_total, offset_lag."""
        ...
