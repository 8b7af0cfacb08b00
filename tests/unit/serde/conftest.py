"""Fixtures for serde unit tests: a fake registry reachable by both registry clients."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient

from pipeway.serde import RegistryClient, SerializationContext

from .fake_registry import FakeRegistry

REGISTRY_URL = "http://registry.test:8081"


@pytest.fixture
def fake_registry() -> FakeRegistry:
    return FakeRegistry()


@pytest.fixture
def registry(fake_registry: FakeRegistry) -> Iterator[RegistryClient]:
    client = RegistryClient(REGISTRY_URL, transport=fake_registry.transport())
    yield client
    client.close()


@pytest.fixture
def confluent_registry(fake_registry: FakeRegistry) -> SchemaRegistryClient:
    """confluent-kafka's own client, its HTTP session pointed at the same fake store."""
    client = SchemaRegistryClient({"url": REGISTRY_URL})
    rest = getattr(client, "_rest_client", None)
    if rest is None or not hasattr(rest, "session"):
        pytest.fail("confluent-kafka internals changed: cannot attach a mock transport")
    rest.session = httpx.Client(transport=fake_registry.transport())
    return client


@pytest.fixture
def value_ctx() -> SerializationContext:
    return SerializationContext("users", "value")
