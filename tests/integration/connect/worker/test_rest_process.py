"""Every REST endpoint over HTTP against a real worker process running datagen tasks."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.integration.connect.worker.conftest import (
    SpawnWorker,
    datagen_config,
    task_states,
    wait_for,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def worker_url(spawn_worker: SpawnWorker) -> str:
    started = time.monotonic()
    url = spawn_worker().url
    print(f"worker process healthy in {time.monotonic() - started:.2f} s")
    return url


def test_every_endpoint_over_http(worker_url: str, unique_topic: str) -> None:
    http = httpx.Client(base_url=worker_url, timeout=30)
    assert {"version", "commit", "kafka_cluster_id"} <= http.get("/").json().keys()
    plugins = http.get("/connector-plugins").json()
    assert any(p["class"].endswith("DatagenConnector") for p in plugins)
    check = http.put("/connector-plugins/datagen/config/validate", json={"quickstart": "nope"})
    assert check.status_code == 200 and check.json()["error_count"] == 2  # topic, quickstart

    config = datagen_config(unique_topic, tasks=2)
    created = http.post("/connectors", json={"name": "gen", "config": config})
    assert created.status_code == 201, created.text
    assert created.json()["type"] == "source"
    assert http.post("/connectors", json={"name": "gen", "config": config}).status_code == 409
    bad = http.post("/connectors", json={"name": "bad", "config": {"connector.class": "datagen"}})
    assert bad.status_code == 400 and "kafka.topic" in bad.json()["message"]
    assert http.post("/connectors", content=b"{oops").status_code == 400

    wait_for(lambda: [s for s, _ in task_states(worker_url, "gen")] == ["RUNNING"] * 2)
    assert http.get("/connectors").json() == ["gen"]
    assert set(http.get("/connectors?expand=status&expand=info").json()["gen"]) == {
        "status",
        "info",
    }
    assert http.get("/connectors/gen").json()["tasks"][1] == {"connector": "gen", "task": 1}
    assert http.get("/connectors/gen/config").json()["kafka.topic"] == unique_topic
    assert http.get("/connectors/gen/tasks").json()[0]["id"] == {"connector": "gen", "task": 0}
    assert http.get("/connectors/gen/tasks/0/status").json()["state"] == "RUNNING"

    def written() -> int:
        body = http.get("/connectors/gen/tasks/0/metrics").json()
        return int(body["metrics"]["records_written_total"])

    wait_for(lambda: written() > 0, what="records written")
    assert "pipeway_connect_task_records_written_total" in http.get("/metrics").text
    wait_for(lambda: http.get("/connectors/gen/offsets").json()["offsets"], what="offsets")

    updated = http.put("/connectors/gen/config", json={**config, "max.interval": 20})
    assert updated.status_code == 200
    assert http.put("/connectors/gen/pause").status_code == 202
    wait_for(lambda: [s for s, _ in task_states(worker_url, "gen")] == ["PAUSED"] * 2)
    assert http.put("/connectors/gen/resume").status_code == 202
    wait_for(lambda: [s for s, _ in task_states(worker_url, "gen")] == ["RUNNING"] * 2)
    assert http.post("/connectors/gen/restart").status_code == 204
    restarted = http.post("/connectors/gen/restart?includeTasks=true")
    assert restarted.status_code == 202
    assert {t["state"] for t in restarted.json()["tasks"]} == {"RESTARTING"}
    assert http.post("/connectors/gen/tasks/1/restart").status_code == 204
    wait_for(lambda: [s for s, _ in task_states(worker_url, "gen")] == ["RUNNING"] * 2)

    assert http.delete("/connectors/gen").status_code == 204
    missing = http.get("/connectors/gen/status")
    assert missing.status_code == 404
    assert missing.json() == {"error_code": 404, "message": "Connector gen not found"}
    assert http.get("/connectors").json() == []
