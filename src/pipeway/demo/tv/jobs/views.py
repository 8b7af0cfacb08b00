"""Show and ad views: sessions' overlaps with the shows and breaks on their channels.

Built at a watermark step ``[since, until)`` for the sessions it closed and those still open
at ``until``, all at once as columns. A view row is emitted once its end is known (``end <=
until``), exactly once: a session that was already open at ``since`` had the views of slots
ended by then emitted at that step. The part of each view inside ``[since, until)`` is added
to the minute cells (earlier parts were counted at earlier steps).
"""

from __future__ import annotations

import numpy as np

from pipeway.demo.tv.jobs.enrichment import Enricher
from pipeway.demo.tv.jobs.minutes import MinuteSpans
from pipeway.demo.tv.jobs.reference import Broadcasts, SlotTable
from pipeway.demo.tv.jobs.sessions import Sessions

Columns = dict[str, np.ndarray]


class ViewBuilder:
    """Turns sessions into view rows and minute-cell spans for one watermark step."""

    def __init__(
        self,
        broadcasts: Broadcasts,
        enricher: Enricher,
        program_spans: MinuteSpans,
        ad_spans: MinuteSpans,
        records: bool = True,
    ) -> None:
        self.broadcasts = broadcasts
        self.enricher = enricher
        self.program_spans = program_spans
        self.ad_spans = ad_spans
        self.records = records
        """build view rows; without, only the minute spans (and no weather lookups: only
        the rows carry it)"""

    def show_views(self, sessions: Sessions, since: int, until: int) -> Columns:
        """``show_view`` rows of this step; every view's part in the step into the cells."""
        views = self._views(sessions, self.broadcasts.shows, since, until)
        counted = views.pop("counted")
        self.program_spans.add_many(
            [views[c][counted] for c in ("channel_id", "item", "age_band", "gender", "city_id")],
            views["user_id"][counted], views["from"][counted], views["to"][counted],
            views["title"][counted],
        )  # fmt: skip
        if not self.records:
            return {}
        return _emitted(views, {"item": "program_id", "slot_start": "show_start_ts",
                                "slot_end": "show_end_ts"})  # fmt: skip

    def ad_views(self, sessions: Sessions, since: int, until: int) -> Columns:
        """``ad_view`` rows of this step (``complete``: the whole break watched)."""
        views = self._views(sessions, self.broadcasts.breaks, since, until)
        counted = views.pop("counted")
        self.ad_spans.add_many(
            [views[c][counted] for c in ("item", "age_band", "gender", "city_id")],
            views["user_id"][counted], views["from"][counted], views["to"][counted],
        )  # fmt: skip
        if not self.records:
            return {}
        views["complete"] = (views["session_start_ts"] <= views["slot_start"]) & (
            views.pop("is_open") | (views.pop("session_end") >= views["slot_end"])
        )
        return _emitted(views, {"item": "ad_id", "slot_start": "break_start_ts",
                                "slot_end": "break_end_ts"})  # fmt: skip

    def _views(self, sessions: Sessions, slots: SlotTable, since: int, until: int) -> Columns:
        """Every positive overlap of a session with a slot ending after ``since`` (an open
        session's views end with their slot; slots starting at or after ``until`` cannot
        matter yet), enriched as of the view's start."""
        is_open = sessions.is_open
        lo = np.maximum(sessions.start_ts, since)
        hi = np.where(is_open, until, sessions.end_ts)
        s, j = slots.overlaps(sessions.channel_id, lo, hi)
        start = np.maximum(sessions.start_ts[s], slots.start[j])
        end = np.where(is_open[s], slots.end[j], np.minimum(sessions.end_ts[s], slots.end[j]))
        keep = end > start
        s, j, start, end = s[keep], j[keep], start[keep], end[keep]
        user_id, device_id = sessions.user_id[s], sessions.device_id[s]
        session_start, slot_end = sessions.start_ts[s], slots.end[j]
        known_end = ~(is_open[s] & (slot_end > until))
        emitted_before = (session_start < since) & (slot_end <= since)
        return {
            "emit": known_end & ~emitted_before,
            "counted": np.minimum(end, until) > np.maximum(start, since),
            "from": np.maximum(start, since),
            "to": np.minimum(end, until),
            "user_id": user_id,
            "device_id": device_id,
            "session_start_ts": session_start,
            "session_end": sessions.end_ts[s],
            "is_open": is_open[s],
            "channel_id": sessions.channel_id[s],
            "start_ts": start,
            "end_ts": end,
            "view_ms": end - start,
            "item": slots.item[j],
            "title": slots.title[j],
            "slot_start": slots.start[j],
            "slot_end": slot_end,
            **self.enricher.attributes(user_id, device_id, start, self.records),
        }


_VIEW_COLUMNS = (
    "user_id", "device_id", "session_start_ts", "channel_id", "start_ts", "end_ts", "view_ms",
    "age_band", "gender", "user_city_id", "city_id", "city_source", "temp_c", "weather_main",
)  # fmt: skip


def _emitted(views: Columns, renamed: dict[str, str]) -> Columns:
    emit = views["emit"]
    names = [*_VIEW_COLUMNS, *renamed, *(["title"] if "program_id" in renamed.values() else []),
             *(["complete"] if "complete" in views else [])]  # fmt: skip
    return {renamed.get(name, name): views[name][emit] for name in names}
