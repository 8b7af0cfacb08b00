"""Every endpoint over real HTTP against one registry instance on real Kafka."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import orjson
import pytest

from tests.integration.registry.conftest import RegistryProcess
from tests.integration.registry.helpers import error_of, http, record_schema

pytestmark = pytest.mark.integration

V1 = record_schema("Order", ("id", "long"))
V2 = record_schema("Order", ("id", "long"), ("note", ["null", "string"], None))
BREAKING = record_schema("Order", ("id", "long"), ("qty", "int"))


@pytest.fixture(scope="module")
def client(registry: RegistryProcess) -> Iterator[httpx.Client]:
    with http(registry.url) as c:
        yield c


def test_root_types_and_empty_lists(client: httpx.Client) -> None:
    assert client.get("/").json() == {}
    assert client.get("/schemas/types").json() == ["AVRO", "JSON"]
    assert client.get("/subjects").json() == []
    assert client.get("/config").json() == {"compatibilityLevel": "BACKWARD"}
    assert client.get("/mode").json() == {"mode": "READWRITE"}


def test_subject_lifecycle(client: httpx.Client) -> None:
    first = client.post("/subjects/orders-value/versions", json={"schema": V1}).json()["id"]
    second = client.post("/subjects/orders-value/versions", json={"schema": V2}).json()["id"]
    assert second == first + 1
    again = client.post("/subjects/orders-value/versions", json={"schema": V1})
    assert again.json() == {"id": first}
    assert client.get("/subjects").json() == ["orders-value"]
    assert client.get("/subjects/orders-value/versions").json() == [1, 2]
    latest = client.get("/subjects/orders-value/versions/latest").json()
    assert latest == {"subject": "orders-value", "version": 2, "id": second, "schema": V2}
    raw = client.get("/subjects/orders-value/versions/1/schema").json()
    assert raw == orjson.loads(V1)
    looked_up = client.post("/subjects/orders-value", json={"schema": V2}).json()
    assert looked_up["version"] == 2 and looked_up["id"] == second
    assert client.get(f"/schemas/ids/{first}").json() == {"schema": V1}
    assert client.get(f"/schemas/ids/{first}/schema").json() == orjson.loads(V1)
    assert client.get(f"/schemas/ids/{first}/subjects").json() == ["orders-value"]
    versions = client.get(f"/schemas/ids/{second}/versions").json()
    assert versions == [{"subject": "orders-value", "version": 2}]


def test_errors_over_http(client: httpx.Client) -> None:
    client.post("/subjects/errs/versions", json={"schema": V1})
    assert error_of(client.post("/subjects/errs/versions", json={"schema": BREAKING})) == (
        409,
        40901,
    )
    assert error_of(client.post("/subjects/errs", json={"schema": V2})) == (404, 40403)
    assert error_of(client.post("/subjects/nobody", json={"schema": V2})) == (404, 40401)
    assert error_of(client.get("/subjects/errs/versions/7")) == (404, 40402)
    assert error_of(client.get("/subjects/errs/versions/zero")) == (422, 42202)
    assert error_of(client.get("/schemas/ids/999999")) == (404, 40403)
    bad = client.post("/subjects/errs/versions", json={"schema": '{"type":"recordd"}'})
    assert error_of(bad) == (422, 42201) and "recordd" in bad.json()["message"]
    assert error_of(client.post("/subjects/errs/versions", content=b"{oops")) == (400, 400)
    assert error_of(client.post("/subjects/errs", content=b"not json")) == (400, 400)
    assert error_of(client.put("/config", content=b"<xml/>")) == (400, 400)


def test_deletes(client: httpx.Client) -> None:
    client.post("/subjects/del/versions", json={"schema": V1})
    client.post("/subjects/del/versions", json={"schema": V2})
    assert error_of(client.delete("/subjects/del/versions/1?permanent=true")) == (404, 40407)
    assert client.delete("/subjects/del/versions/1").json() == 1
    assert error_of(client.delete("/subjects/del/versions/1")) == (404, 40406)
    assert client.get("/subjects/del/versions?deleted=true").json() == [1, 2]
    assert client.delete("/subjects/del/versions/1?permanent=true").json() == 1
    assert error_of(client.delete("/subjects/del?permanent=true")) == (404, 40405)
    assert client.delete("/subjects/del").json() == [2]
    assert error_of(client.delete("/subjects/del")) == (404, 40404)
    assert "del" in client.get("/subjects?deleted=true").json()
    assert "del" not in client.get("/subjects").json()
    assert client.delete("/subjects/del?permanent=true").json() == [2]
    assert "del" not in client.get("/subjects?deleted=true").json()


def test_config_mode_and_compatibility(client: httpx.Client) -> None:
    client.post("/subjects/cfg/versions", json={"schema": V1})
    url = "/compatibility/subjects/cfg/versions/latest"
    assert client.post(url, json={"schema": BREAKING}).json() == {"is_compatible": False}
    verbose = client.post(url + "?verbose=true", json={"schema": BREAKING}).json()
    assert not verbose["is_compatible"] and "READER_FIELD_MISSING_DEFAULT_VALUE" in str(verbose)
    assert client.put("/config/cfg", json={"compatibility": "NONE"}).json() == {
        "compatibility": "NONE"
    }
    assert client.get("/config/cfg").json() == {"compatibilityLevel": "NONE"}
    assert client.post(url, json={"schema": BREAKING}).json() == {"is_compatible": True}
    assert client.delete("/config/cfg").json() == {"compatibilityLevel": "NONE"}
    assert error_of(client.get("/config/cfg")) == (404, 40408)
    assert client.get("/config/cfg?defaultToGlobal=true").json()["compatibilityLevel"] == (
        "BACKWARD"
    )
    assert error_of(client.put("/config", json={"compatibility": "BOGUS"})) == (422, 42203)
    assert client.put("/mode/cfg", json={"mode": "READONLY"}).json() == {"mode": "READONLY"}
    assert error_of(client.post("/subjects/cfg/versions", json={"schema": V2})) == (422, 42205)
    assert client.delete("/mode/cfg").json() == {"mode": "READONLY"}
    assert error_of(client.put("/mode", json={"mode": "WRONG"})) == (422, 42204)
    assert client.post("/subjects/cfg/versions", json={"schema": V2}).status_code == 200


def test_global_config_put_and_delete(client: httpx.Client) -> None:
    assert client.put("/config", json={"compatibility": "FULL"}).json() == {"compatibility": "FULL"}
    assert client.get("/config").json() == {"compatibilityLevel": "FULL"}
    assert client.delete("/config").json() == {"compatibilityLevel": "FULL"}
    assert client.get("/config").json() == {"compatibilityLevel": "BACKWARD"}


def test_content_types(client: httpx.Client) -> None:
    for accept in ("application/json", "application/vnd.schemaregistry+json"):
        response = client.get("/subjects", headers={"Accept": accept})
        assert response.headers["content-type"] == accept
    plain = client.post(
        "/subjects/ct/versions",
        json={"schema": V1},
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    assert plain.status_code == 200 and plain.headers["content-type"] == "application/json"


def test_references_modes_and_all_versions_check(client: httpx.Client) -> None:
    money = (
        '{"type":"record","name":"Money","namespace":"acme",'
        '"fields":[{"name":"cents","type":"long"}]}'
    )
    money_id = client.post("/subjects/money-value/versions", json={"schema": money}).json()["id"]
    ref = {"name": "acme.Money", "subject": "money-value", "version": 1}
    invoice = record_schema("Invoice", ("total", "acme.Money"))
    created = client.post(
        "/subjects/invoice-value/versions", json={"schema": invoice, "references": [ref]}
    )
    assert created.status_code == 200, created.text
    invoice_id = created.json()["id"]
    assert client.get("/subjects/money-value/versions/1/referencedby").json() == [invoice_id]
    assert client.get(f"/schemas/ids/{invoice_id}").json()["references"] == [ref]
    assert error_of(client.delete("/subjects/money-value/versions/1")) == (422, 42206)
    assert client.get(f"/schemas/ids/{money_id}").status_code == 200
    every = client.post(
        "/compatibility/subjects/invoice-value/versions",
        json={"schema": invoice, "references": [ref]},
    )
    assert every.json() == {"is_compatible": True}
    assert client.put("/mode/invoice-value", json={"mode": "READONLY"}).status_code == 200
    assert client.get("/mode/invoice-value").json() == {"mode": "READONLY"}
    assert error_of(client.delete("/subjects/invoice-value")) == (422, 42205)
    assert client.delete("/mode/invoice-value").json() == {"mode": "READONLY"}
    assert client.get("/mode/invoice-value?defaultToGlobal=true").json() == {"mode": "READWRITE"}
