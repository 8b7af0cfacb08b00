"""Resuming by MariaDB GTID: exact after any committed record, across binlog rotation and
purge, from an offset whose file/pos the server does not have, and over a large backlog."""

from __future__ import annotations

import time
from typing import Any

import pytest

from pipeway.connect.sources.mysql_cdc.exceptions import OffsetNotAvailable
from pipeway.connect.sources.mysql_cdc.task import MySqlCdcTask
from tests.integration.connect.sources.mysql_cdc.conftest import (
    OffsetContext,
    drain,
    execute,
    start_task,
)

pytestmark = pytest.mark.integration


def _ops(records: list[Any]) -> list[tuple[str, str, Any]]:
    return [(r.topic, r.value["op"] if r.value else "tombstone", r.key) for r in records]


def _binlogs(root: Any) -> list[str]:
    with root.cursor() as cur:
        cur.execute("SHOW BINARY LOGS")
        return [str(row[0]) for row in cur.fetchall()]


def _purge_all_but_the_newest(root: Any) -> None:
    """Rotate, then purge every older file (retried: MariaDB keeps a file until its binlog
    checkpoint has moved on, which happens shortly after the rotation)."""
    execute(root, "FLUSH BINARY LOGS")
    newest = _binlogs(root)[-1]
    deadline = time.monotonic() + 10
    while _binlogs(root) != [newest] and time.monotonic() < deadline:
        execute(root, f"PURGE BINARY LOGS TO '{newest}'")
        time.sleep(0.1)
    assert _binlogs(root) == [newest]


def _streamer(task: MySqlCdcTask) -> Any:
    assert task.streamer is not None
    return task.streamer


def _two_transactions(root: Any, a: str, b: str) -> None:
    """Two transactions of several row events each (inserts, a delete, an update)."""
    execute(
        root,
        "BEGIN",
        f"INSERT INTO {a} VALUES (1, 'x'), (2, 'x'), (3, 'x')",
        f"INSERT INTO {b} VALUES (1, 'y'), (2, 'y')",
        f"DELETE FROM {a} WHERE id = 2",
        "COMMIT",
        "BEGIN",
        f"UPDATE {a} SET v = 'z' WHERE id IN (1, 3)",
        f"INSERT INTO {b} VALUES (3, 'y')",
        "COMMIT",
    )


def test_restart_resumes_by_gtid_across_rotation_and_purge(
    settings_for: Any, database: str, root: Any
) -> None:
    """Cut after every record; the binlog rotated twice and the files before the cut's
    transaction were purged; every restart connects by GTID and continues exactly."""
    a, b = f"{database}.a", f"{database}.b"
    execute(
        root,
        f"CREATE TABLE {a} (id INT PRIMARY KEY, v VARCHAR(8))",
        f"CREATE TABLE {b} (id INT PRIMARY KEY, v VARCHAR(8))",
        f"INSERT INTO {b} VALUES (0, 'seed')",
    )
    context = OffsetContext()
    task = start_task(settings_for(), context)
    try:
        context.commit(drain(task, 1))  # the snapshot
        execute(root, "FLUSH BINARY LOGS")
        _two_transactions(root, a, b)
        execute(root, "FLUSH BINARY LOGS")
        execute(root, f"INSERT INTO {a} VALUES (10, 'w')")
        full = drain(task, 11)
    finally:
        task.stop()
    expected = _ops(full)
    assert len(expected) == 11 and expected[-1][1:] == ("c", {"id": 10})
    first_file = full[0].source_offset["file"]
    execute(root, f"PURGE BINARY LOGS TO '{first_file}'")
    assert _binlogs(root)[0] == first_file
    execute(root, "FLUSH BINARY LOGS", f"INSERT INTO {b} VALUES (20, 'w')")
    later = [(f"it.{database}.b", "c", {"id": 20})]
    for cut in range(len(full) + 1):
        resumed = OffsetContext(context.offsets)
        resumed.commit(full[:cut])
        task = start_task(settings_for(), resumed)
        try:
            assert _streamer(task).by_gtid
            rest = drain(task, len(full) - cut + 1)
            assert _streamer(task).gtid_dumps >= 1
        finally:
            task.stop()
        assert _ops(rest) == expected[cut:] + later, f"cut after {cut} records"


def test_offset_with_foreign_file_resumes_by_gtid(
    settings_for: Any, database: str, root: Any
) -> None:
    """An offset whose binlog file this server does not have (taken on another server of
    the same replication topology) resumes from its GTIDs; once those are purged too, the
    task fails naming the position."""
    a, b = f"{database}.a", f"{database}.b"
    execute(
        root,
        f"CREATE TABLE {a} (id INT PRIMARY KEY, v VARCHAR(8))",
        f"CREATE TABLE {b} (id INT PRIMARY KEY, v VARCHAR(8))",
        f"INSERT INTO {b} VALUES (0, 'seed')",
    )
    context = OffsetContext()
    task = start_task(settings_for(), context)
    try:
        context.commit(drain(task, 1))
        _two_transactions(root, a, b)
        full = drain(task, 10)
    finally:
        task.stop()
    cut = 4  # inside the first transaction, after its second row event began
    foreign = {**full[cut - 1].source_offset, "file": "other-bin.000042", "pos": 4}
    assert foreign["gtids"] and foreign["txn"]
    task = start_task(settings_for(), OffsetContext({"it": foreign}))
    try:
        assert _streamer(task).by_gtid
        rest = drain(task, len(full) - cut)
    finally:
        task.stop()
    assert _ops(rest) == _ops(full)[cut:]

    _purge_all_but_the_newest(root)
    with pytest.raises(OffsetNotAvailable, match="other-bin.000042"):
        start_task(settings_for(), OffsetContext({"it": foreign}))


def test_large_backlog_streams_by_gtid_without_resets(
    settings_for: Any, database: str, root: Any
) -> None:
    """100,000 rows (~11 MB of binlog, far more than the socket buffers) read through one
    GTID-positioned dump: no dropped connection, every row once."""
    t = f"{database}.big"
    execute(root, f"CREATE TABLE {t} (id INT PRIMARY KEY, v VARCHAR(100))")
    execute(root, f"INSERT INTO {t} VALUES (-1, 'seed')")
    context = OffsetContext()
    task = start_task(settings_for(), context)
    try:
        context.commit(drain(task, 1))
    finally:
        task.stop()
    for chunk in range(100):
        values = ", ".join(f"({chunk * 1000 + i}, REPEAT('v', 100))" for i in range(1000))
        execute(root, f"INSERT INTO {t} VALUES {values}")
    task = start_task(settings_for(max_batch_size=4096), context)
    try:
        assert _streamer(task).by_gtid
        records = drain(task, 100_000, max_polls=400)
        streamer = _streamer(task)
        assert streamer.gtid_dumps == 1
        assert streamer.connections_lost == 0
    finally:
        task.stop()
    ids = [r.key["id"] for r in records]
    assert len(ids) == len(set(ids)) == 100_000
