"""Delete, pause and config updates reach running tasks within seconds, on every worker."""

from __future__ import annotations

import time

import httpx
import pytest

from pipeway.connect.worker.assignment import ASSIGNMENT_PARTITIONS, task_partition
from pipeway.connect.worker.server import BackgroundWorker
from tests.integration.connect.worker.conftest import StartWorker, task_states, wait_for
from tests.integration.connect.worker.plugins import RECORDING, last_poll, polls

pytestmark = pytest.mark.integration

PROMPT_S = 5.0


def _two_workers(start_worker: StartWorker) -> tuple[BackgroundWorker, BackgroundWorker]:
    a, b = start_worker(), start_worker()

    def balanced() -> bool:
        owned_a, owned_b = a.worker.herder.owned, b.worker.herder.owned
        return bool(owned_a and owned_b) and len(owned_a | owned_b) == ASSIGNMENT_PARTITIONS

    wait_for(balanced, what="both workers holding assignment partitions")
    return a, b


def _split_name(a: BackgroundWorker, prefix: str) -> str:
    owned_a = a.worker.herder.owned
    for i in range(1000):
        name = f"{prefix}-{i}"
        parts = {task_partition(name, n) for n in range(4)}
        if parts & owned_a and parts - owned_a:
            return name
    raise AssertionError("no connector name splits over the assignment")


def _config(topic: str, **extra: object) -> dict[str, object]:
    return {
        "connector.class": RECORDING,
        "topic": topic,
        "tasks.max": 4,
        "key.converter": "string",
        "value.converter": "json",
        "value.converter.schemas.enable": "false",
        **extra,
    }


def _start(a: BackgroundWorker, name: str, topic: str) -> None:
    response = httpx.put(f"{a.url}/connectors/{name}/config", json=_config(topic), timeout=30)
    assert response.status_code == 201, response.text
    wait_for(
        lambda: [s for s, _ in task_states(a.url, name)] == ["RUNNING"] * 4,
        what="four running tasks",
    )
    wait_for(lambda: all(polls(f"{name}-{n}") for n in range(4)), what="every task polling")


def test_delete_stops_tasks_on_every_worker_within_seconds(
    start_worker: StartWorker, unique_topic: str
) -> None:
    a, b = _two_workers(start_worker)
    name = _split_name(a, "del")
    _start(a, name, unique_topic)

    sent = time.monotonic()
    assert httpx.delete(f"{a.url}/connectors/{name}", timeout=30).status_code == 204
    tasks = [f"{name}-{n}" for n in range(4)]

    def quiet() -> bool:
        return all(time.monotonic() - last_poll(t) > 1.0 for t in tasks)

    wait_for(quiet, timeout_s=PROMPT_S + 1, what="every task stopped polling")
    stopped_after = max(last_poll(t) for t in tasks) - sent
    print(f"last poll after delete: {stopped_after:.2f} s")
    assert stopped_after < PROMPT_S
    assert not a.worker.herder.tasks.ids() and not b.worker.herder.tasks.ids()
    offsets = a.worker.offsets
    offsets.read_to_end()
    assert {o["partition"]["task"] for o in offsets.offsets_of(name)} == set(tasks)


def test_pause_stops_polling_on_every_worker_within_seconds(
    start_worker: StartWorker, unique_topic: str
) -> None:
    a, b = _two_workers(start_worker)
    name = _split_name(a, "pause")
    _start(a, name, unique_topic)
    tasks = [f"{name}-{n}" for n in range(4)]

    sent = time.monotonic()
    assert httpx.put(f"{b.url}/connectors/{name}/pause", timeout=30).status_code == 202
    wait_for(
        lambda: all(time.monotonic() - last_poll(t) > 1.0 for t in tasks),
        timeout_s=PROMPT_S + 1,
        what="every task stopped polling",
    )
    print(f"last poll after pause: {max(last_poll(t) for t in tasks) - sent:.2f} s")
    assert max(last_poll(t) for t in tasks) - sent < PROMPT_S
    wait_for(lambda: [s for s, _ in task_states(a.url, name)] == ["PAUSED"] * 4)

    resumed = time.monotonic()
    assert httpx.put(f"{a.url}/connectors/{name}/resume", timeout=30).status_code == 202
    wait_for(lambda: all(last_poll(t) > resumed for t in tasks), timeout_s=PROMPT_S)


def test_config_update_restarts_tasks_with_the_new_config(
    start_worker: StartWorker, unique_topic: str
) -> None:
    a, b = _two_workers(start_worker)
    name = _split_name(a, "upd")
    _start(a, name, unique_topic)
    tasks = [f"{name}-{n}" for n in range(4)]

    sent = time.monotonic()
    new = _config(unique_topic, label="b")
    assert httpx.put(f"{b.url}/connectors/{name}/config", json=new, timeout=30).status_code == 200

    def only_new_label() -> bool:
        recent = [p for t in tasks for p in polls(t) if p[0] > time.monotonic() - 0.5]
        return (
            bool(recent)
            and all(t_polls for t_polls in (polls(t) for t in tasks))
            and all(label == "b" for _, label in recent)
            and all(polls(t)[-1][1] == "b" for t in tasks)
        )

    wait_for(only_new_label, timeout_s=PROMPT_S, what="every task polling with the new config")
    last_old = max(when for t in tasks for when, label in polls(t) if label == "a")
    print(f"last poll with the old config after the update: {last_old - sent:.2f} s")
    assert last_old - sent < PROMPT_S


def test_a_slow_stopping_task_does_not_delay_other_connectors(
    start_worker: StartWorker, unique_topic: str
) -> None:
    """Deleting a connector whose poll takes 8 s must not hold up pausing another one."""
    worker = start_worker()
    slow = {**_config(unique_topic, **{"poll.ms": 8000}), "tasks.max": 1}
    fast = {**_config(unique_topic), "tasks.max": 1}
    for name, config in (("slow", slow), ("fast", fast)):
        response = httpx.put(f"{worker.url}/connectors/{name}/config", json=config, timeout=30)
        assert response.status_code == 201, response.text
    wait_for(lambda: polls("slow-0") and polls("fast-0"), what="both connectors polling")

    sent = time.monotonic()
    assert httpx.delete(f"{worker.url}/connectors/slow", timeout=30).status_code == 204
    assert httpx.put(f"{worker.url}/connectors/fast/pause", timeout=30).status_code == 202
    wait_for(
        lambda: time.monotonic() - last_poll("fast-0") > 1.0,
        timeout_s=PROMPT_S,
        what="the paused connector stopped polling while the other one is still stopping",
    )
    assert last_poll("fast-0") - sent < 2.0
    assert len(polls("slow-0")) <= 2  # no poll started after the delete
    ids = worker.worker.herder.tasks.ids
    wait_for(lambda: {t.connector for t in ids()} == {"fast"}, what="the deleted task gone")
    assert task_states(worker.url, "fast") == [("PAUSED", worker.worker.worker_id)]
