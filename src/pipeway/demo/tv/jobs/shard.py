"""The whole analytics state of one shard of users, and one watermark step over it.

A shard owns the sessions of its users (``user_id mod shards``) and a full copy of the
reference data (schedules, breaks, telemetry, weather) and of its users' CDC history, so it
computes sessions, enriched views and its partial minute cells without talking to other
shards. The job keeps one pickled :class:`ShardState` per shard in Spark's state store.
"""

from __future__ import annotations

import json
import pickle
from collections import Counter
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeway.demo.tv import contract
from pipeway.demo.tv.jobs.enrichment import Enricher
from pipeway.demo.tv.jobs.heads import HeadStore
from pipeway.demo.tv.jobs.live import LiveCells, Sources
from pipeway.demo.tv.jobs.minutes import MinuteSpans
from pipeway.demo.tv.jobs.pending import PendingIndex, PendingStore
from pipeway.demo.tv.jobs.reference import Broadcasts
from pipeway.demo.tv.jobs.rows import from_pandas, table
from pipeway.demo.tv.jobs.sessions import Sessions, SessionTracker
from pipeway.demo.tv.jobs.views import ViewBuilder

STATE_VERSION = 9
PROGRAM_GROUP = ("channel_id", "program_id", "age_band", "gender", "city_id")
PROGRAM = PROGRAM_GROUP[:2]
AD_GROUP = ("ad_id", "age_band", "gender", "city_id")
ACTION_COLUMNS = ("user_id", "device_id", "channel_id", "action", "ts")
"""the columns of actions the shard uses (a packed batch of actions carries only these)"""


class Step(NamedTuple):
    """What one watermark step hands out, as Arrow tables: session and view records by kind
    (``session``, ``show_view``, ``ad_view``; to be encoded, :mod:`.encoding`), and final
    minute cells (``kind`` program_cell, program_total, ad_cell) of output columns."""

    records: dict[str, pa.Table]
    cells: list[pa.Table]


NO_WATERMARK = -(2**62)


