"""Reading row changes from the binlog with ``mysql-replication``.

The dump runs non-blocking: the server sends what it has and an EOF; the next poll
reconnects from where the stream ended. Events are read on the task thread, or with
``binlog.prefetch.events`` > 0 on a reader thread a bounded number ahead (``prefetch``).
Positions are tracked per transaction (see :mod:`position`): each record's offset names its
transaction's start and how many row events and rows of it are complete, and a reconnect
(after EOF, a dropped connection or a restart) skips exactly what was already emitted.
Transactions whose GTID is already in the tracked GTID state are skipped whole (a server
may replay from an older GTID).
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

import pymysql
from pymysqlreplication.event import (
    GtidEvent,
    MariadbGtidEvent,
    QueryEvent,
    RotateEvent,
    XidEvent,
)
from pymysqlreplication.row_event import DeleteRowsEvent, UpdateRowsEvent, WriteRowsEvent

from pipeway.connect.api import SourceRecord
from pipeway.connect.sources.mysql_cdc.binlog_reader import BinlogReader
from pipeway.connect.sources.mysql_cdc.events import EncoderCache
from pipeway.connect.sources.mysql_cdc.gtid import (
    GtidState,
    MariaDbGtid,
    MariaDbGtidPos,
    MySqlGtidSet,
    parse_gtid_state,
)
from pipeway.connect.sources.mysql_cdc.native_rows import NativeRows
from pipeway.connect.sources.mysql_cdc.position import BinlogPoint, ResumePoint
from pipeway.connect.sources.mysql_cdc.prefetch import (
    EndOfStream,
    EventPrefetcher,
    InlineFeed,
    ReadFailed,
)
from pipeway.connect.sources.mysql_cdc.row_events import RowEventEmitter, TxnContext
from pipeway.connect.sources.mysql_cdc.server import connection_kwargs
from pipeway.connect.sources.mysql_cdc.settings import MySqlCdcSettings
from pipeway.connect.sources.mysql_cdc.tables import SchemaCache

log = logging.getLogger(__name__)

ROW_EVENTS = (WriteRowsEvent, UpdateRowsEvent, DeleteRowsEvent)
GTID_EVENTS = (MariadbGtidEvent, GtidEvent)
ONLY_EVENTS = [*ROW_EVENTS, *GTID_EVENTS, RotateEvent, QueryEvent, XidEvent]
_TXN_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "XA ", "SAVEPOINT")
CONNECTION_ERRORS = (pymysql.MySQLError, OSError)
SKIP_ALL_EVENTS = 1 << 62


class BinlogStreamer:
    """Turns binlog events into change records, resuming exactly after a ``ResumePoint``."""

    def __init__(
        self,
        settings: MySqlCdcSettings,
        is_mariadb: bool,
        schemas: SchemaCache,
        partition: dict[str, Any],
        start: ResumePoint,
        use_gtid: bool,
        native: bool = False,
    ) -> None:
        self._settings = settings
        self._is_mariadb = is_mariadb
        self._schemas = schemas
        self.native: NativeRows | None = NativeRows() if native else None
        """The compiled row decoder's dispatcher; None: every row event is decoded in Python."""
        self._emitter = RowEventEmitter(settings, EncoderCache(), partition, self.native)
        self._feed: EventPrefetcher | InlineFeed | None = None
        self._state: GtidState | None = (
            parse_gtid_state(start.point.gtids, is_mariadb) if start.point.gtids else None
        )
        self._file = start.point.file
        self._txn = TxnContext(start=start.point)
        self._resume: ResumePoint | None = start if start.txn else None
        self.by_gtid = use_gtid
        """Connect by GTID (at start and after a lost connection; EOFs resume by file/pos)."""
        self.gtid_dumps = 0
        """Dumps requested by GTID so far."""
        self.connections_lost = 0
        """Binlog connections that dropped while streaming."""
        self._next: tuple[BinlogPoint, bool] = (start.point, use_gtid and bool(start.point.gtids))
        self._idle_until = 0.0
        self.events_read = 0

    # ------------------------------------------------------------ connection

    def _open(self) -> EventPrefetcher | InlineFeed:
        point, by_gtid = self._next
        kwargs: dict[str, Any] = {
            "connection_settings": connection_kwargs(self._settings),
            "server_id": self._settings.server_id,
            "blocking": False,
            "resume_stream": True,
            "only_events": ONLY_EVENTS,
            "enable_logging": False,
        }
        if by_gtid:
            kwargs.update(auto_position=point.gtids, is_mariadb=self._is_mariadb)
        else:
            kwargs.update(log_file=point.file, log_pos=point.pos)
        log.debug("binlog connect point=%s by_gtid=%s", point.describe(), by_gtid)
        self.gtid_dumps += by_gtid
        reader = BinlogReader(**kwargs)
        depth = self._settings.binlog_prefetch_events
        return EventPrefetcher(reader, depth) if depth > 0 else InlineFeed(reader)

    def close(self) -> None:
        if self._feed is not None:
            feed, self._feed = self._feed, None
            with contextlib.suppress(pymysql.MySQLError, OSError):
                feed.close()

    def _at_eof(self, end: EndOfStream) -> None:
        """The server sent all it has: continue from the stream's end on the next poll."""
        self._next = (BinlogPoint(end.file, end.pos, self._gtids()), False)
        self.close()
        self._idle_until = time.monotonic() + self._settings.poll_interval_ms / 1000

    def on_connection_lost(self) -> None:
        """Reconnect at the current transaction's start and skip its emitted row events."""
        self.close()
        self.connections_lost += 1
        txn = self._txn
        if txn.key is None:  # between transactions: the reader's own position is exact
            return
        self._resume = self._progress()
        self._next = (txn.start, self.by_gtid and bool(txn.start.gtids))

    def _progress(self) -> ResumePoint:
        """How much of the current transaction is emitted, as a point to resume from."""
        txn = self._txn
        if txn.skip_all:  # a replayed transaction emitted before: skip it whole again
            return ResumePoint(txn.start, txn.key, SKIP_ALL_EVENTS)
        if txn.done_events <= txn.skip_events:  # still inside what a resume skips
            return ResumePoint(txn.start, txn.key, txn.skip_events, txn.skip_rows, txn.skip_parts)
        return ResumePoint(txn.start, txn.key, txn.done_events)

    def _gtids(self) -> str | None:
        return str(self._state) if self._state is not None else None

    # ------------------------------------------------------------ reading

    def poll(self, max_rows: int, budget_s: float) -> list[SourceRecord]:
        """Records of about ``max_rows`` rows (whole row events), within about ``budget_s``.

        When the connection fails after some records were read, those are returned and the
        next call reconnects; when it fails before any, the error propagates.

        Raises:
            pymysql.MySQLError, OSError: the connection failed and nothing was read.
        """
        self._wait_idle(budget_s)
        out: list[SourceRecord] = []
        deadline = time.monotonic() + budget_s
        self._emitter.begin_batch()
        try:
            feed = self._feed = self._feed or self._open()
            while len(out) < max_rows:
                event = feed.get(deadline - time.monotonic())
                if event is None:  # the budget ran out waiting for the server
                    break
                if isinstance(event, EndOfStream):
                    self._at_eof(event)
                    break
                if isinstance(event, ReadFailed):
                    if not isinstance(event.error, CONNECTION_ERRORS):
                        self.close()
                    raise event.error
                self.events_read += 1
                self._handle(event, out)
                if time.monotonic() > deadline:
                    break
        except CONNECTION_ERRORS as exc:
            log.warning("binlog connection lost after %d record(s): %s", len(out), exc)
            self.on_connection_lost()
            if not out:
                raise
        return out

    def _wait_idle(self, budget_s: float) -> None:
        """After an EOF, wait out the poll interval instead of reconnecting at once."""
        if self._feed is None:
            remaining = self._idle_until - time.monotonic()
            if remaining > 0:
                time.sleep(min(remaining, budget_s))

    def _handle(self, event: Any, out: list[SourceRecord]) -> None:
        if isinstance(event, ROW_EVENTS):
            self._rows(event, out)
        elif isinstance(event, GTID_EVENTS):
            self._begin_gtid(event)
        elif isinstance(event, XidEvent):
            self._txn.in_gtid_txn = False
        elif isinstance(event, QueryEvent):
            self._query(event)
        elif isinstance(event, RotateEvent):
            self._file = event.next_binlog

    def _begin_gtid(self, event: Any) -> None:
        gtid = str(event.gtid)
        if gtid == self._txn.key and self._resume is None:
            # the reader reconnected by itself and the server replays this transaction
            self._resume = self._progress()
        start = BinlogPoint(self._file, _event_start(event), self._txn_gtids_before(gtid))
        already = self._seen(gtid)
        self._txn = TxnContext.begin(start, gtid)
        self._apply_resume(gtid, already)
        self._advance(gtid)

    def _txn_gtids_before(self, gtid: str) -> str | None:
        """The GTID state before ``gtid``: unchanged when the transaction is replayed."""
        if gtid == self._txn.key:
            return self._txn.start.gtids
        return self._gtids()

    def _seen(self, gtid: str) -> bool:
        state = self._state
        if state is None:
            return False
        if isinstance(state, MariaDbGtidPos):
            return state.contains(MariaDbGtid.parse(gtid))
        sid, _, gno = gtid.rpartition(":")
        return state.contains(sid, int(gno))

    def _advance(self, gtid: str) -> None:
        if self._state is None:
            self._state = MariaDbGtidPos() if self._is_mariadb else MySqlGtidSet()
        if isinstance(self._state, MariaDbGtidPos):
            self._state.advance(MariaDbGtid.parse(gtid))
        else:
            sid, _, gno = gtid.rpartition(":")
            self._state.add(sid, int(gno))

    def _apply_resume(self, key: str, already_seen: bool) -> None:
        resume, self._resume = self._resume, None
        if resume is not None and resume.txn == key:
            self._txn.skip_events, self._txn.skip_rows = resume.event, resume.row
            self._txn.skip_parts = resume.part
        elif already_seen:
            self._txn.skip_all = True
        elif resume is not None:
            log.warning("resumed at txn=%s but the stream starts with txn=%s", resume.txn, key)

    def _query(self, event: Any) -> None:
        query = event.query.strip()
        upper = query[:10].upper()
        if upper.startswith("BEGIN"):
            if not self._txn.in_gtid_txn:  # no GTIDs: key the transaction by its position
                start = BinlogPoint(self._file, _event_start(event), self._gtids())
                self._txn = TxnContext.begin(start, f"{start.file}:{start.pos}", gtid=False)
                self._apply_resume(self._txn.key or "", False)
            return
        if upper.startswith(_TXN_CONTROL):
            return
        log.info("ddl schema=%s query=%.200s", _text(event.schema), query)
        self._schemas.invalidate()

    def _rows(self, event: Any, out: list[SourceRecord]) -> None:
        txn = self._txn
        index = txn.done_events
        txn.done_events += 1
        if txn.skip_all or index < txn.skip_events:
            return
        schema = self._schemas.get(event.schema, event.table)
        if schema is None:
            return
        resumed = index == txn.skip_events
        first = txn.skip_rows if resumed else 0
        parts = txn.skip_parts if resumed else 0
        self._emitter.emit(event, schema, txn, index, first, parts, self._file, out)


def _event_start(event: Any) -> int:
    """Where an event begins: the header's next-event position minus the event's size."""
    return int(event.packet.log_pos) - int(event.packet.event_size)


def _text(value: Any) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
