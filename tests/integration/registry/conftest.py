"""Run real ``python -m pipeway.registry`` processes against the test Kafka.

Each test module gets its own ``_schemas`` topic so modules never see each other's schemas;
``registry_launcher.start()`` runs one more instance on a free port against that topic.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from pipeway.platform.ports import free_port
from pipeway.testing.services import unique_name

STARTUP_TIMEOUT_S = 60.0


@dataclass
class RegistryProcess:
    """One registry instance; ``url`` is its base URL."""

    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@dataclass
class RegistryLauncher:
    bootstrap_servers: str
    topic: str
    log_dir: Path
    started: list[RegistryProcess] = field(default_factory=list)

    def command(self, port: int, *extra: str) -> list[str]:
        return [
            sys.executable, "-m", "pipeway.registry",
            "--bootstrap-servers", self.bootstrap_servers,
            "--host", "127.0.0.1",
            "--port", str(port),
            "--topic", self.topic,
            *extra,
        ]  # fmt: skip

    def start(self, *extra: str, port: int | None = None) -> RegistryProcess:
        """Start an instance and wait until it answers ``GET /subjects``."""
        port = port or free_port()
        log_path = self.log_dir / f"registry-{port}-{len(self.started)}.log"
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                self.command(port, *extra),
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        instance = RegistryProcess(port, process, log_path)
        self.started.append(instance)
        _wait_ready(instance)
        return instance

    def stop_all(self) -> None:
        for instance in self.started:
            instance.stop()


def _wait_ready(instance: RegistryProcess) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if instance.process.poll() is not None:
            pytest.fail(f"registry exited early:\n{instance.log_text()}")
        try:
            if httpx.get(f"{instance.url}/subjects", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    instance.stop()
    pytest.fail(f"registry not ready after {STARTUP_TIMEOUT_S}s:\n{instance.log_text()}")


@pytest.fixture(scope="module")
def schemas_topic(request: pytest.FixtureRequest) -> str:
    return unique_name(f"_schemas-{request.module.__name__.rsplit('.', 1)[-1]}")


@pytest.fixture(scope="module")
def registry_launcher(
    kafka_bootstrap: str, schemas_topic: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RegistryLauncher]:
    launcher = RegistryLauncher(kafka_bootstrap, schemas_topic, tmp_path_factory.mktemp("reg"))
    yield launcher
    launcher.stop_all()


@pytest.fixture(scope="module")
def registry(registry_launcher: RegistryLauncher) -> RegistryProcess:
    """One instance shared by the module's tests."""
    return registry_launcher.start()
