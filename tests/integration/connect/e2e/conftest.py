"""End-to-end fixtures: real worker processes, MariaDB, Kafka and the schema registry."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from pipeway.platform.components.mariadb import MariaDbEndpoint
from tests.integration.connect.sources.mysql_cdc.conftest import database, root
from tests.integration.connect.worker.conftest import spawn_worker, worker_settings

__all__ = ["database", "root", "spawn_worker", "worker_settings"]

pytestmark = pytest.mark.integration


@pytest.fixture
def cdc_config(mariadb: MariaDbEndpoint, database: str) -> Any:
    """``cdc_config(prefix, tables, **extra)``: a ``mysql-cdc`` connector config (Debezium keys)
    capturing ``tables`` of this test's database."""

    def make(prefix: str, tables: list[str], **extra: Any) -> dict[str, Any]:
        return {
            "connector.class": "mysql-cdc",
            "tasks.max": 1,
            "database.hostname": mariadb.host,
            "database.port": mariadb.port,
            "database.user": mariadb.user,
            "database.password": mariadb.password,
            "database.server.id": 1000 + uuid.uuid4().int % 100_000,
            "topic.prefix": prefix,
            "table.include.list": ",".join(f"{database}\\.{t}" for t in tables),
            "poll.interval.ms": 50,
            **extra,
        }

    return make
