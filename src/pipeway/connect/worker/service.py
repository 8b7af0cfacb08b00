"""What the REST API does, in Kafka Connect's shapes, independent of HTTP.

Writes go to the config topic and return once this worker has read them back; reads come
from the config and status views, which every worker keeps for the whole cluster. Every
config that leaves here is masked.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from pipeway import __version__
from pipeway.connect.exceptions import InvalidConnectorConfig, UnknownPlugin
from pipeway.connect.plugins import CONNECTORS, load_connector
from pipeway.connect.runtime.contract import TaskId
from pipeway.connect.runtime.metrics import prometheus_text
from pipeway.connect.worker import records as r
from pipeway.connect.worker.config_state import ConnectorEntry
from pipeway.connect.worker.config_store import ConfigStore
from pipeway.connect.worker.exceptions import (
    BadRequest,
    ConnectorExists,
    ConnectorNotFound,
    NotRunningHere,
    TaskNotFound,
)
from pipeway.connect.worker.herder import Herder, fingerprint
from pipeway.connect.worker.masking import mask
from pipeway.connect.worker.status_store import StatusState
from pipeway.connect.worker.validate_response import validate_response
from pipeway.connect.worker.validation import check

log = logging.getLogger(__name__)

INITIAL_STATES: dict[str, r.TargetState] = {
    "RUNNING": "STARTED",
    "PAUSED": "PAUSED",
    "STOPPED": "STOPPED",
}


class OffsetReader(Protocol):
    def offsets_of(self, connector: str) -> list[dict[str, Any]]: ...


def connector_type(config: Mapping[str, Any]) -> str:
    """``source`` or ``sink`` from ``connector.class`` (``unknown`` when it won't load)."""
    try:
        return str(load_connector(str(config.get("connector.class", ""))).kind)
    except (UnknownPlugin, AttributeError):
        return "unknown"


def invalid_message(errors: Mapping[str, list[str]]) -> str:
    """Connect's 400 message for an invalid config, naming every key."""
    count = sum(len(v) for v in errors.values())
    lines = [f"{key}: {msg}" for key, msgs in errors.items() for msg in msgs]
    return (
        f"Connector configuration is invalid and contains the following {count} error(s):\n"
        + "\n".join(lines)
        + "\nYou can also find the above list of errors at the endpoint "
        "`/connector-plugins/{connectorType}/config/validate`"
    )


class ConnectService:
    def __init__(
        self,
        configs: ConfigStore,
        statuses: StatusState,
        herder: Herder,
        offsets: OffsetReader | None = None,
        cluster_id: str = "",
        sink_offsets: OffsetReader | None = None,
    ) -> None:
        self.configs = configs
        self.statuses = statuses
        self.herder = herder
        self.offset_reader = offsets
        self.sink_offset_reader = sink_offsets
        self.cluster_id = cluster_id

    @property
    def worker_id(self) -> str:
        return self.herder.worker_id

    def server_info(self) -> dict[str, Any]:
        return {
            "version": __version__,
            "commit": "pipeway",
            "kafka_cluster_id": self.cluster_id,
            "worker_id": self.worker_id,
            "assigned_partitions": sorted(self.herder.owned),
        }

    # -- reads ------------------------------------------------------------------------------

    def _entry(self, name: str) -> ConnectorEntry:
        entry = self.configs.snapshot().get(name)
        if entry is None:
            raise ConnectorNotFound(name)
        return entry

    def names(self) -> list[str]:
        return sorted(self.configs.snapshot().connectors)

    def info(self, name: str) -> dict[str, Any]:
        entry = self._entry(name)
        return {
            "name": name,
            "config": mask(entry.config),
            "tasks": [{"connector": name, "task": n} for n in range(len(entry.tasks))],
            "type": connector_type(entry.config),
        }

    def expanded(self, expand: list[str]) -> dict[str, dict[str, Any]]:
        """``GET /connectors?expand=status&expand=info``."""
        out: dict[str, dict[str, Any]] = {}
        for name in self.names():
            item: dict[str, Any] = {}
            try:
                if "status" in expand:
                    item["status"] = self.status(name)
                if "info" in expand:
                    item["info"] = self.info(name)
            except ConnectorNotFound:  # deleted meanwhile
                continue
            out[name] = item
        return out

    def config(self, name: str) -> dict[str, Any]:
        return mask(self._entry(name).config)

    def tasks(self, name: str) -> list[dict[str, Any]]:
        entry = self._entry(name)
        cls = entry.config.get("connector.class")
        return [
            {"id": {"connector": name, "task": n}, "config": mask(props, cls)}
            for n, props in enumerate(entry.tasks)
        ]

    def status(self, name: str) -> dict[str, Any]:
        entry = self._entry(name)
        found = self.statuses.connector(name)
        connector: dict[str, Any] = {
            "state": found.state if found else "UNASSIGNED",
            "worker_id": found.worker_id if found else "",
        }
        if found and found.trace:
            connector["trace"] = found.trace
        return {
            "name": name,
            "connector": connector,
            "tasks": [self._task_state(name, n) for n in range(len(entry.tasks))],
            "type": connector_type(entry.config),
        }

    def _task_state(self, name: str, task: int) -> dict[str, Any]:
        found = self.statuses.task(name, task)
        out: dict[str, Any] = {
            "id": task,
            "state": found.state if found else "UNASSIGNED",
            "worker_id": found.worker_id if found else "",
        }
        if found and found.trace:
            out["trace"] = found.trace
        return out

    def task_status(self, name: str, task: int) -> dict[str, Any]:
        if not 0 <= task < len(self._entry(name).tasks):
            raise TaskNotFound(name, task)
        return self._task_state(name, task)

    def offsets(self, name: str) -> dict[str, Any]:
        """Source offsets from the offset topic; sink offsets from the consumer group."""
        entry = self._entry(name)
        sink = connector_type(entry.config) == "sink"
        reader = self.sink_offset_reader if sink else self.offset_reader
        if reader is None:
            return {"offsets": []}
        refresh = getattr(reader, "read_to_end", None)
        if refresh is not None:
            refresh()  # other workers' commits
        return {"offsets": reader.offsets_of(name)}

    # -- writes -----------------------------------------------------------------------------

    def _named(self, name: str, config: Mapping[str, Any]) -> dict[str, Any]:
        config = dict(config)
        given = config.get("name")
        if given is not None and given != name:
            raise BadRequest(
                f"Connector name configuration ({given}) doesn't match connector name "
                f"in the URL ({name})"
            )
        config["name"] = name
        _, errors = check(config)
        if errors:
            raise InvalidConnectorConfig(name, errors)
        return config

    def create(
        self, name: str, config: Mapping[str, Any], initial_state: str | None = None
    ) -> dict[str, Any]:
        named = self._named(name, config)
        if self.configs.snapshot().get(name) is not None:
            raise ConnectorExists(name)
        target = INITIAL_STATES.get(initial_state or "RUNNING")
        if target is None:
            raise BadRequest(f"initial_state must be one of {', '.join(INITIAL_STATES)}")
        self.configs.put_connector(name, named, target)
        log.info("created connector=%s", name)
        return self.info(name)

    def put_config(self, name: str, config: Mapping[str, Any]) -> tuple[bool, bool, dict[str, Any]]:
        """Create or update; returns (created, changed, info)."""
        named = self._named(name, config)
        current = self.configs.snapshot().get(name)
        if current is not None and fingerprint(current.config) == fingerprint(named):
            return False, False, self.info(name)
        self.configs.put_connector(name, named, "STARTED" if current is None else None)
        log.info("%s connector=%s", "created" if current is None else "updated", name)
        return current is None, True, self.info(name)

    def delete(self, name: str) -> None:
        entry = self._entry(name)
        self.configs.delete_connector(name, len(entry.tasks))
        log.info("deleted connector=%s", name)

    def set_target(self, name: str, target: r.TargetState) -> None:
        self._entry(name)
        self.configs.put_target_state(name, target)

    def restart(self, name: str, include_tasks: bool, only_failed: bool) -> dict[str, Any] | None:
        """Record the request; the status with RESTARTING marks, or None (connector only)."""
        status = self.status(name)
        self.configs.request_restart(name, include_tasks, only_failed)
        if not include_tasks and not only_failed:
            return None
        if not only_failed or status["connector"]["state"] == "FAILED":
            status["connector"]["state"] = "RESTARTING"
        for task in status["tasks"] if include_tasks else []:
            if not only_failed or task["state"] == "FAILED":
                task["state"] = "RESTARTING"
        return status

    def restart_task(self, name: str, task: int) -> None:
        self.task_status(name, task)
        self.configs.request_task_restart(name, task)

    # -- plugins ----------------------------------------------------------------------------

    def plugins(self) -> list[dict[str, Any]]:
        out = []
        for short, path in sorted(CONNECTORS.items()):
            try:
                cls = load_connector(short)
            except UnknownPlugin:  # its optional dependencies are not installed
                continue
            out.append({"class": path.replace(":", "."), "type": cls.kind, "version": cls.version})
        return out

    def validate(self, plugin: str, config: Mapping[str, Any]) -> dict[str, Any]:
        config = dict(config)
        config.setdefault("connector.class", plugin)
        config.setdefault("name", "validate")
        try:
            wanted, given = load_connector(plugin), load_connector(str(config["connector.class"]))
        except UnknownPlugin as exc:
            raise BadRequest(str(exc)) from exc
        if wanted is not given:
            raise BadRequest(
                f"Included connector type {config['connector.class']} does not match "
                f"request type {plugin}"
            )
        _, errors = check(config)
        return validate_response(plugin, config, errors, wanted.settings_class)

    # -- metrics ----------------------------------------------------------------------------

    def prometheus(self) -> str:
        metrics = {task_id: local.runner.metrics() for task_id, local in self.herder.tasks.items()}
        return prometheus_text(metrics)

    def task_metrics(self, name: str, task: int, forward: bool = True) -> dict[str, Any]:
        """This worker's metrics of the task, else the answer of the worker that runs it.

        The status record names the running worker by its id, ``host:port`` of its API as in
        Kafka Connect, so the request is forwarded there once (never forwarded again).
        """
        status = self.task_status(name, task)
        local = self.herder.tasks.get(TaskId(name, task))
        owner = status["worker_id"]
        if local is not None:
            return {
                "id": {"connector": name, "task": task},
                "worker_id": self.worker_id,
                "metrics": dict(local.runner.metrics()),
            }
        if forward and owner and owner != self.worker_id and status["state"] != "UNASSIGNED":
            found = _forward_get(owner, f"/connectors/{quote(name, safe='')}/tasks/{task}/metrics")
            if found is not None:
                return found
        raise NotRunningHere(f"{name}-{task}", owner)


FORWARDED_HEADER = "X-Pipeway-Forwarded"


def _forward_get(worker_id: str, path: str) -> dict[str, Any] | None:
    """GET ``path`` from another worker (its id is ``host:port``); None when it won't answer."""
    try:
        response = httpx.get(
            f"http://{worker_id}{path}", headers={FORWARDED_HEADER: "true"}, timeout=5
        )
    except (httpx.HTTPError, ValueError) as exc:  # unreachable, or an id that is no address
        log.info("forwarding to worker=%s failed: %s", worker_id, exc)
        return None
    if response.status_code != 200:
        return None
    body: dict[str, Any] = response.json()
    return body
