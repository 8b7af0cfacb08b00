"""Helpers for driving the ``pipeway`` command line as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeway.platform.ports import free_port

PIPEWAY = [sys.executable, "-m", "pipeway"]
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(tmp_path: Path) -> Run:
    """Run ``pipeway <args>`` with its own data directory; returns the completed process."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> Any:
        full_env = {**os.environ, "PIPEWAY_HOME": str(tmp_path / "home"), **(env or {})}
        return subprocess.run(
            [*PIPEWAY, *args], capture_output=True, text=True, env=full_env, timeout=timeout
        )

    return run


@pytest.fixture
def port_flags() -> list[str]:
    return [
        "--kafka-port",
        str(free_port()),
        "--kafka-controller-port",
        str(free_port()),
        "--registry-port",
        str(free_port()),
        "--mariadb-port",
        str(free_port()),
        "--connect-port",
        str(free_port()),
    ]


@pytest.fixture
def platform_down(cli: Run) -> Iterator[None]:
    """Make sure whatever a test started is stopped afterwards."""
    yield
    cli("platform", "down")


def as_json(proc: subprocess.CompletedProcess[str]) -> Any:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)
