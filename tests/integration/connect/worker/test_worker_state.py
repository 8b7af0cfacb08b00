"""Config and status topics survive a restart; two workers share one connector's tasks."""

from __future__ import annotations

import time

import httpx
import pytest

from pipeway.connect.worker.assignment import ASSIGNMENT_PARTITIONS, task_partition
from pipeway.connect.worker.server import BackgroundWorker
from tests.integration.connect.worker.conftest import (
    StartWorker,
    datagen_config,
    task_states,
    wait_for,
)

pytestmark = pytest.mark.integration


def test_restarted_worker_picks_up_connectors_and_state(
    start_worker: StartWorker, unique_topic: str
) -> None:
    first = start_worker()
    config = datagen_config(unique_topic, tasks=2)
    created = httpx.post(
        f"{first.url}/connectors", json={"name": "orders", "config": config}, timeout=30
    )
    assert created.status_code == 201, created.text
    wait_for(lambda: [s for s, _ in task_states(first.url, "orders")] == ["RUNNING"] * 2)
    assert httpx.put(f"{first.url}/connectors/orders/pause", timeout=30).status_code == 202
    wait_for(lambda: [s for s, _ in task_states(first.url, "orders")] == ["PAUSED"] * 2)
    first.stop()

    second = start_worker()
    assert httpx.get(f"{second.url}/connectors", timeout=10).json() == ["orders"]
    assert httpx.get(f"{second.url}/connectors/orders/config", timeout=10).json()["tasks.max"] == 2

    def paused_here() -> bool:
        states = task_states(second.url, "orders")
        return states == [("PAUSED", second.worker.worker_id)] * 2

    wait_for(paused_here, what="tasks paused on the new worker")
    status = httpx.get(f"{second.url}/connectors/orders/status", timeout=10).json()
    assert status["connector"] == {"state": "PAUSED", "worker_id": second.worker.worker_id}


def _split_name(a: BackgroundWorker, b: BackgroundWorker) -> str:
    """A connector name whose four tasks land on both workers' partitions."""
    owned_a = a.worker.herder.owned
    for i in range(1000):
        name = f"split-{i}"
        parts = {task_partition(name, n) for n in range(4)}
        if parts & owned_a and parts - owned_a:
            return name
    raise AssertionError("no connector name splits over the assignment")


def test_two_workers_share_tasks_and_one_takes_over(
    start_worker: StartWorker, unique_topic: str
) -> None:
    a, b = start_worker(), start_worker()

    def balanced() -> bool:
        owned_a, owned_b = a.worker.herder.owned, b.worker.herder.owned
        return bool(owned_a and owned_b) and len(owned_a | owned_b) == ASSIGNMENT_PARTITIONS

    wait_for(balanced, what="both workers holding assignment partitions")
    assert not a.worker.herder.owned & b.worker.herder.owned
    name = _split_name(a, b)
    config = datagen_config(unique_topic, tasks=4)
    assert (
        httpx.put(f"{a.url}/connectors/{name}/config", json=config, timeout=30).status_code == 201
    )

    def running_on_both() -> list[tuple[str, str]] | None:
        states = task_states(b.url, name)
        ok = len(states) == 4 and all(s == "RUNNING" for s, _ in states)
        return states if ok and len({w for _, w in states}) == 2 else None

    states = wait_for(running_on_both, what="four tasks running on two workers")
    for n, (_, worker_id) in enumerate(states):
        owner = a if worker_id == a.worker.worker_id else b
        assert task_partition(name, n) in owner.worker.herder.owned
    assert {t.task for t in a.worker.herder.tasks.ids()} | {
        t.task for t in b.worker.herder.tasks.ids()
    } == {0, 1, 2, 3}

    started = time.monotonic()
    a.stop()
    only_b = [("RUNNING", b.worker.worker_id)] * 4
    wait_for(lambda: task_states(b.url, name) == only_b, what="the survivor running all tasks")
    print(f"takeover after graceful stop: {time.monotonic() - started:.1f} s")
    assert len(b.worker.herder.tasks.ids()) == 4
