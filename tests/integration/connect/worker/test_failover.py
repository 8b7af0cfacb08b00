"""A worker that dies (kill -9) loses its tasks to the survivor after the session timeout."""

from __future__ import annotations

import signal
import time

import httpx
import pytest

from pipeway.connect.worker.assignment import SESSION_TIMEOUT_MS, task_partition
from tests.integration.connect.worker.conftest import (
    SpawnWorker,
    datagen_config,
    task_states,
    wait_for,
)

pytestmark = pytest.mark.integration


def _owned(url: str) -> set[int]:
    return set(httpx.get(f"{url}/", timeout=5).json()["assigned_partitions"])


def test_survivor_takes_over_after_a_crash(spawn_worker: SpawnWorker, unique_topic: str) -> None:
    first, second = spawn_worker(), spawn_worker()
    a, b = first.url, second.url
    wait_for(lambda: _owned(a) and _owned(b) and len(_owned(a) | _owned(b)) == 16)
    owned_a = _owned(a)
    name = next(
        f"crash-{i}"
        for i in range(1000)
        if {task_partition(f"crash-{i}", n) for n in range(4)} & owned_a
        and {task_partition(f"crash-{i}", n) for n in range(4)} - owned_a
    )
    put = httpx.put(
        f"{b}/connectors/{name}/config", json=datagen_config(unique_topic, 4), timeout=30
    )
    assert put.status_code == 201, put.text
    wait_for(
        lambda: len({w for s, w in task_states(b, name) if s == "RUNNING"}) == 2,
        what="tasks running on both workers",
    )
    worker_b = httpx.get(f"{b}/", timeout=5).json()["worker_id"]

    first.process.send_signal(signal.SIGKILL)
    started = time.monotonic()
    wait_for(
        lambda: task_states(b, name) == [("RUNNING", worker_b)] * 4,
        timeout_s=SESSION_TIMEOUT_MS / 1000 + 30,
        what="the survivor running all tasks",
    )
    print(f"takeover after kill -9: {time.monotonic() - started:.1f} s")
