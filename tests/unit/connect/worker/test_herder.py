"""The herder's decisions, with fake runners and in-memory logs."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from pipeway.connect.runtime.contract import TaskId
from pipeway.connect.worker.assignment import connector_partition, task_partition
from pipeway.connect.worker.exceptions import StoreUnavailable
from pipeway.connect.worker.herder import STOP_WAIT_S, Herder
from pipeway.testing.waiting import wait_for
from tests.unit.connect.worker.conftest import shard_config
from tests.unit.connect.worker.fakes import ALL_PARTITIONS, Cluster, FakeFactory
from tests.unit.connect.worker.plugins import BROKEN


def task_states(cluster: Cluster, name: str, count: int) -> list[str | None]:
    found = [cluster.status_state.task(name, n) for n in range(count)]
    return [s.state if s else None for s in found]


def test_owner_computes_task_configs_and_runs_every_task(
    cluster: Cluster, herder: Herder, factory: FakeFactory
) -> None:
    cluster.configs.put_connector("shards", shard_config(), "STARTED")
    herder.reconcile()

    entry = cluster.configs.snapshot().connectors["shards"]
    assert entry.tasks == [{"shard": n} for n in range(4)]
    assert set(factory.live()) == {TaskId("shards", n) for n in range(4)}
    assert task_states(cluster, "shards", 4) == ["RUNNING"] * 4
    connector = cluster.status_state.connector("shards")
    assert connector is not None and connector.state == "RUNNING"
    assert connector.worker_id == "w1:8083"


def test_task_configs_are_written_once(cluster: Cluster, herder: Herder) -> None:
    cluster.configs.put_connector("shards", shard_config(), "STARTED")
    herder.reconcile()
    written = len(cluster.config_log.written)
    herder.reconcile()
    herder.reconcile()
    assert len(cluster.config_log.written) == written


def test_two_workers_split_tasks_by_partition(cluster: Cluster) -> None:
    first, second = FakeFactory(), FakeFactory()
    a, b = cluster.herder("a:1", first), cluster.herder("b:1", second)
    evens = {p for p in ALL_PARTITIONS if p % 2 == 0}
    a.assigned(evens)
    b.assigned(ALL_PARTITIONS - evens)
    cluster.configs.put_connector("shards", shard_config("shards", **{"tasks.max": 8}), "STARTED")
    for herder in (a, b, a, b):
        herder.reconcile()

    ran_a, ran_b = set(first.live()), set(second.live())
    assert not ran_a & ran_b
    assert ran_a | ran_b == {TaskId("shards", n) for n in range(8)}
    assert all(task_partition(t.connector, t.task) in evens for t in ran_a)
    assert len(ran_a) == len(ran_b) == 4  # consecutive partitions alternate between workers


def test_only_the_connector_owner_writes_task_configs(cluster: Cluster) -> None:
    owner = connector_partition("shards")
    outsider = cluster.herder("x:1")
    outsider.assigned(ALL_PARTITIONS - {owner})
    cluster.configs.put_connector("shards", shard_config(), "STARTED")
    outsider.reconcile()
    assert cluster.configs.snapshot().connectors["shards"].tasks == []


def test_revoke_stops_tasks_and_marks_them_unassigned(
    cluster: Cluster, herder: Herder, factory: FakeFactory
) -> None:
    cluster.configs.put_connector("shards", shard_config(), "STARTED")
    herder.reconcile()
    herder.revoked(set(ALL_PARTITIONS))
    assert factory.live() == {}
    assert task_states(cluster, "shards", 4) == ["UNASSIGNED"] * 4
    connector = cluster.status_state.connector("shards")
    assert connector is not None and connector.state == "UNASSIGNED"


def test_pause_and_resume_reach_the_runners(
    cluster: Cluster, herder: Herder, factory: FakeFactory
) -> None:
    cluster.configs.put_connector("shards", shard_config(), "STARTED")
    herder.reconcile()
    cluster.configs.put_target_state("shards", "PAUSED")
    herder.reconcile()
    assert all(r.calls == ["start", "pause"] for r in factory.live().values())
    assert task_states(cluster, "shards", 4) == ["PAUSED"] * 4
    connector = cluster.status_state.connector("shards")
    assert connector is not None and connector.state == "PAUSED"

    cluster.configs.put_target_state("shards", "STARTED")
    herder.reconcile()
    assert all(r.calls[-1] == "resume" for r in factory.live().values())
    assert task_states(cluster, "shards", 4) == ["RUNNING"] * 4


def test_config_change_restarts_tasks_with_new_config(
    cluster: Cluster, herder: Herder, factory: FakeFactory
) -> None:
    cluster.configs.put_connector("shards", shard_config(), "STARTED")
    herder.reconcile()
    before = dict(factory.live())
    cluster.configs.put_connector(
        "shards", shard_config("shards", topic="other", **{"tasks.max": 2})
    )
    herder.reconcile()

    after = factory.live()
    assert set(after) == {TaskId("shards", 0), TaskId("shards", 1)}
    assert all("stop" in r.calls for r in before.values())
    assert all(r.config.raw["topic"] == "other" for r in after.values())
    assert task_states(cluster, "shards", 4) == ["RUNNING", "RUNNING", None, None]


def test_delete_stops_tasks_and_tombstones_statuses(
    cluster: Cluster, herder: Herder, factory: FakeFactory
) -> None:
    cluster.configs.put_connector("shards", shard_config(), "STARTED")
    herder.reconcile()
    cluster.configs.delete_connector("shards", 4)
    herder.reconcile()
    assert factory.live() == {}
    assert task_states(cluster, "shards", 4) == [None] * 4
    assert cluster.status_state.connector("shards") is None


def test_stop_target_empties_the_task_set(
    cluster: Cluster, herder: Herder, factory: FakeFactory
) -> None:
    cluster.configs.put_connector("shards", shard_config(), "STARTED")
    herder.reconcile()
    cluster.configs.put_target_state("shards", "STOPPED")
    herder.reconcile()
    assert factory.live() == {}
    assert cluster.configs.snapshot().connectors["shards"].tasks == []
    connector = cluster.status_state.connector("shards")
    assert connector is not None and connector.state == "STOPPED"


def test_failing_runner_creation_reports_failed_with_trace(
    cluster: Cluster, herder: Herder, factory: FakeFactory
) -> None:
    factory.fail_for.add(TaskId("shards", 1))
    cluster.configs.put_connector("shards", shard_config(), "STARTED")
    herder.reconcile()
    status = cluster.status_state.task("shards", 1)
    assert status is not None and status.state == "FAILED"
    assert status.trace is not None and "no runner for shards-1" in status.trace


def test_connector_failure_is_reported(cluster: Cluster, herder: Herder) -> None:
    cluster.configs.put_connector("broken", shard_config("broken", **{"connector.class": BROKEN}))
    herder.reconcile()
    status = cluster.status_state.connector("broken")
    assert status is not None and status.state == "FAILED"
    assert status.trace is not None and "cannot list shards" in status.trace


def test_restart_only_failed_tasks(cluster: Cluster, herder: Herder, factory: FakeFactory) -> None:
    cluster.configs.put_connector("shards", shard_config(), "STARTED")
    herder.reconcile()
    factory.live()[TaskId("shards", 2)].fail("boom")
    herder.report()
    cluster.configs.request_restart("shards", include_tasks=True, only_failed=True)
    herder.reconcile()

    restarted = [r for r in factory.created if r.task_id == TaskId("shards", 2)]
    assert len(restarted) == 2 and restarted[0].calls[-1] == "stop"
    assert len(factory.created) == 5  # the three healthy tasks kept running
    assert task_states(cluster, "shards", 4) == ["RUNNING"] * 4


def test_restart_all_tasks_and_single_task(
    cluster: Cluster, herder: Herder, factory: FakeFactory
) -> None:
    cluster.configs.put_connector("shards", shard_config(), "STARTED")
    herder.reconcile()
    cluster.configs.request_restart("shards", include_tasks=True, only_failed=False)
    herder.reconcile()
    assert len(factory.created) == 8
    cluster.configs.request_task_restart("shards", 3)
    herder.reconcile()
    assert len(factory.created) == 9


def test_restart_requests_before_startup_are_ignored(cluster: Cluster) -> None:
    cluster.configs.put_connector("shards", shard_config(), "STARTED")
    cluster.configs.request_restart("shards", include_tasks=True, only_failed=False)
    factory = FakeFactory()
    late = cluster.herder("late:1", factory)
    late.mark_history()
    late.assigned(set(ALL_PARTITIONS))
    late.reconcile()
    assert len(factory.created) == 4


def test_shutdown_stops_everything(cluster: Cluster, herder: Herder, factory: FakeFactory) -> None:
    cluster.configs.put_connector("shards", shard_config(), "STARTED")
    herder.reconcile()
    herder.shutdown()
    assert factory.live() == {}
    assert herder.owned == set()
    assert task_states(cluster, "shards", 4) == ["UNASSIGNED"] * 4


def test_kafka_failure_inside_a_rebalance_callback_is_not_raised(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster.configs.put_connector("shards", shard_config(), "STARTED")
    factory = FakeFactory()
    herder = cluster.herder("w:1", factory)

    def unavailable(records: object) -> None:
        raise StoreUnavailable("status", "broker down")

    monkeypatch.setattr(cluster.status_log, "send", unavailable)
    herder.assigned(set(ALL_PARTITIONS))  # must not raise into consumer.poll
    herder.revoked({0})
    monkeypatch.undo()
    herder.reconcile()
    assert task_states(cluster, "shards", 4).count("RUNNING") >= 1


def test_a_slow_stop_does_not_block_the_herder_nor_restart_early(
    cluster: Cluster, herder: Herder, factory: FakeFactory
) -> None:
    """A config change whose old runner takes long to stop: the reconciliation returns, the
    task is started again only once the old runner stopped (never two at once)."""
    release = threading.Event()
    one: dict[str, Any] = {"tasks.max": 1}
    cluster.configs.put_connector("shards", shard_config(**one), "STARTED")
    herder.reconcile()
    (old,) = factory.created

    def slow_stop(timeout_s: float = 30.0) -> None:
        release.wait(10)
        old.calls.append("stop")

    old.stop = slow_stop  # type: ignore[method-assign]
    cluster.configs.put_connector("shards", shard_config(topic="other", **one))
    started = time.monotonic()
    herder.reconcile()
    assert time.monotonic() - started < STOP_WAIT_S + 0.5
    assert factory.created == [old]  # the new runner waits for the old one
    assert task_states(cluster, "shards", 1) == ["RUNNING"]

    release.set()
    wait_for(lambda: "stop" in old.calls, 5)

    def restarted() -> bool:
        herder.reconcile()
        return len(factory.created) == 2

    wait_for(restarted, 5)
    assert factory.created[1].config.raw["topic"] == "other"
