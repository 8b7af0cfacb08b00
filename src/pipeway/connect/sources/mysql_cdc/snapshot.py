"""The initial consistent snapshot: every captured row as a read (``op: "r"``) event.

As Debezium's default (``snapshot.locking.mode=minimal``): take the global read lock, open a
``REPEATABLE READ`` transaction ``WITH CONSISTENT SNAPSHOT``, read the binlog position and
GTID state and the table definitions, release the lock. Writers wait only for those few
milliseconds; the rows are then read from the transaction's snapshot, which is exactly the
state at the recorded position, so streaming from it afterwards loses and repeats nothing.
Rows are read with an unbuffered cursor, a batch per poll.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

import pymysql
import pymysql.cursors

from pipeway.connect.api import SourceRecord
from pipeway.connect.sources.mysql_cdc.catalog import captured_tables, read_table
from pipeway.connect.sources.mysql_cdc.events import EncoderCache, change_record
from pipeway.connect.sources.mysql_cdc.filters import CaptureFilter
from pipeway.connect.sources.mysql_cdc.position import BinlogPoint, snapshot_offset
from pipeway.connect.sources.mysql_cdc.schema_mapping import TableSchema
from pipeway.connect.sources.mysql_cdc.server import current_point
from pipeway.connect.sources.mysql_cdc.settings import MySqlCdcSettings
from pipeway.connect.sources.mysql_cdc.source_info import source_block
from pipeway.connect.sources.mysql_cdc.tables import SchemaCache

log = logging.getLogger(__name__)


def _quote(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


class SnapshotReader:
    """Reads every captured table inside one consistent-snapshot transaction."""

    def __init__(
        self,
        settings: MySqlCdcSettings,
        conn: Any,
        is_mariadb: bool,
        capture: CaptureFilter,
        schemas: SchemaCache,
        partition: dict[str, Any],
    ) -> None:
        self._settings = settings
        self._conn = conn
        self._is_mariadb = is_mariadb
        self._capture = capture
        self._schemas = schemas
        self._partition = partition
        self._encoders = EncoderCache()
        self._tables: list[TableSchema] = []
        self._rows: Iterator[tuple[TableSchema, tuple[Any, ...]]] | None = None
        self._held: tuple[TableSchema, tuple[Any, ...]] | None = None
        self._server_id = 0
        self._started_ms = 0
        self.point = BinlogPoint("", 0)
        self.finished = False
        self.rows_read = 0

    def begin(self) -> BinlogPoint:
        """Open the snapshot transaction and record its binlog point (under the lock)."""
        self._started_ms = int(time.time() * 1000)
        with self._conn.cursor() as cur:
            cur.execute("SELECT @@server_id")
            self._server_id = int(cur.fetchone()[0])
            cur.execute("FLUSH TABLES WITH READ LOCK")
            try:
                cur.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cur.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
                self.point = current_point(self._conn, self._is_mariadb)
                self._tables = self._read_definitions()
            finally:
                cur.execute("UNLOCK TABLES")
        log.info("snapshot started point=%s tables=%d", self.point.describe(), len(self._tables))
        self._rows = self._all_rows()
        return self.point

    def _read_definitions(self) -> list[TableSchema]:
        schemas = []
        for db, table in captured_tables(self._conn, self._capture):
            definition = read_table(self._conn, db, table)
            if definition is not None:
                schemas.append(self._schemas.put(definition))
        return schemas

    def _all_rows(self) -> Iterator[tuple[TableSchema, tuple[Any, ...]]]:
        fetch = self._settings.snapshot_fetch_size
        for schema in self._tables:
            columns = ", ".join(_quote(f.column) for f in schema.fields)
            table = f"{_quote(schema.table.db)}.{_quote(schema.table.table)}"
            with self._conn.cursor(pymysql.cursors.SSCursor) as cur:
                cur.execute(f"SELECT {columns} FROM {table}")
                while rows := cur.fetchmany(fetch):
                    for row in rows:
                        yield schema, row

    def next_batch(self, max_rows: int) -> list[SourceRecord]:
        """Up to ``max_rows`` read events; the very last one is marked ``snapshot: last``."""
        if self._rows is None or self.finished:
            return []
        out: list[SourceRecord] = []
        now_ms = int(time.time() * 1000)
        for item in self._rows:
            if self._held is not None:
                out.append(self._record(*self._held, now_ms, last=False))
            self._held = item
            if len(out) >= max_rows:
                return out
        if self._held is not None:
            out.append(self._record(*self._held, now_ms, last=True))
            self._held = None
        self._finish()
        return out

    def _record(
        self, schema: TableSchema, raw: tuple[Any, ...], now_ms: int, last: bool
    ) -> SourceRecord:
        encoder = self._encoders(schema)
        row = encoder.from_snapshot(raw)
        self.rows_read += 1
        source = source_block(
            server_name=self._settings.topic_prefix,
            db=schema.table.db,
            table=schema.table.table,
            ts_ms=self._started_ms,
            snapshot="last" if last else "true",
            server_id=self._server_id,
            gtid=None,
            file=self.point.file,
            pos=self.point.pos,
            row=0,
        )
        envelope = {
            "before": None,
            "after": row,
            "source": source,
            "op": "r",
            "ts_ms": now_ms,
            "transaction": None,
        }
        offset = snapshot_offset(self.point, completed=last)
        return change_record(schema, encoder.key(row), envelope, self._partition, offset)

    def _finish(self) -> None:
        self.finished = True
        try:
            with self._conn.cursor() as cur:
                cur.execute("COMMIT")
        except pymysql.MySQLError as exc:
            log.warning("ending the snapshot transaction failed: %s", exc)
        log.info("snapshot finished rows=%d", self.rows_read)

    def close(self) -> None:
        with contextlib.suppress(pymysql.MySQLError):
            self._conn.close()
