"""Change records from one binlog row event: insert → c, update → u, delete → d (+ tombstone).

Everything shared by the rows of an event (source template, offset template, encoder) is
built once per event; per row only the row dicts, the envelope and two small copies are made.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from pymysqlreplication.row_event import DeleteRowsEvent, WriteRowsEvent

from pipeway.connect.api import SourceRecord
from pipeway.connect.sources.mysql_cdc.events import (
    EncoderCache,
    Row,
    RowEncoder,
    change_record,
    fix_empty_sets,
    tombstone,
)
from pipeway.connect.sources.mysql_cdc.native_rows import NativeRows
from pipeway.connect.sources.mysql_cdc.position import BinlogPoint
from pipeway.connect.sources.mysql_cdc.schema_mapping import TableSchema
from pipeway.connect.sources.mysql_cdc.settings import MySqlCdcSettings
from pipeway.connect.sources.mysql_cdc.source_info import CONNECTOR_VERSION


@dataclass(slots=True)
class TxnContext:
    """The transaction being read: where it starts and how much of it is done or skipped."""

    start: BinlogPoint
    key: str | None = None
    gtid: str | None = None
    in_gtid_txn: bool = False
    done_events: int = 0
    skip_events: int = 0
    skip_rows: int = 0
    skip_parts: int = 0
    skip_all: bool = False

    @classmethod
    def begin(cls, start: BinlogPoint, key: str, gtid: bool = True) -> TxnContext:
        return cls(start=start, key=key, gtid=key if gtid else None, in_gtid_txn=gtid)


class RowEventEmitter:
    """Appends the records of one row event to a batch."""

    def __init__(
        self,
        settings: MySqlCdcSettings,
        encoders: EncoderCache,
        partition: dict[str, Any],
        native: NativeRows | None = None,
    ) -> None:
        self._name = settings.topic_prefix
        self._tombstones = settings.tombstones_on_delete
        self._encoders = encoders
        self._partition = partition
        self._native = native
        self._now_ms = 0

    def begin_batch(self) -> None:
        """Envelope ``ts_ms`` is the processing time: one clock read per batch is enough."""
        self._now_ms = int(time.time() * 1000)

    def emit(
        self,
        event: Any,
        schema: TableSchema,
        txn: TxnContext,
        index: int,
        first: int,
        parts: int,
        file: str,
        out: list[SourceRecord],
    ) -> None:
        """Records for rows ``first..`` of ``event`` (the ``index``-th row event of ``txn``),
        leaving out the first ``parts`` records of row ``first`` (emitted before a restart)."""
        encoder = self._encoders(schema)
        source = {
            "version": CONNECTOR_VERSION,
            "connector": "mysql",
            "name": self._name,
            "ts_ms": int(event.timestamp) * 1000,
            "snapshot": "false",
            "db": schema.table.db,
            "sequence": None,
            "table": schema.table.table,
            "server_id": int(event.packet.server_id),
            "gtid": txn.gtid,
            "file": file,
            "pos": int(event.packet.log_pos) - int(event.packet.event_size),
            "row": 0,
            "thread": None,
            "query": None,
        }
        offset = {
            "file": txn.start.file,
            "pos": txn.start.pos,
            "gtids": txn.start.gtids,
            "txn": txn.key,
            "event": index,
            "row": 0,
        }
        rows = self._native.rows(event, schema) if self._native is not None else None
        if rows is None:
            rows = self._python_rows(event, encoder)
        if isinstance(event, WriteRowsEvent):
            self._creates(rows, first, encoder, source, offset, out)
        elif isinstance(event, DeleteRowsEvent):
            self._deletes(rows, first, encoder, source, offset, out, parts)
        else:
            self._updates(rows, first, encoder, source, offset, out, parts)

    def _python_rows(self, event: Any, encoder: RowEncoder) -> list[Any]:
        """Rows decoded by ``mysql-replication`` and converted here: row dicts, or
        ``(before, after)`` for updates (what the native decoder returns)."""
        row = self._row
        if isinstance(event, WriteRowsEvent | DeleteRowsEvent):
            return [row(encoder, raw["values"], raw.get("none_sources")) for raw in event.rows]
        return [
            (
                row(encoder, raw["before_values"], raw.get("before_none_sources")),
                row(encoder, raw["after_values"], raw.get("after_none_sources")),
            )
            for raw in event.rows
        ]

    @staticmethod
    def _row(
        encoder: RowEncoder, values: dict[str, Any], none_sources: dict[str, str] | None
    ) -> dict[str, Any]:
        row = encoder.from_binlog(values)
        if encoder.schema.set_fields:
            fix_empty_sets(row, none_sources, encoder.schema)
        return row

    def _creates(
        self,
        rows: list[Any],
        first: int,
        encoder: RowEncoder,
        source: dict[str, Any],
        offset: dict[str, Any],
        out: list[SourceRecord],
    ) -> None:
        schema, partition, now = encoder.schema, self._partition, self._now_ms
        topic, key_schema, value_schema = schema.topic, schema.key_schema, schema.value_schema
        key_of, copy_source, copy_offset, append = (
            encoder.key_of,
            source.copy,
            offset.copy,
            out.append,
        )
        for i in range(first, len(rows)):
            after = rows[i]
            src = copy_source()
            src["row"] = i
            off = copy_offset()
            off["row"] = i + 1
            envelope = {
                "before": None,
                "after": after,
                "source": src,
                "op": "c",
                "ts_ms": now,
                "transaction": None,
            }
            # what change_record builds, inlined: this loop runs once per inserted row
            key = key_of(after)
            append(SourceRecord(topic, key, envelope, partition, off, key_schema, value_schema))

    def _deletes(
        self,
        rows: list[Any],
        first: int,
        encoder: RowEncoder,
        source: dict[str, Any],
        offset: dict[str, Any],
        out: list[SourceRecord],
        parts: int,
    ) -> None:
        for i in range(first, len(rows)):
            before = rows[i]
            key = encoder.key(before)
            produced = self._delete_parts(key, before, self._source(source, i))
            self._finish_row(encoder.schema, produced, i, offset, parts if i == first else 0, out)

    def _delete_parts(
        self, key: Row | None, before: Row, source: dict[str, Any]
    ) -> list[tuple[Row | None, dict[str, Any] | None]]:
        """A delete event, then its tombstone (when enabled and the table has a key)."""
        envelope = {
            "before": before,
            "after": None,
            "source": source,
            "op": "d",
            "ts_ms": self._now_ms,
            "transaction": None,
        }
        produced: list[tuple[Row | None, dict[str, Any] | None]] = [(key, envelope)]
        if self._tombstones and key is not None:
            produced.append((key, None))
        return produced

    def _updates(
        self,
        rows: list[Any],
        first: int,
        encoder: RowEncoder,
        source: dict[str, Any],
        offset: dict[str, Any],
        out: list[SourceRecord],
        parts: int,
    ) -> None:
        """Updates; one that changes the primary key becomes delete + tombstone + create,
        as in Debezium."""
        for i in range(first, len(rows)):
            before, after = rows[i]
            key, old_key = encoder.key(after), encoder.key(before)
            src = self._source(source, i)
            produced: list[tuple[Row | None, dict[str, Any] | None]] = []
            before_value: Row | None = before
            if key != old_key:
                produced = self._delete_parts(old_key, before, src)
                before_value = None
            envelope = {
                "before": before_value,
                "after": after,
                "source": src,
                "op": "u" if before_value is not None else "c",
                "ts_ms": self._now_ms,
                "transaction": None,
            }
            produced.append((key, envelope))
            self._finish_row(encoder.schema, produced, i, offset, parts if i == first else 0, out)

    @staticmethod
    def _source(template: dict[str, Any], row: int) -> dict[str, Any]:
        source = template.copy()
        source["row"] = row
        return source

    def _finish_row(
        self,
        schema: TableSchema,
        produced: list[tuple[Row | None, dict[str, Any] | None]],
        i: int,
        template: dict[str, Any],
        skip: int,
        out: list[SourceRecord],
    ) -> None:
        """Offsets for a row's records: only the last marks the row done; earlier ones
        count the parts emitted, so a restart neither repeats nor drops a tombstone."""
        last = len(produced) - 1
        for part, (key, envelope) in enumerate(produced):
            if part < skip:
                continue
            offset = template.copy()
            if part == last:
                offset["row"] = i + 1
            else:
                offset["row"], offset["part"] = i, part + 1
            if envelope is None and key is not None:
                out.append(tombstone(schema, key, self._partition, offset))
            else:
                out.append(change_record(schema, key, envelope or {}, self._partition, offset))
