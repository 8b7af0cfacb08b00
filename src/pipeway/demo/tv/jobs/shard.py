"""The whole analytics state of one shard of users, and one watermark step over it.

A shard owns the sessions of its users (``user_id mod shards``) and a full copy of the
reference data (schedules, breaks, telemetry, weather) and of its users' CDC history, so it
computes sessions, enriched views and its partial minute cells without talking to other
shards. The job keeps one pickled :class:`ShardState` per shard in Spark's state store.
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from pipeway.demo.tv import contract
from pipeway.demo.tv.jobs.enrichment import Enricher, UserRow
from pipeway.demo.tv.jobs.minutes import FinalCell, MinuteCells
from pipeway.demo.tv.jobs.reference import Broadcasts
from pipeway.demo.tv.jobs.sessions import Session, SessionTracker
from pipeway.demo.tv.jobs.views import Row, ViewBuilder

STATE_VERSION = 1
NO_WATERMARK = -(2**62)


class ShardState:
    def __init__(self) -> None:
        self.watermark = NO_WATERMARK
        """the watermark the last step ran to"""
        self.sessions = SessionTracker()
        self.broadcasts = Broadcasts()
        self.enricher = Enricher()
        self.program_cells = MinuteCells()
        self.program_totals = MinuteCells()
        self.ad_cells = MinuteCells()
        self.counts: Counter[str] = Counter()
        self.version = 0
        """saves so far: tells the newest of a shard's count rows within one batch"""

    # -- state store round trip ---------------------------------------------------------
    def dumps(self) -> bytes:
        return pickle.dumps((STATE_VERSION, self), protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def loads(blob: bytes) -> ShardState:
        version, state = pickle.loads(blob)
        if version != STATE_VERSION:
            raise ValueError(f"shard state version {version}, this job reads {STATE_VERSION}")
        assert isinstance(state, ShardState)
        return state

    # -- input --------------------------------------------------------------------------
    def apply(self, events: Iterable[Mapping[str, Any]], watermark: int) -> None:
        """Apply a batch's events: reference data first, then actions (late ones dropped)."""
        actions = []
        for e in events:
            kind = e["kind"]
            if kind == "action":
                actions.append(e)
            else:
                self._apply_reference(kind, e)
        for a in actions:
            if a["ts"] < watermark:
                self.counts["late_actions"] += 1
            else:
                self.sessions.add(
                    a["user_id"], a["device_id"], a["channel_id"], a["action"], a["ts"]
                )

    def _apply_reference(self, kind: str, e: Mapping[str, Any]) -> None:
        if kind == "schedule":
            day, start = divmod(e["ts"], contract.DAY_MS)
            self.broadcasts.add_schedule_entry(
                e["channel_id"], day, start, e["program_id"], e["title"]
            )
        elif kind == "break":
            self.broadcasts.add_break(e["channel_id"], e["ts"], e["length_ms"], e["ad_id"])
        elif kind == "user":
            row = UserRow(e["birth_date"], e["gender"], e["city_id"])
            self.enricher.add_user_change(e["user_id"], e["op"], e["ts"], e["offset"], row)
        elif kind == "telemetry":
            self.enricher.positions.add(e["device_id"], e["ts"], e["offset"], e["city_id"])
        elif kind == "weather":
            reading = (e["temp_c"], e["weather_main"])
            self.enricher.weather.add(e["city_id"], e["ts"], e["offset"], reading)
        else:
            raise ValueError(f"unknown event kind {kind!r}")

    # -- a watermark step -----------------------------------------------------------------
    def step(self, watermark: int) -> list[Row]:
        """Advance to ``watermark``: everything that became final since the last step."""
        out: list[Row] = []
        if watermark <= self.watermark:
            return out
        since = self.watermark
        closed = self.sessions.advance(watermark)
        views = ViewBuilder(
            self.broadcasts, self.enricher, self.program_cells, self.program_totals, self.ad_cells
        )
        for session in closed:
            out.append(_session_row(session))
            views.session_views(session, since, watermark, out)
        for session in self.sessions.open_sessions():
            views.session_views(session, since, watermark, out)
        out.extend(_cells("program_cell", self.program_cells.finalize(watermark)))
        out.extend(_cells("program_total", self.program_totals.finalize(watermark)))
        out.extend(_cells("ad_cell", self.ad_cells.finalize(watermark)))
        self.watermark = watermark
        self._prune(watermark)
        return out

    def count_rows(self) -> list[Row]:
        """The shard's counters (cumulative) and gauges, as ``count`` rows."""
        values = {**self.counts, **self.sessions.counts, **self.sessions.gauges()}
        return [{"kind": "count", "name": k, "value": v} for k, v in sorted(values.items())]

    def _prune(self, watermark: int) -> None:
        """No future view starts before ``watermark - 4 h``: open sessions started after it
        (else standby closed them) and new sessions start at or after the watermark."""
        horizon = watermark - contract.STANDBY_AFTER_MS
        self.broadcasts.prune(horizon)
        self.enricher.prune(horizon)


def _session_row(s: Session) -> Row:
    assert s.end_ts is not None
    return {
        "kind": "session",
        "user_id": s.user_id,
        "device_id": s.device_id,
        "channel_id": s.channel_id,
        "start_ts": s.start_ts,
        "end_ts": s.end_ts,
        "end_reason": s.end_reason,
    }


def _cells(kind: str, cells: list[FinalCell]) -> list[Row]:
    rows = []
    for c in cells:
        row: Row = {"kind": kind, "window_start": c.window_start, "title": c.title}
        row["viewers"], row["view_ms"] = c.viewers, c.view_ms
        if kind == "program_cell":
            g = c.group
            row.update(channel_id=g[0], program_id=g[1], age_band=g[2], gender=g[3], city_id=g[4])
        elif kind == "program_total":
            row.update(channel_id=c.group[0], program_id=c.group[1])
        else:
            g = c.group
            row.update(ad_id=g[0], age_band=g[1], gender=g[2], city_id=g[3])
        rows.append(row)
    return rows
