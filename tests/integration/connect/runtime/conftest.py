"""Fixtures: a worker pointing at the session's Kafka and registry, and an offset store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipeway.connect.runtime.contract import WorkerSettings
from pipeway.connect.runtime.offsets import OffsetStore
from pipeway.testing.services import unique_name


@pytest.fixture
def worker(kafka_bootstrap: str, registry_url: str) -> WorkerSettings:
    return WorkerSettings.model_validate(
        {
            "bootstrap.servers": kafka_bootstrap,
            "schema.registry.url": registry_url,
            "offset.flush.interval.ms": 100,
        }
    )


@pytest.fixture
def offset_topic() -> str:
    return unique_name("connect-offsets")


@pytest.fixture
def offsets(kafka_bootstrap: str, offset_topic: str) -> Iterator[OffsetStore]:
    store = OffsetStore(kafka_bootstrap, offset_topic)
    store.start()
    yield store
    store.close()
