"""The HTTP API end to end, with the Kafka log replaced by the in-memory one."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient

from pipeway.registry import RegistrySettings, create_app
from tests.unit.registry.conftest import V1, avro_record
from tests.unit.registry.memory_log import Messages, memory_log_factory

USER_V1 = avro_record("User", ("id", "long"))
USER_V2 = avro_record("User", ("id", "long"), ("email", ["null", "string"], None))
USER_BAD = avro_record("User", ("id", "long"), ("name", "string"))


def register(client: TestClient, subject: str, schema: str, **extra: Any) -> Any:
    response = client.post(f"/subjects/{subject}/versions", json={"schema": schema, **extra})
    return response


def error_of(response: Any) -> tuple[int, int]:
    return response.status_code, response.json()["error_code"]


def test_root_and_types(client: TestClient) -> None:
    assert client.get("/").json() == {}
    assert client.get("/schemas/types").json() == ["AVRO", "JSON"]
    assert client.get("/subjects").json() == []


def test_register_get_and_lookup(client: TestClient) -> None:
    assert register(client, "user-value", USER_V1).json() == {"id": 1}
    assert register(client, "user-value", USER_V1).json() == {"id": 1}  # idempotent
    assert register(client, "user-value", USER_V2).json() == {"id": 2}
    assert client.get("/subjects").json() == ["user-value"]
    assert client.get("/subjects/user-value/versions").json() == [1, 2]
    latest = client.get("/subjects/user-value/versions/latest").json()
    assert latest == {"subject": "user-value", "version": 2, "id": 2, "schema": USER_V2}
    assert client.get("/subjects/user-value/versions/1/schema").json() == orjson.loads(USER_V1)
    assert client.get("/schemas/ids/1").json() == {"schema": USER_V1}
    assert client.get("/schemas/ids/1/schema").json() == orjson.loads(USER_V1)
    found = client.post("/subjects/user-value", json={"schema": USER_V1}).json()
    assert found == {"subject": "user-value", "version": 1, "id": 1, "schema": USER_V1}


def test_same_schema_in_another_subject_reuses_the_id(client: TestClient) -> None:
    register(client, "a-value", USER_V1)
    spaced = USER_V1.replace(",", ", ")  # same schema, other whitespace
    assert register(client, "b-value", spaced).json() == {"id": 1}
    assert client.get("/schemas/ids/1/subjects").json() == ["a-value", "b-value"]
    assert client.get("/schemas/ids/1/versions").json() == [
        {"subject": "a-value", "version": 1},
        {"subject": "b-value", "version": 1},
    ]


def test_paging(client: TestClient) -> None:
    for name in ("a", "b", "c"):
        register(client, name, USER_V1)
    assert client.get("/subjects?offset=1&limit=1").json() == ["b"]
    assert client.get("/subjects?offset=0&limit=-1").json() == ["a", "b", "c"]
    assert client.get("/schemas/ids/1/subjects?offset=2").json() == ["c"]


def test_lookup_errors(client: TestClient) -> None:
    assert error_of(client.post("/subjects/none", json={"schema": USER_V1})) == (404, 40401)
    register(client, "s", USER_V1)
    assert error_of(client.post("/subjects/s", json={"schema": USER_V2})) == (404, 40403)
    assert error_of(client.post("/subjects/s", json={"schema": "{"})) == (422, 42201)


def test_not_found_errors(client: TestClient) -> None:
    assert error_of(client.get("/subjects/none/versions")) == (404, 40401)
    assert error_of(client.get("/subjects/none/versions/1")) == (404, 40401)
    register(client, "s", USER_V1)
    assert error_of(client.get("/subjects/s/versions/9")) == (404, 40402)
    assert error_of(client.get("/schemas/ids/99")) == (404, 40403)
    assert client.get("/schemas/ids/99").json()["message"] == "Schema 99 not found"
    assert error_of(client.get("/schemas/ids/99/subjects")) == (404, 40403)


@pytest.mark.parametrize("version", ["0", "abc", "-2", "2147483648"])
def test_invalid_version(client: TestClient, version: str) -> None:
    register(client, "s", USER_V1)
    assert error_of(client.get(f"/subjects/s/versions/{version}")) == (422, 42202)


def test_incompatible_schema_is_409(client: TestClient) -> None:
    register(client, "s", USER_V1)
    response = register(client, "s", USER_BAD)
    assert error_of(response) == (409, 40901)
    assert "READER_FIELD_MISSING_DEFAULT_VALUE" in response.json()["message"]
    assert "incompatible with an earlier schema" in response.json()["message"]


def test_invalid_schema_is_42201_with_parser_message(client: TestClient) -> None:
    response = register(client, "s", '{"type":"record","name":"X","fields":[{"name":"a"}]}')
    assert error_of(response) == (422, 42201)
    assert response.json()["message"].startswith("Invalid schema")
    assert error_of(register(client, "s", "")) == (422, 42201)
    protobuf = register(client, "s", 'syntax = "proto3";', schemaType="PROTOBUF")
    assert error_of(protobuf) == (422, 42201)


def test_non_json_bodies_are_4xx(client: TestClient) -> None:
    response = client.post("/subjects/s/versions", content=b"{not json")
    assert error_of(response) == (400, 400)
    assert error_of(client.post("/subjects/s/versions", content=b"[1,2]")) == (422, 422)
    assert error_of(client.post("/subjects/s", content=b"\xff\xfe")) == (400, 400)
    assert error_of(client.put("/config", content=b"nope")) == (400, 400)
    bad_type = client.post("/subjects/s/versions", json={"schema": 5})
    assert error_of(bad_type) == (422, 422)


def test_unsupported_content_type_is_415(client: TestClient) -> None:
    response = client.post(
        "/subjects/s/versions", content=b"{}", headers={"Content-Type": "text/plain"}
    )
    assert error_of(response) == (415, 415)


def test_unknown_route_and_method(client: TestClient) -> None:
    assert error_of(client.get("/nope")) == (404, 404)
    assert client.get("/nope").json()["message"] == "HTTP 404 Not Found"
    assert error_of(client.put("/subjects")) == (405, 405)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, V1),
        ("application/json", "application/json"),
        ("application/vnd.schemaregistry+json", "application/vnd.schemaregistry+json"),
        ("application/json, application/vnd.schemaregistry.v1+json", V1),
        ("*/*", V1),
    ],
)
def test_content_negotiation(client: TestClient, accept: str | None, expected: str) -> None:
    register(client, "s", USER_V1)
    headers = {"Accept": accept} if accept else {}
    for path in ("/subjects", "/schemas/ids/1", "/schemas/ids/404"):
        assert client.get(path, headers=headers).headers["content-type"] == expected
    lookup = client.post("/subjects/s", json={"schema": USER_V1}, headers=headers)
    assert lookup.headers["content-type"] == expected


def test_soft_then_hard_delete_version(client: TestClient) -> None:
    register(client, "s", USER_V1)
    register(client, "s", USER_V2)
    assert error_of(client.delete("/subjects/s/versions/1?permanent=true")) == (404, 40407)
    assert client.delete("/subjects/s/versions/1").json() == 1
    assert error_of(client.delete("/subjects/s/versions/1")) == (404, 40406)
    assert client.get("/subjects/s/versions").json() == [2]
    assert client.get("/subjects/s/versions?deleted=true").json() == [1, 2]
    assert client.get("/subjects/s/versions/1?deleted=true").json()["id"] == 1
    assert client.get("/schemas/ids/1").status_code == 200  # still readable by id
    assert client.delete("/subjects/s/versions/1?permanent=true").json() == 1
    assert error_of(client.get("/schemas/ids/1")) == (404, 40403)
    assert error_of(client.delete("/subjects/s/versions/7")) == (404, 40402)


def test_soft_then_hard_delete_subject(client: TestClient) -> None:
    register(client, "s", USER_V1)
    register(client, "s", USER_V2)
    assert error_of(client.delete("/subjects/s?permanent=true")) == (404, 40405)
    assert client.delete("/subjects/s").json() == [1, 2]
    assert error_of(client.delete("/subjects/s")) == (404, 40404)
    assert client.get("/subjects").json() == []
    assert client.get("/subjects?deleted=true").json() == ["s"]
    assert client.get("/subjects?deletedOnly=true").json() == ["s"]
    assert error_of(client.get("/subjects/s/versions")) == (404, 40401)
    assert client.post("/subjects/s?deleted=true", json={"schema": USER_V1}).json()["id"] == 1
    assert client.delete("/subjects/s?permanent=true").json() == [1, 2]
    assert error_of(client.delete("/subjects/s")) == (404, 40401)
    assert client.get("/subjects?deleted=true").json() == []


def test_registering_after_soft_delete_continues_versions(client: TestClient) -> None:
    register(client, "s", USER_V1)
    client.delete("/subjects/s")
    assert register(client, "s", USER_V1).json() == {"id": 1}
    assert client.get("/subjects/s/versions").json() == [2]


def test_config_endpoints(client: TestClient) -> None:
    assert client.get("/config").json() == {"compatibilityLevel": "BACKWARD"}
    assert client.put("/config", json={"compatibility": "full"}).json() == {"compatibility": "FULL"}
    assert client.get("/config").json() == {"compatibilityLevel": "FULL"}
    assert error_of(client.get("/config/s")) == (404, 40408)
    assert client.get("/config/s?defaultToGlobal=true").json() == {"compatibilityLevel": "FULL"}
    assert client.put("/config/s", json={"compatibility": "NONE"}).json() == {
        "compatibility": "NONE"
    }
    assert client.get("/config/s").json() == {"compatibilityLevel": "NONE"}
    assert client.delete("/config/s").json() == {"compatibilityLevel": "NONE"}
    assert error_of(client.delete("/config/s")) == (404, 40401)
    assert client.delete("/config").json() == {"compatibilityLevel": "FULL"}
    assert client.get("/config").json() == {"compatibilityLevel": "BACKWARD"}
    assert error_of(client.put("/config", json={"compatibility": "SIDEWAYS"})) == (422, 42203)


def test_subject_level_none_allows_breaking_change(client: TestClient) -> None:
    register(client, "s", USER_V1)
    client.put("/config/s", json={"compatibility": "NONE"})
    assert register(client, "s", USER_BAD).json() == {"id": 2}


def test_compatibility_endpoint(client: TestClient) -> None:
    url = "/compatibility/subjects/s/versions/latest"
    assert client.post(url, json={"schema": USER_BAD}).json() == {"is_compatible": True}
    register(client, "s", USER_V1)
    assert client.post(url, json={"schema": USER_V2}).json() == {"is_compatible": True}
    verbose = client.post(url + "?verbose=true", json={"schema": USER_BAD}).json()
    assert verbose["is_compatible"] is False and verbose["messages"]
    assert client.post(url, json={"schema": USER_BAD}).json() == {"is_compatible": False}
    every = client.post("/compatibility/subjects/s/versions", json={"schema": USER_V2})
    assert every.json() == {"is_compatible": True}
    missing = client.post("/compatibility/subjects/s/versions/5", json={"schema": USER_V2})
    assert error_of(missing) == (404, 40402)
    bad_version = client.post("/compatibility/subjects/s/versions/x", json={"schema": USER_V2})
    assert error_of(bad_version) == (422, 42202)


def test_mode_endpoints(client: TestClient) -> None:
    assert client.get("/mode").json() == {"mode": "READWRITE"}
    assert error_of(client.put("/mode", json={"mode": "SIDEWAYS"})) == (422, 42204)
    assert client.put("/mode", json={"mode": "READONLY"}).json() == {"mode": "READONLY"}
    assert error_of(register(client, "s", USER_V1)) == (422, 42205)
    client.put("/mode", json={"mode": "READWRITE"})
    register(client, "s", USER_V1)
    assert error_of(client.put("/mode", json={"mode": "IMPORT"})) == (422, 42205)
    assert client.put("/mode/s", json={"mode": "READONLY"}).json() == {"mode": "READONLY"}
    assert client.get("/mode/s").json() == {"mode": "READONLY"}
    assert error_of(client.delete("/subjects/s")) == (422, 42205)
    assert client.delete("/mode/s").json() == {"mode": "READONLY"}
    assert error_of(client.get("/mode/s")) == (404, 40409)
    assert client.get("/mode/s?defaultToGlobal=true").json() == {"mode": "READWRITE"}


def test_import_mode_keeps_given_ids(client: TestClient) -> None:
    assert client.put("/mode", json={"mode": "IMPORT"}).json() == {"mode": "IMPORT"}
    assert register(client, "s", USER_V1, id=42, version=3).json() == {"id": 42}
    assert client.get("/subjects/s/versions/3").json()["id"] == 42
    client.put("/mode", json={"mode": "READWRITE"})
    assert register(client, "t", USER_V2).json() == {"id": 43}
    assert error_of(register(client, "u", USER_BAD, id=7)) == (422, 42205)


def test_normalize_stores_the_normalized_text(client: TestClient) -> None:
    raw = '{"name":"N","type":"record","fields":[{"type":{"type":"int"},"name":"a"}]}'
    assert register(client, "n", raw, normalize=None).status_code == 200
    response = client.post("/subjects/n2/versions?normalize=true", json={"schema": raw})
    assert response.json() == {"id": 1}  # same schema: same id, whatever the spelling
    found = client.post("/subjects/n?normalize=true", json={"schema": raw})
    assert found.status_code == 200


def test_json_schema_subject(client: TestClient) -> None:
    schema = '{"type":"object","properties":{"a":{"type":"string"}}}'
    created = register(client, "j", schema, schemaType="JSON")
    assert created.json() == {"id": 1}
    assert client.get("/schemas/ids/1").json() == {"schemaType": "JSON", "schema": schema}
    narrowed = '{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}'
    assert error_of(register(client, "j", narrowed, schemaType="JSON")) == (409, 40901)
    assert error_of(register(client, "j", '{"type":7}', schemaType="JSON")) == (422, 42201)


def test_references(client: TestClient) -> None:
    other = (
        '{"type":"record","name":"Other","namespace":"acme","fields":[{"name":"x","type":"int"}]}'
    )
    register(client, "other-value", other)
    ref = {"name": "acme.Other", "subject": "other-value", "version": 1}
    main = avro_record("Main", ("o", "acme.Other"))
    assert register(client, "main-value", main, references=[ref]).json() == {"id": 2}
    body = client.get("/subjects/main-value/versions/1").json()
    assert body["references"] == [ref]
    assert client.get("/subjects/other-value/versions/1/referencedby").json() == [2]
    assert error_of(client.delete("/subjects/other-value/versions/1")) == (422, 42206)
    missing = {"name": "acme.Other", "subject": "missing", "version": 1}
    assert error_of(register(client, "m2", main, references=[missing])) == (422, 42201)


def test_state_survives_restart(messages: Messages) -> None:
    settings = RegistrySettings(bootstrap_servers="unused:9092")
    with TestClient(create_app(settings, memory_log_factory(messages))) as first:
        register(first, "s", USER_V1)
        register(first, "s", USER_V2)
        first.put("/config/s", json={"compatibility": "FULL"})
    with TestClient(create_app(settings, memory_log_factory(messages))) as second:
        assert second.get("/subjects/s/versions").json() == [1, 2]
        assert second.get("/schemas/ids/2").json() == {"schema": USER_V2}
        assert second.get("/config/s").json() == {"compatibilityLevel": "FULL"}
        assert register(second, "t", USER_BAD).json() == {"id": 3}


def test_lookup_cache_is_invalidated_by_changes(client: TestClient) -> None:
    register(client, "s", USER_V1)
    body = {"schema": USER_V1}
    assert client.post("/subjects/s", json=body).status_code == 200
    assert client.post("/subjects/s", json=body).status_code == 200  # from the cache
    client.delete("/subjects/s")
    assert error_of(client.post("/subjects/s", json=body)) == (404, 40401)
