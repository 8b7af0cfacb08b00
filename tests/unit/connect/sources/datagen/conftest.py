"""Fakes for datagen task tests: a clock whose sleep advances it, and a task context."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from pipeway.connect.sources.datagen import DatagenSettings, DatagenTask


@dataclass
class FakeClock:
    """Monotonic time that only moves when the code under test sleeps (or a test advances it)."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class FakeContext:
    """A source task context whose committed offsets a test sets directly."""

    offsets: dict[tuple[tuple[str, Any], ...], Mapping[str, Any]] = field(default_factory=dict)
    connector_name: str = "datagen-test"
    task_id: int = 0

    def offset(self, partition: Mapping[str, Any]) -> Mapping[str, Any] | None:
        return self.offsets.get(tuple(sorted(partition.items())))

    def commit(self, partition: Mapping[str, Any], offset: Mapping[str, Any]) -> None:
        self.offsets[tuple(sorted(partition.items()))] = offset


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_task(
    config: dict[str, Any],
    clock: FakeClock,
    *,
    task_id: int = 0,
    context: FakeContext | None = None,
) -> DatagenTask:
    """A started task for ``config`` (``kafka.topic`` defaults to ``t``) on the fake clock."""
    settings = DatagenSettings.model_validate({"kafka.topic": "t", **config})
    task = DatagenTask(
        settings,
        {"task.id": task_id},
        context or FakeContext(task_id=task_id),
        clock=clock,
        wall_clock=lambda: 1_700_000_000.0,
        sleep=clock.sleep,
    )
    task.start()
    return task
