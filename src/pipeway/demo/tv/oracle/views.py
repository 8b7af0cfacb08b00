"""Show and ad views: overlaps of sessions with shows and breaks on the same channel.

A view is emitted once its end is known: the session closed, or the show/break ended at or
before the watermark while the session is still open. Every overlap, emitted or still in
progress, also yields a *span* clipped at the watermark for the minute aggregates.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from pipeway.demo.tv.oracle.enrichment import Enricher
from pipeway.demo.tv.oracle.reference import Break, Show
from pipeway.demo.tv.oracle.sessions import Session

OPEN_END = 2**62


class Interval(Protocol):
    @property
    def start_ts(self) -> int: ...
    @property
    def end_ts(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Span:
    """Viewing time of one user in [start_ts, end_ts), end clipped at the watermark."""

    user_id: int
    start_ts: int
    end_ts: int
    subject: tuple[Any, ...]
    """(channel_id, program_id, title) for shows, (ad_id,) for ads."""
    group: tuple[str | None, str | None, int | None]
    """(age_band, gender, city_id) as of the view's start."""


@dataclass(slots=True)
class Views:
    show_views: list[dict[str, Any]]
    ad_views: list[dict[str, Any]]
    show_spans: list[Span]
    ad_spans: list[Span]


def build_views(
    sessions: Sequence[Session],
    shows: dict[int, list[Show]],
    breaks: dict[int, list[Break]],
    enricher: Enricher,
    watermark: int,
) -> Views:
    views = Views([], [], [], [])
    for s in sessions:
        for show, start, end in _overlaps(s, shows.get(s.channel_id, []), watermark):
            extra = enricher.enrich(s.user_id, s.device_id, start)
            views.show_spans.append(_span(s, start, end, watermark, extra, _show_subject(show)))
            if end <= watermark:
                views.show_views.append(_show_row(s, show, start, end, extra))
        for brk, start, end in _overlaps(s, breaks.get(s.channel_id, []), watermark):
            extra = enricher.enrich(s.user_id, s.device_id, start)
            views.ad_spans.append(_span(s, start, end, watermark, extra, (brk.ad_id,)))
            if end <= watermark:
                views.ad_views.append(_ad_row(s, brk, start, end, extra))
    return views


IntervalT = TypeVar("IntervalT", bound=Interval)


def _overlaps(
    session: Session, intervals: list[IntervalT], watermark: int
) -> list[tuple[IntervalT, int, int]]:
    """(interval, view start, view end) with a positive overlap that began before the watermark."""
    s_end = OPEN_END if session.end_ts is None else session.end_ts
    found = []
    i = bisect_left(intervals, session.start_ts + 1, key=lambda iv: iv.end_ts)
    for iv in intervals[i:]:
        if iv.start_ts >= s_end or iv.start_ts >= watermark:
            break
        start, end = max(session.start_ts, iv.start_ts), min(s_end, iv.end_ts)
        if end > start:
            found.append((iv, start, end))
    return found


def _show_subject(show: Show) -> tuple[Any, ...]:
    return (show.channel_id, show.program_id, show.title)


def _span(
    s: Session,
    start: int,
    end: int,
    watermark: int,
    extra: dict[str, Any],
    subject: tuple[Any, ...],
) -> Span:
    group = (extra["age_band"], extra["gender"], extra["city_id"])
    return Span(s.user_id, start, min(end, watermark), subject, group)


def _view_fields(s: Session) -> dict[str, Any]:
    return {
        "user_id": s.user_id,
        "device_id": s.device_id,
        "session_start_ts": s.start_ts,
        "channel_id": s.channel_id,
    }


def _timing(start: int, end: int) -> dict[str, Any]:
    ms = end - start
    return {"start_ts": start, "end_ts": end, "view_ms": ms, "seconds": ms / 1000}


def _show_row(
    s: Session, show: Show, start: int, end: int, extra: dict[str, Any]
) -> dict[str, Any]:
    return {
        **_view_fields(s),
        "program_id": show.program_id,
        "title": show.title,
        "show_start_ts": show.start_ts,
        "show_end_ts": show.end_ts,
        **_timing(start, end),
        **extra,
    }


def _ad_row(s: Session, brk: Break, start: int, end: int, extra: dict[str, Any]) -> dict[str, Any]:
    s_end = OPEN_END if s.end_ts is None else s.end_ts
    return {
        **_view_fields(s),
        "ad_id": brk.ad_id,
        "break_start_ts": brk.start_ts,
        "break_end_ts": brk.end_ts,
        **_timing(start, end),
        "complete": s.start_ts <= brk.start_ts and s_end >= brk.end_ts,
        **extra,
    }
