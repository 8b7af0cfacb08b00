from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient

from pipeway.registry import RegistrySettings, create_app
from tests.unit.registry.memory_log import Messages, memory_log_factory

V1 = "application/vnd.schemaregistry.v1+json"


def avro_record(name: str, *fields: tuple[str, Any] | tuple[str, Any, Any]) -> str:
    """An Avro record schema text; a field is (name, type) or (name, type, default)."""
    out = []
    for field in fields:
        spec: dict[str, Any] = {"name": field[0], "type": field[1]}
        if len(field) == 3:
            spec["default"] = field[2]
        out.append(spec)
    return orjson.dumps({"type": "record", "name": name, "fields": out}).decode()


@pytest.fixture
def messages() -> Messages:
    return []


@pytest.fixture
def client(messages: Messages) -> Iterator[TestClient]:
    settings = RegistrySettings(bootstrap_servers="unused:9092")
    app = create_app(settings, log_factory=memory_log_factory(messages))
    with TestClient(app, headers={"Content-Type": V1}) as test_client:
        yield test_client
