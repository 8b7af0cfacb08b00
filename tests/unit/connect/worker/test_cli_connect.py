"""``pipeway connect`` commands against the REST app (in process, fake runners)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pipeway.cli.main import app
from pipeway.connect.worker.client import ConnectClient
from pipeway.connect.worker.herder import Herder
from pipeway.connect.worker.rest import create_app
from tests.unit.connect.worker.fakes import Cluster
from tests.unit.connect.worker.plugins import SHARD

PIPELINE = f"""
connectors:
  - name: alpha
    config: {{connector.class: {SHARD}, topic: a, tasks.max: 2}}
  - name: beta
    config: {{connector.class: {SHARD}, topic: b}}
"""


@pytest.fixture
def runner(
    cluster: Cluster, herder: Herder, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CliRunner]:
    rest_app = create_app(cluster.service(herder))

    def init(self: ConnectClient, url: str, timeout_s: float = 60.0) -> None:
        self.url = url
        self._http = TestClient(rest_app)  # a fresh one: the CLI closes its client

    monkeypatch.setattr(ConnectClient, "__init__", init)
    yield CliRunner()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pipeline.yaml"
    path.write_text(text)
    return path


def test_apply_creates_then_reports_unchanged_and_updated(
    runner: CliRunner, tmp_path: Path, herder: Herder
) -> None:
    path = write(tmp_path, PIPELINE)
    first = runner.invoke(app, ["connect", "apply", str(path), "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["connectors"] == [
        {"name": "alpha", "result": "created"},
        {"name": "beta", "result": "created"},
    ]
    again = runner.invoke(app, ["connect", "apply", str(path), "--json"])
    assert [c["result"] for c in json.loads(again.output)["connectors"]] == ["unchanged"] * 2
    write(tmp_path, PIPELINE.replace("topic: b", "topic: c"))
    third = runner.invoke(app, ["connect", "apply", str(path)])
    assert "alpha: unchanged" in third.output and "beta: updated" in third.output


def test_apply_invalid_exits_nonzero_naming_fields(runner: CliRunner, tmp_path: Path) -> None:
    bad = f"connectors:\n  - name: bad\n    config: {{connector.class: {SHARD}, mode: x}}\n"
    result = runner.invoke(app, ["connect", "apply", str(write(tmp_path, bad)), "--json"])
    assert result.exit_code == 1
    entry = json.loads(result.stdout)["connectors"][0]
    assert entry["result"] == "invalid"
    assert "topic: Field required" in entry["error"] and "mode:" in entry["error"]


def test_status_list_pause_resume_restart_delete(
    runner: CliRunner, tmp_path: Path, herder: Herder
) -> None:
    runner.invoke(app, ["connect", "apply", str(write(tmp_path, PIPELINE))])
    herder.reconcile()
    status = runner.invoke(app, ["connect", "status", "--json"])
    assert status.exit_code == 0
    assert [s["name"] for s in json.loads(status.output)] == ["alpha", "beta"]
    table = runner.invoke(app, ["connect", "status"])
    assert "2/2 running" in table.output
    assert runner.invoke(app, ["connect", "list"]).output.split() == ["alpha", "beta"]
    for command in ("pause", "resume", "restart", "delete"):
        assert runner.invoke(app, ["connect", command, "alpha"]).exit_code == 0, command
    herder.reconcile()
    assert runner.invoke(app, ["connect", "list", "--json"]).output.strip() == '[\n  "beta"\n]'


def test_unknown_connector_is_a_clear_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["connect", "pause", "ghost"])
    assert result.exit_code == 1
    assert "Connector ghost not found" in result.output
