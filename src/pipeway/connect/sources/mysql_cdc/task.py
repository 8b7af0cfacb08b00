"""The CDC task: snapshot when needed, then stream the binlog, resuming from offsets."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any

import pymysql

from pipeway.connect.api import SourceRecord, SourceTask
from pipeway.connect.sources.mysql_cdc.exceptions import DatabaseUnavailable, OffsetNotAvailable
from pipeway.connect.sources.mysql_cdc.filters import CaptureFilter
from pipeway.connect.sources.mysql_cdc.native_rows import native_enabled
from pipeway.connect.sources.mysql_cdc.position import BinlogPoint, ResumePoint
from pipeway.connect.sources.mysql_cdc.server import (
    connect,
    first_point,
    mariadb_gtid_available,
    point_available,
    probe,
)
from pipeway.connect.sources.mysql_cdc.settings import MySqlCdcSettings
from pipeway.connect.sources.mysql_cdc.snapshot import SnapshotReader
from pipeway.connect.sources.mysql_cdc.streaming import CONNECTION_ERRORS, BinlogStreamer
from pipeway.connect.sources.mysql_cdc.tables import SchemaCache

log = logging.getLogger(__name__)

POLL_BUDGET_S = 0.5
"""How long one poll reads before returning (the runtime expects an answer within ~1 s)."""


class MySqlCdcTask(SourceTask):
    """Reads one server's binlog (a binlog is one ordered stream: one task per connector)."""

    config: MySqlCdcSettings

    def start(self) -> None:
        s = self.config
        self.partition: dict[str, Any] = {"server": s.topic_prefix}
        self._capture = CaptureFilter(s)
        self.native_rows = native_enabled()
        """Decode row events with the compiled decoder (read once: PIPEWAY_BINLOG_NATIVE)."""
        self._ctl: Any = connect(s)
        self.is_mariadb = probe(self._ctl, s.connector_adapter)
        self._schemas = SchemaCache(s, self._capture, self._control)
        self.snapshot: SnapshotReader | None = None
        self.streamer: BinlogStreamer | None = None
        self._snapshot_pending = False
        offset = self.context.offset(self.partition)
        resume = ResumePoint.from_offset(offset) if offset else None
        self._plan(resume)

    def _plan(self, resume: ResumePoint | None) -> None:
        """Apply ``snapshot.mode`` to the committed offset (None: never committed)."""
        mode = self.config.snapshot_mode
        if resume is None or resume.snapshot_running:
            if mode == "never":
                start = resume or ResumePoint(first_point(self._ctl))
                self._stream_from(start, use_gtid=False)
            else:
                self._snapshot_pending = True
            return
        if mode == "initial_only":
            log.info("snapshot.mode=initial_only and the snapshot is complete: nothing to do")
            return
        if self._gtid_resumable(resume.point):
            self._stream_from(resume, use_gtid=True)
        elif point_available(self._ctl, resume.point, self.is_mariadb):
            self._stream_from(resume, use_gtid=False)
        elif mode == "when_needed":
            log.warning("offset %s is gone: taking a new snapshot", resume.point.describe())
            self._snapshot_pending = True
        else:
            raise OffsetNotAvailable(
                resume.point.describe(),
                "the binlog was purged past it; use snapshot.mode=when_needed to re-snapshot",
            )

    def _gtid_resumable(self, point: BinlogPoint) -> bool:
        """MariaDB with GTIDs in the offset that its binlog still serves: resume by GTID
        (what following a failover needs; file/pos is only valid on the server it came
        from). MySQL resumes by file/pos (its GTID dump is not tested against a server)."""
        if not self.is_mariadb or not point.gtids:
            return False
        return mariadb_gtid_available(self._ctl, point.gtids)

    def _stream_from(self, start: ResumePoint, use_gtid: bool) -> None:
        log.info(
            "streaming from %s txn=%s by %s",
            start.point.describe(),
            start.txn,
            "gtid" if use_gtid else "file/pos",
        )
        self.streamer = BinlogStreamer(
            self.config,
            self.is_mariadb,
            self._schemas,
            self.partition,
            start,
            use_gtid,
            native=self.native_rows,
        )

    def _control(self) -> Any:
        """The catalog connection, reconnected if it dropped."""
        try:
            self._ctl.ping(reconnect=True)
        except pymysql.MySQLError:
            self._ctl = connect(self.config)
        return self._ctl

    def poll(self) -> Sequence[SourceRecord]:
        if self._snapshot_pending or self.snapshot is not None:
            return self._poll_snapshot()
        if self.streamer is None:  # initial_only: done
            time.sleep(self.config.poll_interval_ms / 1000)
            return []
        return self._poll_stream(self.streamer)

    def _poll_snapshot(self) -> list[SourceRecord]:
        try:
            if self.snapshot is None:
                self.snapshot = SnapshotReader(
                    self.config,
                    connect(self.config),
                    self.is_mariadb,
                    self._capture,
                    self._schemas,
                    self.partition,
                )
                self._snapshot_pending = False
                self.snapshot.begin()
            records = self.snapshot.next_batch(self.config.max_batch_size)
        except CONNECTION_ERRORS as exc:
            self._abort_snapshot()
            raise DatabaseUnavailable(self.config.address, 1, str(exc)) from exc
        if self.snapshot.finished:
            self._after_snapshot(self.snapshot.point)
        return records

    def _abort_snapshot(self) -> None:
        """A snapshot cannot continue on a new connection: start it over on the next poll."""
        if self.snapshot is not None:
            self.snapshot.close()
        self.snapshot = None
        self._snapshot_pending = True

    def _after_snapshot(self, point: BinlogPoint) -> None:
        if self.snapshot is not None:
            self.snapshot.close()
        self.snapshot = None
        if self.config.snapshot_mode != "initial_only":
            self._stream_from(ResumePoint(point), use_gtid=self._gtid_resumable(point))

    def _poll_stream(self, streamer: BinlogStreamer) -> list[SourceRecord]:
        """Read a batch, reconnecting with backoff; RetriableError when attempts run out."""
        s = self.config
        backoff = s.connect_backoff_ms / 1000
        for attempt in range(1, s.connect_max_attempts + 1):
            try:
                return streamer.poll(s.max_batch_size, POLL_BUDGET_S)
            except CONNECTION_ERRORS as exc:
                if attempt == s.connect_max_attempts:
                    raise DatabaseUnavailable(s.address, attempt, str(exc)) from exc
                time.sleep(backoff)
                backoff *= 2
        return []

    def stop(self) -> None:
        if getattr(self, "streamer", None) is not None and self.streamer is not None:
            self.streamer.close()
        if getattr(self, "snapshot", None) is not None and self.snapshot is not None:
            self.snapshot.close()
        ctl = getattr(self, "_ctl", None)
        if ctl is not None:
            with contextlib.suppress(pymysql.MySQLError):
                ctl.close()
