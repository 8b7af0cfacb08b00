"""Kafka Connect's REST shapes, through the app with an in-memory cluster and fake runners."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pipeway.connect.runtime.contract import TaskId
from pipeway.connect.worker.herder import Herder
from pipeway.connect.worker.rest import UNCHANGED_HEADER, create_app
from tests.unit.connect.worker.conftest import shard_config
from tests.unit.connect.worker.fakes import Cluster, FakeFactory, OffsetsStub
from tests.unit.connect.worker.plugins import SHARD, SINK, ShardSettings

OFFSETS = [{"partition": {"shard": 0}, "offset": {"n": 42}}]


@pytest.fixture
def client(cluster: Cluster, herder: Herder) -> Iterator[TestClient]:
    service = cluster.service(herder, OffsetsStub({"shards": OFFSETS}))
    with TestClient(create_app(service), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def created(client: TestClient, herder: Herder) -> dict[str, Any]:
    config = shard_config(**{"api.token": "tok", "db.password": "pw"})
    response = client.post("/connectors", json={"name": "shards", "config": config})
    assert response.status_code == 201, response.text
    herder.reconcile()
    return dict(response.json())


def test_root_names_version_and_worker(client: TestClient) -> None:
    body = client.get("/").json()
    assert {"version", "commit", "kafka_cluster_id"} <= body.keys()
    assert body["worker_id"] == "w1:8083"


def test_create_answers_connect_shape_with_masked_secrets(created: dict[str, Any]) -> None:
    assert created["name"] == "shards"
    assert created["type"] == "source"
    assert created["tasks"] == []
    assert created["config"]["api.token"] == "[hidden]"
    assert created["config"]["db.password"] == "[hidden]"
    assert created["config"]["topic"] == "t"


def test_stored_config_keeps_the_secret(
    created: dict[str, Any], cluster: Cluster, factory: FakeFactory
) -> None:
    assert cluster.configs.snapshot().connectors["shards"].config["api.token"] == "tok"
    runner = factory.live()[TaskId("shards", 0)]
    settings = runner.config.settings
    assert isinstance(settings, ShardSettings)
    assert settings.api_token is not None and settings.api_token.get_secret_value() == "tok"


def test_create_twice_is_409(client: TestClient, created: dict[str, Any]) -> None:
    response = client.post("/connectors", json={"name": "shards", "config": shard_config()})
    assert response.status_code == 409
    assert response.json() == {"error_code": 409, "message": "Connector shards already exists"}


def test_invalid_config_is_400_naming_every_field(client: TestClient) -> None:
    config = {
        "connector.class": SHARD,
        "tasks.max": 0,
        "shards": "many",
        "mode": "turbo",
        "surprise": 1,
        "value.converter": "nope",
        "transforms": "x",
    }
    response = client.post("/connectors", json={"name": "bad", "config": config})
    assert response.status_code == 400
    body = response.json()
    assert body["error_code"] == 400
    keys = ("tasks.max", "topic", "shards", "mode", "surprise", "value.converter")
    for key in (*keys, "transforms.x.type"):
        assert f"\n{key}: " in body["message"], key
    assert client.get("/connectors").json() == []


def test_unknown_connector_class_is_400(client: TestClient) -> None:
    response = client.put("/connectors/x/config", json={"connector.class": "no.such.Thing"})
    assert response.status_code == 400
    assert "connector.class" in response.json()["message"]


def test_name_mismatch_is_400(client: TestClient) -> None:
    response = client.put("/connectors/a/config", json=shard_config("b"))
    assert response.status_code == 400
    assert "doesn't match" in response.json()["message"]


def test_list_and_expand(client: TestClient, created: dict[str, Any]) -> None:
    assert client.get("/connectors").json() == ["shards"]
    both = client.get("/connectors?expand=status&expand=info").json()
    assert set(both["shards"]) == {"status", "info"}
    assert both["shards"]["info"]["tasks"][0] == {"connector": "shards", "task": 0}
    assert both["shards"]["info"]["config"]["db.password"] == "[hidden]"
    only_status = client.get("/connectors", params={"expand": "status"}).json()
    assert set(only_status["shards"]) == {"status"}


def test_info_config_and_tasks(client: TestClient, created: dict[str, Any]) -> None:
    info = client.get("/connectors/shards").json()
    assert info["tasks"] == [{"connector": "shards", "task": n} for n in range(4)]
    config = client.get("/connectors/shards/config").json()
    assert config["api.token"] == "[hidden]" and config["name"] == "shards"
    tasks = client.get("/connectors/shards/tasks").json()
    assert tasks[1] == {"id": {"connector": "shards", "task": 1}, "config": {"shard": 1}}


def test_put_config_creates_updates_and_detects_unchanged(
    client: TestClient, herder: Herder
) -> None:
    first = client.put("/connectors/p/config", json=shard_config("p"))
    assert first.status_code == 201 and first.json()["name"] == "p"
    same = client.put("/connectors/p/config", json=shard_config("p"))
    assert same.status_code == 200 and same.headers[UNCHANGED_HEADER] == "true"
    changed = client.put("/connectors/p/config", json=shard_config("p", topic="u"))
    assert changed.status_code == 200 and UNCHANGED_HEADER not in changed.headers
    assert client.get("/connectors/p/config").json()["topic"] == "u"


def test_status_shapes(client: TestClient, created: dict[str, Any]) -> None:
    status = client.get("/connectors/shards/status").json()
    assert status["name"] == "shards" and status["type"] == "source"
    assert status["connector"] == {"state": "RUNNING", "worker_id": "w1:8083"}
    assert status["tasks"][0] == {"id": 0, "state": "RUNNING", "worker_id": "w1:8083"}
    task = client.get("/connectors/shards/tasks/2/status").json()
    assert task == {"id": 2, "state": "RUNNING", "worker_id": "w1:8083"}
    assert client.get("/connectors/shards/tasks/9/status").status_code == 404


def test_failed_task_status_has_trace(
    client: TestClient, created: dict[str, Any], herder: Herder, factory: FakeFactory
) -> None:
    factory.live()[TaskId("shards", 1)].fail("Traceback: boom")
    herder.report()
    task = client.get("/connectors/shards/tasks/1/status").json()
    assert task["state"] == "FAILED" and task["trace"] == "Traceback: boom"


@pytest.mark.parametrize(
    "path",
    [
        "/connectors/ghost",
        "/connectors/ghost/config",
        "/connectors/ghost/status",
        "/connectors/ghost/tasks",
        "/connectors/ghost/offsets",
        "/connectors/ghost/tasks/0/status",
    ],
)
def test_unknown_connector_is_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"error_code": 404, "message": "Connector ghost not found"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/connectors/ghost/pause"),
        ("PUT", "/connectors/ghost/resume"),
        ("POST", "/connectors/ghost/restart"),
        ("POST", "/connectors/ghost/tasks/0/restart"),
        ("DELETE", "/connectors/ghost"),
    ],
)
def test_unknown_connector_writes_are_404(client: TestClient, method: str, path: str) -> None:
    assert client.request(method, path).status_code == 404


def test_pause_resume_are_202(client: TestClient, created: dict[str, Any], herder: Herder) -> None:
    assert client.put("/connectors/shards/pause").status_code == 202
    herder.reconcile()
    assert client.get("/connectors/shards/status").json()["connector"]["state"] == "PAUSED"
    assert client.put("/connectors/shards/resume").status_code == 202
    herder.reconcile()
    assert client.get("/connectors/shards/status").json()["tasks"][0]["state"] == "RUNNING"


def test_stop_is_204_and_empties_tasks(
    client: TestClient, created: dict[str, Any], herder: Herder
) -> None:
    assert client.put("/connectors/shards/stop").status_code == 204
    herder.reconcile()
    status = client.get("/connectors/shards/status").json()
    assert status["connector"]["state"] == "STOPPED" and status["tasks"] == []


def test_restart_semantics(
    client: TestClient, created: dict[str, Any], herder: Herder, factory: FakeFactory
) -> None:
    plain = client.post("/connectors/shards/restart")
    assert plain.status_code == 204 and plain.content == b""
    factory.live()[TaskId("shards", 3)].fail("x")
    herder.report()
    failed_only = client.post("/connectors/shards/restart?includeTasks=true&onlyFailed=true")
    assert failed_only.status_code == 202
    states = [t["state"] for t in failed_only.json()["tasks"]]
    assert states == ["RUNNING", "RUNNING", "RUNNING", "RESTARTING"]
    assert failed_only.json()["connector"]["state"] == "RUNNING"
    everything = client.post("/connectors/shards/restart", params={"includeTasks": "true"})
    assert everything.status_code == 202
    assert everything.json()["connector"]["state"] == "RESTARTING"
    assert {t["state"] for t in everything.json()["tasks"]} == {"RESTARTING"}


def test_task_restart_is_204(client: TestClient, created: dict[str, Any], herder: Herder) -> None:
    assert client.post("/connectors/shards/tasks/0/restart").status_code == 204
    assert client.post("/connectors/shards/tasks/7/restart").status_code == 404


def test_delete_is_204(client: TestClient, created: dict[str, Any], herder: Herder) -> None:
    response = client.delete("/connectors/shards")
    assert response.status_code == 204
    herder.reconcile()
    assert client.get("/connectors").json() == []
    assert client.get("/connectors/shards").status_code == 404


def test_offsets(client: TestClient, created: dict[str, Any]) -> None:
    assert client.get("/connectors/shards/offsets").json() == {"offsets": OFFSETS}


def test_sink_offsets_come_from_the_sink_reader(cluster: Cluster, herder: Herder) -> None:
    sink_offsets = [
        {"partition": {"kafka_topic": "t", "kafka_partition": 0}, "offset": {"kafka_offset": 5}}
    ]
    service = cluster.service(herder, OffsetsStub({"out": OFFSETS}))
    service.sink_offset_reader = OffsetsStub({"out": sink_offsets})
    with TestClient(create_app(service)) as c:
        config = shard_config("out", **{"connector.class": SINK})
        assert c.put("/connectors/out/config", json=config).status_code == 201
        assert c.get("/connectors/out").json()["type"] == "sink"
        assert c.get("/connectors/out/offsets").json() == {"offsets": sink_offsets}


def test_plugins(client: TestClient) -> None:
    plugins = client.get("/connector-plugins").json()
    assert all(set(p) == {"class", "type", "version"} for p in plugins)
    datagen = [p for p in plugins if p["class"].endswith("DatagenConnector")]
    assert datagen and datagen[0]["type"] == "source"


def test_validate_response(client: TestClient) -> None:
    body = {"connector.class": SHARD, "tasks.max": "x", "api.token": "s", "extra.key": 1}
    response = client.put(f"/connector-plugins/{SHARD}/config/validate", json=body)
    assert response.status_code == 200
    result = response.json()
    assert result["name"] == SHARD
    assert {"Common", "Connector"} <= set(result["groups"])
    by_name = {c["value"]["name"]: c for c in result["configs"]}
    assert by_name["tasks.max"]["value"]["errors"]
    assert by_name["topic"]["value"]["errors"] == ["Field required"]
    assert by_name["extra.key"]["value"]["errors"] == ["unknown configuration key"]
    assert by_name["api.token"]["definition"]["type"] == "PASSWORD"
    assert by_name["api.token"]["value"]["value"] == "[hidden]"
    assert by_name["mode"]["value"]["recommended_values"] == ["fast", "slow"]
    assert result["error_count"] == sum(len(c["value"]["errors"]) for c in result["configs"])
    assert result["error_count"] == 3
    definition = by_name["tasks.max"]["definition"]
    assert set(definition) >= {"name", "type", "required", "default_value", "group", "order"}


def test_validate_mismatched_class_is_400(client: TestClient) -> None:
    response = client.put(
        f"/connector-plugins/{SHARD}/config/validate", json={"connector.class": "datagen"}
    )
    assert response.status_code == 400


def test_metrics(client: TestClient, created: dict[str, Any]) -> None:
    text = client.get("/metrics").text
    assert 'pipeway_connect_task_records_written_total{connector="shards",task="0"} 7' in text
    one = client.get("/connectors/shards/tasks/0/metrics").json()
    assert one["metrics"]["records_written_total"] == 7
    assert one["id"] == {"connector": "shards", "task": 0}


def test_task_metrics_of_a_task_elsewhere_is_404(
    cluster: Cluster, client: TestClient, created: dict[str, Any], herder: Herder
) -> None:
    herder.revoked(set(herder.owned))
    response = client.get("/connectors/shards/tasks/0/metrics")
    assert response.status_code == 404
    assert "not running on this worker" in response.json()["message"]


@pytest.mark.parametrize(
    ("method", "path", "content"),
    [
        ("POST", "/connectors", b"{not json"),
        ("POST", "/connectors", b'{"config": {}}'),
        ("POST", "/connectors", b"[]"),
        ("PUT", "/connectors/x/config", b"{broken"),
        ("PUT", "/connectors/x/config", b'"a string"'),
        ("PUT", f"/connector-plugins/{SHARD}/config/validate", b"nope"),
        ("POST", "/connectors/x/restart?includeTasks=maybe", b""),
    ],
)
def test_bad_requests_are_400_not_500(
    client: TestClient, method: str, path: str, content: bytes
) -> None:
    response = client.request(
        method, path, content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error_code"] == 400


def test_unknown_route_is_404_json(client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.json()["error_code"] == 404
