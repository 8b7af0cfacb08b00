from __future__ import annotations

from typing import Any

import pytest

from pipeway.connect.worker.herder import Herder
from tests.unit.connect.worker.fakes import ALL_PARTITIONS, Cluster, FakeFactory
from tests.unit.connect.worker.plugins import SHARD


@pytest.fixture
def cluster() -> Cluster:
    return Cluster()


@pytest.fixture
def factory() -> FakeFactory:
    return FakeFactory()


@pytest.fixture
def herder(cluster: Cluster, factory: FakeFactory) -> Herder:
    """A herder of a one-worker cluster: it owns every partition."""
    h = cluster.herder(factory=factory)
    h.assigned(set(ALL_PARTITIONS))
    return h


def shard_config(name: str = "shards", **extra: Any) -> dict[str, Any]:
    return {"name": name, "connector.class": SHARD, "topic": "t", "tasks.max": 4, **extra}
