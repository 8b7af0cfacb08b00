"""Snapshot, streaming, deletes and exact resume from committed offsets (real MariaDB)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from pipeway.connect.sources.mysql_cdc.exceptions import OffsetNotAvailable
from tests.integration.connect.sources.mysql_cdc.conftest import (
    OffsetContext,
    assert_valid,
    data,
    drain,
    execute,
    start_task,
)

pytestmark = pytest.mark.integration


def _ops(records: list[Any]) -> list[tuple[str, Any]]:
    return [(r.value["op"] if r.value else "tombstone", r.key) for r in records]


def test_snapshot_then_streaming_then_restart(settings_for: Any, database: str, root: Any) -> None:
    t = f"{database}.items"
    execute(root, f"CREATE TABLE {t} (id INT PRIMARY KEY, name VARCHAR(20))")
    execute(root, *(f"INSERT INTO {t} VALUES ({i}, 'n{i}')" for i in range(1, 4)))
    context = OffsetContext()
    task = start_task(settings_for(), context)
    snapshot = drain(task, 3)
    assert [r.value["source"]["snapshot"] for r in snapshot] == ["true", "true", "last"]
    assert [r.value["op"] for r in snapshot] == ["r"] * 3
    assert "snapshot" in snapshot[0].source_offset and "snapshot" not in snapshot[-1].source_offset
    execute(
        root,
        f"INSERT INTO {t} VALUES (4, 'n4')",
        f"UPDATE {t} SET name = 'one' WHERE id = 1",
        f"DELETE FROM {t} WHERE id = 2",
    )
    streamed = drain(task, 4)
    assert _ops(streamed) == [
        ("c", {"id": 4}),
        ("u", {"id": 1}),
        ("d", {"id": 2}),
        ("tombstone", {"id": 2}),
    ]
    update = streamed[1].value
    assert update["before"] == {"id": 1, "name": "n1"} and update["after"] == {
        "id": 1,
        "name": "one",
    }
    source = update["source"]
    assert source["snapshot"] == "false" and source["gtid"] and source["db"] == database
    assert (
        source["table"] == "items" and source["server_id"] == 1 and source["connector"] == "mysql"
    )
    assert (
        streamed[2].value["before"] == {"id": 2, "name": "n2"}
        and streamed[2].value["after"] is None
    )
    assert streamed[3].value_schema is None
    for record in data(snapshot + streamed):
        assert_valid(record)
    assert snapshot[0].source_partition == {"server": "it"}
    context.commit(snapshot + streamed)
    task.stop()

    execute(root, f"INSERT INTO {t} VALUES (5, 'n5')", f"DELETE FROM {t} WHERE id = 3")
    task = start_task(settings_for(), context)
    try:
        again = drain(task, 3)
    finally:
        task.stop()
    assert _ops(again) == [("c", {"id": 5}), ("d", {"id": 3}), ("tombstone", {"id": 3})]


def test_resume_after_any_committed_record_of_a_transaction(
    settings_for: Any, database: str, root: Any
) -> None:
    """A transaction spanning several row events and tables, cut after every record."""
    a, b = f"{database}.a", f"{database}.b"
    execute(
        root, f"CREATE TABLE {a} (id INT PRIMARY KEY)", f"CREATE TABLE {b} (id INT PRIMARY KEY)"
    )
    execute(root, f"INSERT INTO {a} VALUES (100)")
    context = OffsetContext()
    task = start_task(settings_for(), context)
    context.commit(drain(task, 1))  # the snapshot
    execute(
        root,
        "BEGIN",
        f"INSERT INTO {a} VALUES (1), (2), (3)",
        f"INSERT INTO {b} VALUES (1), (2)",
        f"DELETE FROM {a} WHERE id IN (1, 100)",
        f"INSERT INTO {a} VALUES (4)",
        "COMMIT",
        f"INSERT INTO {b} VALUES (3)",
    )
    full = drain(task, 11)
    task.stop()
    expected = [(r.topic, *op) for r, op in zip(full, _ops(full), strict=True)]
    assert len(expected) == 11
    for cut in range(len(full) + 1):
        resumed = OffsetContext(context.offsets)
        resumed.commit(full[:cut])
        task = start_task(settings_for(), resumed)
        try:
            rest = drain(task, len(full) - cut)
        finally:
            task.stop()
        got = [(r.topic, *op) for r, op in zip(rest, _ops(rest), strict=True)]
        assert got == expected[cut:], f"cut after {cut} records"


def test_tombstones_can_be_turned_off_and_keyless_tables(
    settings_for: Any, database: str, root: Any
) -> None:
    execute(
        root,
        f"CREATE TABLE {database}.k (id INT PRIMARY KEY)",
        f"CREATE TABLE {database}.nokey (v INT)",
    )
    task = start_task(settings_for(tombstones_on_delete=False), OffsetContext())
    try:
        drain(task)
        execute(
            root,
            f"INSERT INTO {database}.k VALUES (1)",
            f"DELETE FROM {database}.k",
            f"INSERT INTO {database}.nokey VALUES (7)",
            f"DELETE FROM {database}.nokey",
        )
        records = drain(task, 4)
    finally:
        task.stop()
    assert _ops(records) == [("c", {"id": 1}), ("d", {"id": 1}), ("c", None), ("d", None)]
    assert records[2].key_schema is None


def test_primary_key_change_is_delete_tombstone_create(
    settings_for: Any, database: str, root: Any
) -> None:
    execute(
        root,
        f"CREATE TABLE {database}.k (id INT PRIMARY KEY, v INT)",
        f"INSERT INTO {database}.k VALUES (1, 1)",
    )
    task = start_task(settings_for(), OffsetContext())
    try:
        drain(task, 1)
        execute(root, f"UPDATE {database}.k SET id = 2 WHERE id = 1")
        records = drain(task, 3)
    finally:
        task.stop()
    assert _ops(records) == [("d", {"id": 1}), ("tombstone", {"id": 1}), ("c", {"id": 2})]
    assert records[2].value["after"] == {"id": 2, "v": 1}


def test_snapshot_modes(settings_for: Any, database: str, root: Any) -> None:
    t = f"{database}.m"
    execute(root, f"CREATE TABLE {t} (id INT PRIMARY KEY)", f"INSERT INTO {t} VALUES (1), (2)")

    task = start_task(settings_for(snapshot_mode="never"), OffsetContext())
    try:  # reads the binlog from its beginning: the inserts come as creates
        assert _ops(drain(task, 2)) == [("c", {"id": 1}), ("c", {"id": 2})]
    finally:
        task.stop()

    context = OffsetContext()
    task = start_task(settings_for(snapshot_mode="initial_only"), context)
    try:
        snapshot = drain(task, 2)
        execute(root, f"INSERT INTO {t} VALUES (3)")
        assert drain(task, 0, max_polls=3) == []
    finally:
        task.stop()
    assert _ops(snapshot) == [("r", {"id": 1}), ("r", {"id": 2})]

    gone: dict[str, Mapping[str, Any]] = {
        "it": {"file": "mysql-bin.999999", "pos": 4, "gtids": None}
    }
    with pytest.raises(OffsetNotAvailable, match="mysql-bin.999999"):
        start_task(settings_for(), OffsetContext(gone))
    task = start_task(settings_for(snapshot_mode="when_needed"), OffsetContext(gone))
    try:
        assert [op for op, _ in _ops(drain(task, 3))] == ["r", "r", "r"]
    finally:
        task.stop()


def test_interrupted_snapshot_starts_over(settings_for: Any, database: str, root: Any) -> None:
    t = f"{database}.s"
    execute(root, f"CREATE TABLE {t} (id INT PRIMARY KEY)", f"INSERT INTO {t} VALUES (1), (2), (3)")
    context = OffsetContext()
    task = start_task(settings_for(max_batch_size=1), context)
    first = list(task.poll())
    task.stop()
    context.commit(first)
    assert first and first[0].source_offset.get("snapshot") is True
    task = start_task(settings_for(), context)
    try:
        assert [op for op, _ in _ops(drain(task, 3))] == ["r", "r", "r"]
    finally:
        task.stop()
