"""Show and ad views: a session's overlap with the shows and breaks on its channel.

Called for each session as known at a watermark step ``[since, until)``: closed sessions
and those still open at ``until``. A view row is emitted once its end is known (``end <=
until``), exactly once: a session that was already open at ``since`` had the views of slots
ended by then emitted at that step. The part of each view inside ``[since, until)`` is
added to the minute cells (earlier parts were counted at earlier steps).
"""

from __future__ import annotations

from typing import Any

from pipeway.demo.tv.jobs.enrichment import Attributes, Enricher
from pipeway.demo.tv.jobs.minutes import MinuteSpans
from pipeway.demo.tv.jobs.reference import Broadcasts, ChannelSlots, Slot
from pipeway.demo.tv.jobs.sessions import Session

Row = dict[str, Any]


class ViewBuilder:
    """Turns sessions into view rows and minute-cell spans for one watermark step."""

    def __init__(
        self,
        broadcasts: Broadcasts,
        enricher: Enricher,
        program_spans: MinuteSpans,
        ad_spans: MinuteSpans,
    ) -> None:
        self.broadcasts = broadcasts
        self.enricher = enricher
        self.program_spans = program_spans
        self.ad_spans = ad_spans

    def session_views(self, session: Session, since: int, until: int, out: list[Row]) -> None:
        """Views of ``session`` emitted at this step, into ``out``; spans into the cells."""
        channel = session.channel_id
        # slots that ended by ``since`` were emitted and counted at earlier steps
        since_start = max(session.start_ts, since)
        shows = self.broadcasts.shows.get(channel)
        if shows is not None:
            for slot, start, end in self._overlaps(session, shows, since_start, until):
                attrs = self.enricher.attributes(session.user_id, session.device_id, start)
                if self._emit(session, slot, since, until):
                    out.append(_show_view(session, slot, start, end, attrs))
                self._count_show(session, slot, attrs, max(start, since), min(end, until))
        breaks = self.broadcasts.breaks.get(channel)
        if breaks is not None:
            for slot, start, end in self._overlaps(session, breaks, since_start, until):
                attrs = self.enricher.attributes(session.user_id, session.device_id, start)
                if self._emit(session, slot, since, until):
                    out.append(_ad_view(session, slot, start, end, attrs))
                group = (slot.item_id, attrs.age_band, attrs.gender, attrs.city_id)
                a, b = max(start, since), min(end, until)
                if b > a:
                    self.ad_spans.add(group, session.user_id, a, b)

    @staticmethod
    def _overlaps(
        session: Session, slots: ChannelSlots, since_start: int, until: int
    ) -> list[tuple[Slot, int, int]]:
        """(slot, view start, view end) of every positive overlap of slots ending after
        ``since_start``; an open session's views end with their slot, and slots starting
        at or after ``until`` cannot matter yet."""
        end = session.end_ts
        out = []
        for slot in slots.overlapping(since_start, end if end is not None else until):
            start = max(session.start_ts, slot.start_ts)
            stop = slot.end_ts if end is None else min(end, slot.end_ts)
            if stop > start:
                out.append((slot, start, stop))
        return out

    @staticmethod
    def _emit(session: Session, slot: Slot, since: int, until: int) -> bool:
        if session.end_ts is None and slot.end_ts > until:
            return False  # its end is not known yet
        emitted_before = session.start_ts < since and slot.end_ts <= since
        return not emitted_before

    def _count_show(self, session: Session, slot: Slot, attrs: Attributes, a: int, b: int) -> None:
        if b <= a:
            return
        group = (session.channel_id, slot.item_id, attrs.age_band, attrs.gender, attrs.city_id)
        self.program_spans.add(group, session.user_id, a, b, slot.title)


def _view_base(session: Session, start: int, end: int, attrs: Attributes) -> Row:
    return {
        "user_id": session.user_id,
        "device_id": session.device_id,
        "session_start_ts": session.start_ts,
        "channel_id": session.channel_id,
        "start_ts": start,
        "end_ts": end,
        "view_ms": end - start,
        **attrs._asdict(),
    }


def _show_view(session: Session, slot: Slot, start: int, end: int, attrs: Attributes) -> Row:
    return {
        "kind": "show_view",
        **_view_base(session, start, end, attrs),
        "program_id": slot.item_id,
        "title": slot.title,
        "show_start_ts": slot.start_ts,
        "show_end_ts": slot.end_ts,
    }


def _ad_view(session: Session, slot: Slot, start: int, end: int, attrs: Attributes) -> Row:
    whole = session.start_ts <= slot.start_ts and (
        session.end_ts is None or session.end_ts >= slot.end_ts
    )
    return {
        "kind": "ad_view",
        **_view_base(session, start, end, attrs),
        "ad_id": slot.item_id,
        "break_start_ts": slot.start_ts,
        "break_end_ts": slot.end_ts,
        "complete": whole,
    }
