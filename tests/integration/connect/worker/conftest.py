"""Workers on the session's real Kafka and registry, with topics and group unique per test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest

from pipeway.connect.runtime.contract import WorkerSettings
from pipeway.connect.worker.server import BackgroundWorker
from pipeway.platform.ports import free_port
from pipeway.testing.services import unique_name
from pipeway.testing.waiting import wait_for

__all__ = ["wait_for"]  # re-exported for the worker and e2e tests

pytestmark = pytest.mark.integration

StartWorker = Callable[..., BackgroundWorker]


class Spawned(NamedTuple):
    url: str
    process: subprocess.Popen[bytes]


SpawnWorker = Callable[[], Spawned]
WORKER = [sys.executable, "-m", "pipeway.connect.worker"]


@pytest.fixture
def worker_settings(
    kafka_bootstrap: str, registry_url: str, request: pytest.FixtureRequest
) -> WorkerSettings:
    prefix = unique_name(f"connect-{request.node.name}")
    return WorkerSettings.model_validate(
        {
            "bootstrap.servers": kafka_bootstrap,
            "schema.registry.url": registry_url,
            "group.id": prefix,
            "config.storage.topic": f"{prefix}-configs",
            "status.storage.topic": f"{prefix}-status",
            "offset.storage.topic": f"{prefix}-offsets",
            "rest.port": 0,
        }
    )


@pytest.fixture
def start_worker(worker_settings: WorkerSettings) -> Iterator[StartWorker]:
    """Start in-process workers (API on a thread); each is stopped at the end of the test."""
    started: list[BackgroundWorker] = []

    def start(**worker_args: Any) -> BackgroundWorker:
        worker = BackgroundWorker(worker_settings, **worker_args).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def task_states(url: str, name: str) -> list[tuple[str, str]]:
    status = httpx.get(f"{url}/connectors/{name}/status", timeout=10).json()
    return [(t["state"], t["worker_id"]) for t in status["tasks"]]


def datagen_config(topic: str, tasks: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "connector.class": "datagen",
        "quickstart": "orders",
        "kafka.topic": topic,
        "max.interval": 50,
        "tasks.max": tasks,
        **extra,
    }


@pytest.fixture
def spawn_worker(worker_settings: WorkerSettings, tmp_path: Path) -> Iterator[SpawnWorker]:
    """Start ``python -m pipeway.connect.worker`` processes (reading a worker.properties);
    returns each one's URL once ``GET /connectors`` answers. All are stopped at the end."""
    props = tmp_path / "worker.properties"
    props.write_text(
        "".join(
            f"{key}={value}\n"
            for key, value in worker_settings.model_dump(by_alias=True).items()
            if key not in ("rest.port", "worker.id")
        )
    )
    procs: list[tuple[subprocess.Popen[bytes], Path]] = []

    def spawn() -> Spawned:
        port = free_port()
        log_path = tmp_path / f"worker-{port}.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [*WORKER, "--config", str(props), "--rest-port", str(port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONPATH": os.getcwd()},
            )
        procs.append((proc, log_path))
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: httpx.get(f"{url}/connectors", timeout=1).status_code == 200, 60)
        return Spawned(url, proc)

    yield spawn
    for proc, log_path in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)  # uvicorn re-raises SIGTERM after a graceful shutdown
        assert code in (0, -signal.SIGTERM, -signal.SIGKILL), log_path.read_text()[-3000:]
