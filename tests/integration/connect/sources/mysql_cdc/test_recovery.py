"""A killed replication connection mid-stream: the task recovers with no loss or duplicates."""

from __future__ import annotations

from typing import Any

import pymysql
import pytest

from tests.integration.connect.sources.mysql_cdc.conftest import (
    OffsetContext,
    drain,
    execute,
    start_task,
)

pytestmark = pytest.mark.integration

CHUNKS = 20
ROWS = CHUNKS * 300


def _kill_binlog_dumps(root: Any, user: str) -> int:
    with root.cursor() as cur:
        cur.execute(
            "SELECT ID FROM information_schema.PROCESSLIST"
            " WHERE COMMAND = 'Binlog Dump' AND USER = %s",
            (user,),
        )
        ids = [row[0] for row in cur.fetchall()]
        killed = 0
        for thread in ids:
            try:
                cur.execute(f"KILL {int(thread)}")
                killed += 1
            except pymysql.err.OperationalError:  # it finished sending meanwhile
                pass
    return killed


@pytest.mark.parametrize(
    ("resumed", "by_gtid", "prefetch"),
    [(False, True, 0), (True, True, 0), (True, False, 0), (True, True, 64)],
    ids=["after-snapshot", "resumed-by-gtid", "resumed-by-file-pos", "reader-thread"],
)
def test_killed_replication_connection_loses_nothing(
    settings_for: Any,
    database: str,
    root: Any,
    mariadb: Any,
    resumed: bool,
    by_gtid: bool,
    prefetch: int,
) -> None:
    """``KILL <thread id>`` of the binlog dump thread from another session, mid-stream,
    several times: straight after the snapshot, and after a restart from a committed offset
    (positioned by GTID, or by file/pos when the offset has no GTIDs; events read on the
    task thread or on a reader thread)."""
    t = f"{database}.big"
    execute(root, f"CREATE TABLE {t} (id INT PRIMARY KEY, v VARCHAR(2000))")
    execute(root, f"INSERT INTO {t} VALUES (-1, 'seed')")
    context = OffsetContext()
    task = start_task(settings_for(max_batch_size=200), context)
    try:
        context.commit(drain(task, 1))
        if resumed:
            task.stop()
            if not by_gtid:
                context.offsets["it"] = {**context.offsets["it"], "gtids": None}
            task = start_task(
                settings_for(max_batch_size=200, binlog_prefetch_events=prefetch), context
            )
        assert task.streamer is not None and task.streamer.by_gtid is by_gtid
        # 20 transactions of 300 rows (~11 MB): more than the socket buffers hold, so the
        # server's dump thread is still sending when it is killed
        for chunk in range(CHUNKS):
            values = ", ".join(f"({chunk * 300 + i}, REPEAT('v', 1900))" for i in range(300))
            execute(
                root,
                "BEGIN",
                f"INSERT INTO {t} VALUES {values}",
                f"DELETE FROM {t} WHERE id = {chunk * 300}",
                "COMMIT",
            )
        records = list(task.poll())
        kills = 0
        for attempt in range(200):
            if attempt < 10:
                kills += _kill_binlog_dumps(root, mariadb.user)
            batch = list(task.poll())
            records.extend(batch)
            if not batch and len(records) >= ROWS + 2 * CHUNKS:
                break
        lost = task.streamer.connections_lost
    finally:
        task.stop()
    assert kills >= 1 and lost >= 1
    events = [(r.value["op"] if r.value else "t", r.key["id"]) for r in records]
    assert len(events) == len(set(events)) == ROWS + 2 * CHUNKS
    assert {i for op, i in events if op == "c"} == set(range(ROWS))
