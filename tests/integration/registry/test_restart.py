"""A restart reads every schema, id, version and setting back from the topic."""

from __future__ import annotations

import pytest

from tests.integration.registry.conftest import RegistryLauncher
from tests.integration.registry.helpers import http, record_schema

pytestmark = pytest.mark.integration


def test_restart_keeps_every_schema_and_id(registry_launcher: RegistryLauncher) -> None:
    first = registry_launcher.start()
    registered: dict[tuple[str, int], int] = {}
    with http(first.url) as client:
        for n in range(6):
            subject = f"restart-{n % 3}-value"
            fields = [("id", "long")] + [(f"f{i}", "int", 0) for i in range(n // 3 + 1)]
            response = client.post(
                f"/subjects/{subject}/versions", json={"schema": record_schema("R", *fields)}
            )
            assert response.status_code == 200, response.text
            version = client.get(f"/subjects/{subject}/versions/latest").json()["version"]
            registered[(subject, version)] = response.json()["id"]
        client.put("/config/restart-0-value", json={"compatibility": "FULL"})
        client.delete("/subjects/restart-2-value/versions/1")
        before = {sid: client.get(f"/schemas/ids/{sid}").json() for sid in registered.values()}
    first.stop()

    second = registry_launcher.start()
    with http(second.url) as client:
        for (subject, version), schema_id in registered.items():
            url = f"/subjects/{subject}/versions/{version}?deleted=true"
            assert client.get(url).json()["id"] == schema_id
        for schema_id, body in before.items():
            assert client.get(f"/schemas/ids/{schema_id}").json() == body
        assert client.get("/config/restart-0-value").json() == {"compatibilityLevel": "FULL"}
        assert client.get("/subjects/restart-2-value/versions").json() == [2]
        fresh = client.post(
            "/subjects/restart-new-value/versions",
            json={"schema": record_schema("Fresh", ("x", "int"))},
        )
        assert fresh.json()["id"] == max(registered.values()) + 1
