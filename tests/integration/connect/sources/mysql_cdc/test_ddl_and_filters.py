"""Schema evolution after ALTER TABLE and the include/exclude lists (real MariaDB)."""

from __future__ import annotations

import io
from typing import Any, cast

import fastavro
import pytest

from tests.integration.connect.sources.mysql_cdc.conftest import (
    OffsetContext,
    assert_valid,
    data,
    drain,
    execute,
    start_task,
)

pytestmark = pytest.mark.integration


def _row_fields(record: Any) -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = record.value_schema["fields"][0]["type"][1]["fields"]
    return fields


def test_add_column_gives_a_compatible_new_schema(
    settings_for: Any, database: str, root: Any
) -> None:
    t = f"{database}.evolve"
    execute(root, f"CREATE TABLE {t} (id INT PRIMARY KEY, a VARCHAR(10))")
    task = start_task(settings_for(), OffsetContext())
    try:
        drain(task)
        execute(root, f"INSERT INTO {t} VALUES (1, 'x')", f"INSERT INTO {t} VALUES (2, 'y')")
        before = data(drain(task, 2))
        execute(
            root,
            f"ALTER TABLE {t} ADD COLUMN b INT",
            f"INSERT INTO {t} VALUES (3, 'z', 7)",
            f"UPDATE {t} SET b = 8 WHERE id = 1",
            f"ALTER TABLE {t} COMMENT 'no column change'",
            f"INSERT INTO {t} VALUES (4, 'w', 9)",
        )
        after = data(drain(task, 3))
    finally:
        task.stop()
    assert before[0].value_schema is before[1].value_schema
    old = cast(dict[str, Any], before[0].value_schema)
    new = cast(dict[str, Any], after[0].value_schema)
    assert new is not old and after[1].value_schema is new and after[2].value_schema is new
    assert [f["name"] for f in _row_fields(after[0])] == ["id", "a", "b"]
    assert _row_fields(after[0])[2] == {"name": "b", "type": ["null", "int"], "default": None}
    assert after[0].value["after"] == {"id": 3, "a": "z", "b": 7}
    assert after[1].value["before"] == {"id": 1, "a": "x", "b": None}
    for record in after:
        assert_valid(record)
    # old data reads with the new schema: the change is backward compatible
    writer = fastavro.parse_schema(old)
    reader = fastavro.parse_schema(new)
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, writer, before[0].value)
    buf.seek(0)
    decoded: Any = fastavro.schemaless_reader(buf, writer, reader)
    assert decoded["after"]["b"] is None


def test_table_include_and_column_exclude(settings_for: Any, database: str, root: Any) -> None:
    execute(
        root,
        f"CREATE TABLE {database}.keep (id INT PRIMARY KEY, secret VARCHAR(10), v INT)",
        f"CREATE TABLE {database}.skip_me (id INT PRIMARY KEY)",
        f"INSERT INTO {database}.keep VALUES (1, 'pw', 1)",
        f"INSERT INTO {database}.skip_me VALUES (1)",
    )
    settings = settings_for(
        table_include_list=rf"{database}\.KEEP",  # case-insensitive, as in Debezium
        column_exclude_list=rf"{database}\.keep\.secret",
    )
    task = start_task(settings, OffsetContext())
    try:
        snapshot = drain(task, 1)
        execute(
            root,
            f"INSERT INTO {database}.keep VALUES (2, 'pw2', 2)",
            f"INSERT INTO {database}.skip_me VALUES (2)",
        )
        streamed = drain(task, 1)
    finally:
        task.stop()
    assert [r.topic for r in snapshot + streamed] == [f"it.{database}.keep"] * 2
    assert snapshot[0].value["after"] == {"id": 1, "v": 1}
    assert streamed[0].value["after"] == {"id": 2, "v": 2}
    assert [f["name"] for f in _row_fields(streamed[0])] == ["id", "v"]


def test_table_exclude_list(settings_for: Any, database: str, root: Any) -> None:
    execute(
        root,
        f"CREATE TABLE {database}.a (id INT PRIMARY KEY)",
        f"CREATE TABLE {database}.b (id INT PRIMARY KEY)",
    )
    task = start_task(settings_for(table_exclude_list=rf"{database}\.b"), OffsetContext())
    try:
        drain(task)
        execute(
            root, f"INSERT INTO {database}.a VALUES (1)", f"INSERT INTO {database}.b VALUES (1)"
        )
        records = drain(task, 1)
    finally:
        task.stop()
    assert [r.topic for r in records] == [f"it.{database}.a"]


def test_database_exclude_list(settings_for: Any, database: str, root: Any) -> None:
    execute(root, f"CREATE TABLE {database}.a (id INT PRIMARY KEY)")
    settings = settings_for(database_include_list=None, database_exclude_list=database)
    task = start_task(settings, OffsetContext())
    try:
        records = drain(task)
        execute(root, f"INSERT INTO {database}.a VALUES (1)")
        records += drain(task)
    finally:
        task.stop()
    assert all(not r.topic.startswith(f"it.{database}.") for r in records)
