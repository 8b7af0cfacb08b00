"""Helpers for driving the CDC task directly against the session's real MariaDB."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Any, cast

import fastavro
import pymysql
import pytest

from pipeway.connect.api import SourceRecord
from pipeway.connect.sources.mysql_cdc.settings import MySqlCdcSettings
from pipeway.connect.sources.mysql_cdc.task import MySqlCdcTask
from pipeway.platform.components.mariadb import MariaDbEndpoint


class OffsetContext:
    """A SourceTaskContext whose committed offsets are a plain dict."""

    connector_name = "mysql-cdc-test"
    task_id = 0

    def __init__(self, offsets: dict[str, Mapping[str, Any]] | None = None) -> None:
        self.offsets = dict(offsets or {})

    def offset(self, partition: Mapping[str, Any]) -> Mapping[str, Any] | None:
        return self.offsets.get(partition["server"])

    def commit(self, records: list[SourceRecord]) -> None:
        """Store the latest offset, as the runtime does once Kafka acknowledged records."""
        for record in records:
            self.offsets[record.source_partition["server"]] = record.source_offset


@pytest.fixture
def root(mariadb: MariaDbEndpoint) -> Iterator[Any]:
    conn = pymysql.connect(
        host=mariadb.host,
        port=mariadb.port,
        user=mariadb.root_user,
        password=mariadb.root_password,
        autocommit=True,
    )
    yield conn
    conn.close()


@pytest.fixture
def database(root: Any) -> Iterator[str]:
    """A database of this test only (dropped afterwards)."""
    name = f"cdc_{uuid.uuid4().hex[:10]}"
    with root.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name}")
    yield name
    with root.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {name}")


@pytest.fixture
def settings_for(mariadb: MariaDbEndpoint, database: str) -> Any:
    """``settings_for(**overrides)``: settings capturing only this test's database."""

    def make(**overrides: Any) -> MySqlCdcSettings:
        config: dict[str, Any] = {
            "database.hostname": mariadb.host,
            "database.port": mariadb.port,
            "database.user": mariadb.user,
            "database.password": mariadb.password,
            "database.server.id": 1000 + uuid.uuid4().int % 100_000,
            "topic.prefix": "it",
            "database.include.list": database,
            "poll.interval.ms": 50,
        }
        config.update({k.replace("_", "."): v for k, v in overrides.items()})
        return MySqlCdcSettings.model_validate(config)

    return make


def execute(conn: Any, *statements: str) -> None:
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)


def start_task(settings: MySqlCdcSettings, context: OffsetContext) -> MySqlCdcTask:
    task = MySqlCdcTask(settings, {}, context)
    task.start()
    return task


def drain(task: MySqlCdcTask, min_records: int = 0, max_polls: int = 60) -> list[SourceRecord]:
    """Poll until ``min_records`` arrived and then a poll comes back empty."""
    out: list[SourceRecord] = []
    for _ in range(max_polls):
        batch = list(task.poll())
        out.extend(batch)
        if not batch and len(out) >= min_records:
            break
    return out


def data(records: list[SourceRecord]) -> list[SourceRecord]:
    """Records that are change events (tombstones left out)."""
    return [r for r in records if r.value is not None]


def assert_valid(record: SourceRecord) -> None:
    """Key and value validate against the schemas they travel with."""
    value_schema = cast(dict[str, Any], record.value_schema)
    parsed = fastavro.parse_schema(value_schema)
    fastavro.validation.validate(record.value, parsed, raise_errors=True)
    if record.key_schema is not None:
        key_schema = fastavro.parse_schema(record.key_schema)
        fastavro.validation.validate(record.key, key_schema, raise_errors=True)
