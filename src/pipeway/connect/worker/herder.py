"""The herder: makes this worker run what the config topic and the group assignment say.

It owns one thread. Each reconciliation reads a config snapshot and, for the assignment
partitions this worker holds, (1) computes and writes the task configs of the connectors it
owns and reports their status, (2) starts, stops, restarts, pauses and resumes the runners of
the tasks it owns, and (3) writes every change of a task's status to the status topic.
Config changes, rebalances and restart requests all funnel into the same reconciliation, so
there is one place where decisions are made.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import orjson

from pipeway.connect.runtime.contract import TaskId, TaskRunner
from pipeway.connect.worker import records as r
from pipeway.connect.worker.assignment import connector_partition, task_partition
from pipeway.connect.worker.config_state import ConfigSnapshot, ConnectorEntry, RestartRequest
from pipeway.connect.worker.config_store import ConfigStore
from pipeway.connect.worker.exceptions import WorkerError
from pipeway.connect.worker.local_tasks import FailedRunner, LocalTask, LocalTasks, stop_all
from pipeway.connect.worker.status_store import StatusStore
from pipeway.connect.worker.validation import ValidatedConfig, validate

log = logging.getLogger(__name__)

RECONCILE_INTERVAL_S = 1.0
POLL_S = 0.1
STOP_WAIT_S = 1.0
"""How long a reconciliation waits for stopping tasks before it goes on without them."""
FinalStatus = Literal["UNASSIGNED", "DELETE", "KEEP"]
CONNECTOR_STATES: dict[r.TargetState, r.ConnectorState] = {
    "STARTED": "RUNNING",
    "PAUSED": "PAUSED",
    "STOPPED": "STOPPED",
}


class RunnerFactory(Protocol):
    def __call__(
        self, task_id: TaskId, config: ValidatedConfig, task_config: Mapping[str, Any]
    ) -> TaskRunner: ...


class Membership(Protocol):
    def poll(self, timeout_s: float) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class _Desired:
    entry: ConnectorEntry
    props: dict[str, Any]
    fingerprint: bytes


def fingerprint(*parts: Any) -> bytes:
    return orjson.dumps(parts, option=orjson.OPT_SORT_KEYS, default=str)


class Herder:
    """Reconciles this worker's runners with the cluster's configs and its assignment."""

    def __init__(
        self,
        configs: ConfigStore,
        statuses: StatusStore,
        factory: RunnerFactory,
        worker_id: str,
        stop_timeout_s: float = 30.0,
    ) -> None:
        self.configs = configs
        self.statuses = statuses
        self.factory = factory
        self.worker_id = worker_id
        self.stop_timeout_s = stop_timeout_s
        self.owned: set[int] = set()
        self.generation = 0
        self.tasks = LocalTasks()
        self._connectors: dict[str, bytes] = {}  # owned connector -> config handled
        self._validated: dict[str, tuple[bytes, ValidatedConfig]] = {}
        self._restart_seq = 0
        self._dirty = threading.Event()
        self._stopping: dict[TaskId, threading.Thread] = {}

    def mark_history(self) -> None:
        """Treat every restart request read so far as done (call once the log is read)."""
        self._restart_seq = self.configs.snapshot().seq

    def notify(self) -> None:
        """Ask for a reconciliation soon (called by the config tailer after each batch)."""
        self._dirty.set()

    # -- assignment callbacks (herder thread, inside poll) --------------------------------

    def assigned(self, partitions: set[int]) -> None:
        """Start what the new partitions hold (errors are retried, never raised into poll)."""
        self.generation += 1
        self.owned |= partitions
        self._guarded(self.reconcile)

    def revoked(self, partitions: set[int]) -> None:
        """Stop the tasks of ``partitions`` before the group hands them to another worker."""
        self.owned -= partitions
        self._guarded(lambda: self._release(partitions), "revoke")

    def _release(self, partitions: set[int]) -> None:
        leaving = [t for t in self.tasks.ids() if task_partition(t.connector, t.task) in partitions]
        # the group hands the partitions over when this returns: every task must be stopped
        self._stop_tasks(leaving, "UNASSIGNED", wait_s=None)
        for name in [n for n in self._connectors if connector_partition(n) in partitions]:
            self._release_connector(name)

    # -- the loop ---------------------------------------------------------------------------

    def run(self, membership: Membership, stop: threading.Event) -> None:
        """Serve the group and reconcile until ``stop`` is set; then stop every task."""
        last = 0.0
        while not stop.is_set():
            membership.poll(POLL_S)
            if self._dirty.is_set() or time.monotonic() - last > RECONCILE_INTERVAL_S:
                self._dirty.clear()
                last = time.monotonic()
                self._guarded(self.reconcile)
            else:
                self._guarded(self.report)
        self._guarded(self.shutdown)
        membership.close()

    def _guarded(self, step: Callable[[], None], name: str = "") -> None:
        """Run one step; a failure is retried on the next round, never ends the thread."""
        name = name or step.__name__
        try:
            step()
        except WorkerError as exc:  # Kafka unavailable
            log.warning("herder step=%s failed: %s", name, exc)
            self._retry_soon()
        except Exception:  # a bug must not leave this worker's tasks unmanaged
            log.exception("herder step=%s failed", name)
            self._retry_soon()

    def _retry_soon(self) -> None:
        self._connectors.clear()  # recompute what may not have been written
        self._dirty.set()

    def shutdown(self) -> None:
        """Stop every local task (graceful, commits offsets) and release owned connectors."""
        self._stop_tasks(self.tasks.ids(), "UNASSIGNED", wait_s=None)
        for name in list(self._connectors):
            self._release_connector(name)
        self.owned.clear()

    def reconcile(self) -> None:
        snap = self.configs.snapshot()
        self._handle_restarts(snap)
        if self._reconcile_connectors(snap):
            snap = self.configs.snapshot()
        self._reconcile_tasks(snap)
        self.report()

    def report(self) -> None:
        """Write each local task's status when it changed since the last write."""
        for task_id, local in self.tasks.items():
            status = local.runner.status()
            if status == local.reported:
                continue
            value = r.StatusValue(
                state=status.state,
                trace=status.trace,
                worker_id=self.worker_id,
                generation=self.generation,
            )
            self.statuses.put_task(task_id.connector, task_id.task, value)
            local.reported = status

    # -- connectors owned here --------------------------------------------------------------

    def _reconcile_connectors(self, snap: ConfigSnapshot) -> bool:
        for name in [n for n in self._connectors if n not in snap.connectors]:
            self._connectors.pop(name)
            self._validated.pop(name, None)
            self.statuses.put_connector(name, None)
        wrote = False
        for name, entry in snap.connectors.items():
            if connector_partition(name) not in self.owned:
                continue
            version = fingerprint(entry.config, entry.target)
            if self._connectors.get(name) != version:
                self._connectors[name] = version
                wrote |= self._configure_connector(name, entry)
        return wrote

    def _configure_connector(self, name: str, entry: ConnectorEntry) -> bool:
        """Compute the task configs, write them when they changed; report the status."""
        try:
            desired = self._task_configs(name, entry)
        except Exception:  # connector code may fail in any way: report it, keep going
            log.warning("connector=%s failed to compute task configs", name, exc_info=True)
            self._put_connector(name, "FAILED", traceback.format_exc())
            return False
        self._put_connector(name, CONNECTOR_STATES[entry.target])
        if desired == entry.tasks:
            return False
        self.configs.put_task_configs(name, desired)
        log.info("connector=%s wrote task configs count=%d", name, len(desired))
        return True

    def _task_configs(self, name: str, entry: ConnectorEntry) -> list[dict[str, Any]]:
        if entry.target == "STOPPED":
            return []
        config = self._validate(name, entry.config)
        connector = config.connector_cls(name, config.settings)
        tasks = connector.task_configs(config.runtime.tasks_max)[: config.runtime.tasks_max]
        return [orjson.loads(fingerprint(dict(t)))[0] for t in tasks]  # plain JSON values

    def _validate(self, name: str, config: dict[str, Any]) -> ValidatedConfig:
        version = fingerprint(config)
        cached = self._validated.get(name)
        if cached is not None and cached[0] == version:
            return cached[1]
        validated = validate(config)
        self._validated[name] = (version, validated)
        return validated

    def _put_connector(self, name: str, state: r.ConnectorState, trace: str | None = None) -> None:
        value = r.StatusValue(
            state=state, trace=trace, worker_id=self.worker_id, generation=self.generation
        )
        self.statuses.put_connector(name, value)

    def _release_connector(self, name: str) -> None:
        self._connectors.pop(name, None)
        self._put_connector(name, "UNASSIGNED")

    # -- tasks owned here -------------------------------------------------------------------

    def _desired_tasks(self, snap: ConfigSnapshot) -> dict[TaskId, _Desired]:
        desired = {}
        for name, entry in snap.connectors.items():
            if entry.target == "STOPPED":
                continue
            for n, props in enumerate(entry.tasks):
                if task_partition(name, n) in self.owned:
                    version = fingerprint(entry.config, props)
                    desired[TaskId(name, n)] = _Desired(entry, props, version)
        return desired

    def _reconcile_tasks(self, snap: ConfigSnapshot) -> None:
        self._stopping = {t: th for t, th in self._stopping.items() if th.is_alive()}
        desired = self._desired_tasks(snap)
        stale = [
            task_id
            for task_id, local in self.tasks.items()
            if task_id not in desired or desired[task_id].fingerprint != local.fingerprint
        ]
        gone = [t for t in stale if t not in desired and _removed(snap, t)]
        self._stop_tasks(gone, "DELETE")
        self._stop_tasks([t for t in stale if t not in gone], "UNASSIGNED")
        running = self.tasks.ids()
        for task_id, want in desired.items():
            previous = self._stopping.get(task_id)
            if previous is not None and previous.is_alive():  # still committing: start later
                continue
            if task_id not in running:
                self._start_task(task_id, want)
            self._apply_target(task_id, want.entry.target)

    def _start_task(self, task_id: TaskId, want: _Desired) -> None:
        runner: TaskRunner
        try:
            config = self._validate(task_id.connector, want.entry.config)
            runner = self.factory(task_id, config, want.props)
            runner.start()
        except Exception:  # connector or runner code: the task shows FAILED with the trace
            log.warning("task=%s failed to start", task_id, exc_info=True)
            runner = FailedRunner(task_id, traceback.format_exc())
        self.tasks.add(task_id, LocalTask(runner, want.fingerprint))
        log.info("started task=%s", task_id)

    def _apply_target(self, task_id: TaskId, target: r.TargetState) -> None:
        local = self.tasks.get(task_id)
        pause = target == "PAUSED"
        if local is None or local.paused == pause:
            return
        if pause:
            local.runner.pause()
        else:
            local.runner.resume()
        local.paused = pause

    def _stop_tasks(
        self, task_ids: Iterable[TaskId], final: FinalStatus, wait_s: float | None = STOP_WAIT_S
    ) -> None:
        """Signal every runner at once, stop them in parallel, then write their final status.

        Waits ``wait_s`` (None: until all stopped) so that one slow task (a poll that takes
        long to return, a large flush) never holds up what this worker does for the other
        connectors. A task id is not started again until its previous runner has stopped.
        """
        stopped = self.tasks.pop(task_ids)
        threads = []
        for task_id, local in stopped.items():
            thread = threading.Thread(
                target=self._stop_one,
                args=(task_id, local.runner, final),
                name=f"stop-{task_id}",
                daemon=True,
            )
            self._stopping[task_id] = thread
            threads.append(thread)
            thread.start()
        deadline = None if wait_s is None else time.monotonic() + wait_s
        for thread in [*threads, *(self._stopping.values() if wait_s is None else ())]:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))

    def _stop_one(self, task_id: TaskId, runner: TaskRunner, final: FinalStatus) -> None:
        try:
            stop_all([runner], self.stop_timeout_s)
            log.info("stopped task=%s", task_id)
            if final == "DELETE":
                self.statuses.put_task(task_id.connector, task_id.task, None)
            elif final == "UNASSIGNED":
                value = r.StatusValue(
                    state="UNASSIGNED", worker_id=self.worker_id, generation=self.generation
                )
                self.statuses.put_task(task_id.connector, task_id.task, value)
        except Exception:  # the status write failed (Kafka down): the next owner rewrites it
            log.exception("final status of task=%s not written", task_id)
        finally:
            self._dirty.set()  # a task waiting for this one to stop can start now

    # -- restarts ---------------------------------------------------------------------------

    def _handle_restarts(self, snap: ConfigSnapshot) -> None:
        for request in snap.restarts:
            if request.seq <= self._restart_seq:
                continue
            self._restart_seq = request.seq
            if request.connector in snap.connectors:
                self._restart(request)

    def _restart(self, request: RestartRequest) -> None:
        name = request.connector
        if request.task is not None:
            self._stop_tasks([TaskId(name, request.task)], "KEEP")
            return
        if name in self._connectors and (not request.only_failed or self._connector_failed(name)):
            self._connectors.pop(name)  # recomputed by this reconciliation
            self._validated.pop(name, None)
        if request.include_tasks:
            chosen = [
                task_id
                for task_id, local in self.tasks.items()
                if task_id.connector == name
                and (not request.only_failed or local.runner.status().state == "FAILED")
            ]
            self._stop_tasks(chosen, "KEEP")

    def _connector_failed(self, name: str) -> bool:
        status = self.statuses.state.connector(name)
        return status is not None and status.state == "FAILED"


def _removed(snap: ConfigSnapshot, task_id: TaskId) -> bool:
    """Whether the task no longer exists (connector deleted/stopped or fewer tasks)."""
    entry = snap.get(task_id.connector)
    return entry is None or entry.target == "STOPPED" or task_id.task >= len(entry.tasks)
