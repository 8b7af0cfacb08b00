"""Connectors the worker integration tests load by Python path: they record every poll.

The worker runs in this process, so a module-level journal shows which task polled when,
whatever worker runs it.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pydantic import Field

from pipeway.connect.api import ConnectorSettings, SourceConnector, SourceRecord, SourceTask


class RecordingSettings(ConnectorSettings):
    topic: str = Field(min_length=1)
    label: str = "a"
    poll_ms: int = Field(20, alias="poll.ms", ge=0)


_lock = threading.Lock()
_polls: dict[str, list[tuple[float, str]]] = defaultdict(list)


def polls(task: str) -> list[tuple[float, str]]:
    """(monotonic time, label) of every poll of ``task`` (``<connector>-<n>``)."""
    with _lock:
        return list(_polls[task])


def last_poll(task: str) -> float:
    found = polls(task)
    return found[-1][0] if found else 0.0


class RecordingTask(SourceTask):
    """Emits one record per poll (every ``poll.ms``) and notes the poll in the journal."""

    config: RecordingSettings

    def start(self) -> None:
        self.name = f"{self.context.connector_name}-{self.context.task_id}"
        last = self.context.offset({"task": self.name})
        self.n = int(last["n"]) if last else 0

    def poll(self) -> Sequence[SourceRecord]:
        with _lock:
            _polls[self.name].append((time.monotonic(), self.config.label))
        time.sleep(self.config.poll_ms / 1000)
        self.n += 1
        return [
            SourceRecord(
                topic=self.config.topic,
                key=self.name,
                value=self.n,
                source_partition={"task": self.name},
                source_offset={"n": self.n},
            )
        ]


class RecordingConnector(SourceConnector):
    settings_class = RecordingSettings
    task_class = RecordingTask

    def task_configs(self, max_tasks: int) -> list[dict[str, Any]]:
        return [{} for _ in range(max_tasks)]


RECORDING = f"{__name__}.RecordingConnector"
