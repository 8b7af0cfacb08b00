"""``pipeway connect apply`` and ``status --json`` against a platform-started worker."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Run, as_json

pytestmark = pytest.mark.e2e

PIPELINE = """
connectors:
  - name: orders-gen
    config:
      connector.class: datagen
      quickstart: orders
      kafka.topic: {topic}
      max.interval: 50
      tasks.max: 2
"""


def _wait_running(cli: Run, url: str, timeout_s: float = 60) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    statuses: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        proc = cli("connect", "status", "--json", "--url", url)
        if proc.returncode == 0:
            statuses = json.loads(proc.stdout)
            states = [t["state"] for s in statuses for t in s["tasks"]]
            if states == ["RUNNING", "RUNNING"]:
                return statuses
        time.sleep(0.5)
    raise AssertionError(f"connector not running: {statuses}")


def test_apply_and_status(
    cli: Run, port_flags: list[str], platform_down: None, tmp_path: Path
) -> None:
    connect_port = int(port_flags[port_flags.index("--connect-port") + 1])
    up = as_json(cli("platform", "up", "--json", "--only", "kafka,registry,connect", *port_flags))
    assert {s["name"]: s["healthy"] for s in up} == {
        "kafka": True,
        "registry": True,
        "connect": True,
    }
    url = f"http://127.0.0.1:{connect_port}"
    pipeline = tmp_path / "pipeline.yaml"
    pipeline.write_text(PIPELINE.format(topic="e2e-orders"))

    applied = as_json(cli("connect", "apply", str(pipeline), "--url", url, "--json"))
    assert applied == {"connectors": [{"name": "orders-gen", "result": "created"}]}
    again = as_json(cli("connect", "apply", str(pipeline), "--url", url, "--json"))
    assert again["connectors"][0]["result"] == "unchanged"

    statuses = _wait_running(cli, url)
    assert statuses[0]["name"] == "orders-gen"
    assert statuses[0]["connector"]["state"] == "RUNNING"
    assert cli("connect", "list", "--url", url).stdout.split() == ["orders-gen"]

    bad = tmp_path / "bad.yaml"
    bad.write_text("connectors:\n  - name: broken\n    config: {connector.class: datagen}\n")
    invalid = cli("connect", "apply", str(bad), "--url", url)
    assert invalid.returncode == 1
    assert "kafka.topic" in invalid.stderr

    assert cli("connect", "delete", "orders-gen", "--url", url).returncode == 0
    assert as_json(cli("connect", "status", "--json", "--url", url)) == []