class ShardState:
    def __init__(self) -> None:
        self.watermark = NO_WATERMARK
        """the watermark the last step ran to"""
        self.sessions = SessionTracker()
        self.pending = PendingIndex()
        """the parts of the pending actions in the store passed to apply and step"""
        self.broadcasts = Broadcasts()
        self.enricher = Enricher()
        self.program_spans = MinuteSpans(PROGRAM_GROUP)
        self.ad_spans = MinuteSpans(AD_GROUP)
        self.live = LiveCells()
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
    def apply(self, events: pd.DataFrame, watermark: int, pending: PendingStore) -> None:
        """Apply a batch's events: reference data first, then actions (late ones dropped)
        into ``pending`` until the watermark passes them."""
        kinds = events["kind"]
        for kind, part in events[kinds != "action"].groupby("kind", sort=False):
            if kind == "telemetry":  # the bulk of the reference data: no per-row dicts
                columns = (part[c].to_numpy() for c in ("device_id", "ts", "offset", "city_id"))
                self.enricher.positions.add_many(*columns)
                self.live.discard_before(int(part["ts"].min()))
                continue
            for e in part.to_dict("records"):
                fields = {**e, **json.loads(e["extra"])}
                self._apply_reference(str(kind), fields)
                # a snapshot row of a user is valid from the beginning of time
                snapshot = kind == "user" and fields["op"] == "r"
                self.live.discard_before(NO_WATERMARK if snapshot else int(fields["ts"]))
        actions = events[kinds == "action"]
        self.apply_actions({name: actions[name].to_numpy() for name in ACTION_COLUMNS},
                           watermark, pending)  # fmt: skip

    def apply_actions(
        self, actions: Mapping[str, np.ndarray], watermark: int, pending: PendingStore
    ) -> None:
        """Keep actions (:data:`ACTION_COLUMNS`) in ``pending`` until the watermark passes
        them; those already below it are late: dropped and counted."""
        late = np.asarray(actions["ts"]) < watermark
        if late.any():
            self.counts["late_actions"] += int(late.sum())
            actions = {name: np.asarray(column)[~late] for name, column in actions.items()}
        if len(actions["ts"]):
            self.pending.add(pending, self.sessions.number(actions))
            self.live.discard_before(int(np.min(actions["ts"])))

    def _apply_reference(self, kind: str, e: Mapping[str, Any]) -> None:
        if kind == "schedule":
            day, start = divmod(e["ts"], contract.DAY_MS)
            self.broadcasts.add_schedule_entry(
                e["channel_id"], day, start, e["program_id"], e["title"]
            )
        elif kind == "break":
            self.broadcasts.add_break(e["channel_id"], e["ts"], e["length_ms"], e["ad_id"])
        elif kind == "user":
            self.enricher.add_user_change(e["user_id"], e["op"], e["ts"], e["offset"],
                                          e["birth_date"], e["gender"], e["city_id"])  # fmt: skip
        elif kind == "weather":
            reading = (e["temp_c"], e["weather_main"])
            self.enricher.weather.add(e["city_id"], e["ts"], e["offset"], *reading)
        else:
            raise ValueError(f"unknown event kind {kind!r}")

    # -- a watermark step -----------------------------------------------------------------
    def step(self, watermark: int, pending: PendingStore) -> Step:
        """Advance to ``watermark``: everything that became final since the last step."""
        if watermark <= self.watermark:
            return Step({}, [])
        since = self.watermark
        closed = self.sessions.advance(watermark, self.pending.take_due(pending, watermark))
        sessions = closed.concat(self.sessions.open_sessions())
        views = ViewBuilder(self.broadcasts, self.enricher, self.program_spans, self.ad_spans)
        records = {
            "session": table("session", _session_columns(closed)),
            "show_view": table("show_view", views.show_views(sessions, since, watermark)),
            "ad_view": table("ad_view", views.ad_views(sessions, since, watermark)),
        }
        program_parts = self.program_spans.finalize(watermark)
        ad_parts = self.ad_spans.finalize(watermark)
        cells = [
            self.program_spans.cells(program_parts, PROGRAM_GROUP).assign(kind="program_cell"),
            self.program_spans.cells(program_parts, PROGRAM).assign(kind="program_total"),
            self.ad_spans.cells(ad_parts, AD_GROUP).assign(kind="ad_cell"),
        ]
        cell_tables = [from_pandas(c) for c in cells if len(c)]
        self.program_spans.compact()
        self.ad_spans.compact()
        self.watermark = watermark
        self._prune(watermark)
        return Step(records, cell_tables)

    def live_cells(
        self, as_of: int, pending: PendingStore, disorder_ms: int, heads: HeadStore
    ) -> list[pa.Table]:
        """The partial cells (kinds as :meth:`step`'s) of every window not final yet, as
        if the actions before ``as_of`` were all there is (:mod:`.live`; the head kept in
        ``heads``); ``as_of`` column set."""
        sources = Sources(self.sessions, self.pending, pending, self.broadcasts, self.enricher)
        final = (self.program_spans, self.ad_spans)
        program, ad = self.live.spans(sources, final, self.watermark, as_of, disorder_ms, heads)
        program_parts, ad_parts = program.open_parts(), ad.open_parts()
        cells = [
            program.cells(program_parts, PROGRAM_GROUP).assign(kind="program_cell"),
            program.cells(program_parts, PROGRAM).assign(kind="program_total"),
            ad.cells(ad_parts, AD_GROUP).assign(kind="ad_cell"),
        ]
        return [from_pandas(c.assign(as_of=as_of)) for c in cells if len(c)]

    def count_table(self) -> pa.Table:
        """The shard's counters (cumulative) and gauges, as ``count`` rows of this version."""
        values = {**self.counts, **self.sessions.counts, **self.sessions.gauges()}
        if self.live.rebuilds:
            values["live_rebuilds"] = self.live.rebuilds
        if self.live.misses:
            values["live_head_misses"] = self.live.misses
        names = sorted(values)
        return table("count", {"name": names, "value": [values[k] for k in names],
                               "version": [self.version] * len(names)})  # fmt: skip

    def _prune(self, watermark: int) -> None:
        """No future view starts before ``watermark - 4 h``: open sessions started after it
        (else standby closed them) and new sessions start at or after the watermark."""
        horizon = watermark - contract.STANDBY_AFTER_MS
        self.broadcasts.prune(horizon)
        self.enricher.prune(horizon)


def _session_columns(s: Sessions) -> dict[str, Any]:
    return {
        "user_id": s.user_id,
        "device_id": s.device_id,
        "channel_id": s.channel_id,
        "start_ts": s.start_ts,
        "end_ts": s.end_ts,
        "end_reason": s.end_reason,
    }
