"""``pipeway platform`` as a user runs it: up, status, logs, down, and its error lines."""

from __future__ import annotations

import json
import shutil
import socket
import time
from pathlib import Path

import httpx

from tests.e2e.conftest import Run, as_json


def _by_name(statuses: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(s["name"]): s for s in statuses}


def test_up_status_logs_down(cli: Run, port_flags: list[str], platform_down: None) -> None:
    started = time.monotonic()
    up = _by_name(as_json(cli("platform", "up", "--json", *port_flags)))
    elapsed = time.monotonic() - started
    assert set(up) == {"kafka", "registry", "mariadb", "connect"}
    assert all(s["healthy"] and s["state"] == "running" for s in up.values())
    assert elapsed < 60, f"platform took {elapsed:.1f} s to become healthy"
    registry_url = str(up["registry"]["url"])
    assert httpx.get(f"{registry_url}/subjects").json() == []

    again = _by_name(as_json(cli("platform", "up", "--json")))
    assert {n: s["pid"] for n, s in again.items()} == {n: s["pid"] for n, s in up.items()}

    status = _by_name(as_json(cli("platform", "status", "--json")))
    assert status["kafka"]["url"] == up["kafka"]["url"]
    assert all(isinstance(s["uptime_s"], float) for s in status.values())
    table = cli("platform", "status")
    assert table.returncode == 0 and "running" in table.stdout

    assert "Kafka Server started" in cli("platform", "logs", "kafka", "-n", "400").stdout

    down = as_json(cli("platform", "down", "--json"))
    assert down == {"stopped": ["connect", "mariadb", "registry", "kafka"]}
    stopped = cli("platform", "status", "--json")
    assert stopped.returncode == 1
    assert {s["state"] for s in json.loads(stopped.stdout)} == {"stopped"}


def test_only_and_skip_choose_components(
    cli: Run, port_flags: list[str], platform_down: None
) -> None:
    up = as_json(cli("platform", "up", "--json", "--only", "kafka", *port_flags))
    assert [s["name"] for s in up] == ["kafka"]
    status = _by_name(json.loads(cli("platform", "status", "--json").stdout))
    assert status["registry"]["state"] == "stopped"
    assert status["kafka"]["healthy"] is True
    bad = cli("platform", "up", "--skip", "kafak")
    assert bad.returncode != 0
    assert "unknown component(s): kafak; known: kafka, registry, mariadb, connect" in bad.stderr


def test_port_taken_is_one_clear_line(cli: Run, port_flags: list[str]) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        flags = [*port_flags[2:], "--kafka-port", str(taken)]  # drop the free kafka port
        proc = cli("platform", "up", "--only", "kafka", *flags)
    assert proc.returncode == 1
    assert f"port {taken} on 127.0.0.1 is already in use" in proc.stderr
    assert proc.stderr.strip().count("\n") == 0, proc.stderr


def test_missing_java_is_one_actionable_line(
    cli: Run, port_flags: list[str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    proc = cli("platform", "up", *port_flags, env={"PATH": str(empty), "JAVA_HOME": ""})
    assert proc.returncode == 1
    assert "Java 17+ is required" in proc.stderr
    assert "apt-get install -y openjdk-17-jre-headless" in proc.stderr


def test_component_that_cannot_start_shows_its_log(
    cli: Run, port_flags: list[str], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "platform.json").write_text(json.dumps({"data_dir": str(home), "kafka_heap": "1m"}))
    proc = cli("platform", "up", "--only", "kafka", *port_flags)
    assert proc.returncode == 1
    assert "kafka failed to start: process exited" in proc.stderr
    assert "last lines of the kafka log" in proc.stderr
    assert "heap" in proc.stderr.lower()


def test_missing_maven_before_jars_are_cached_is_one_actionable_line(
    cli: Run, port_flags: list[str], tmp_path: Path
) -> None:
    bin_dir = tmp_path / "java-only-bin"
    bin_dir.mkdir()
    java = shutil.which("java")
    assert java is not None
    (bin_dir / "java").symlink_to(java)
    env = {"PATH": str(bin_dir), "PIPEWAY_CACHE": str(tmp_path / "empty-cache")}
    proc = cli("platform", "up", *port_flags, env=env)
    assert proc.returncode == 1
    assert "Maven (mvn) is required" in proc.stderr
    assert "apt-get install -y maven" in proc.stderr
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
