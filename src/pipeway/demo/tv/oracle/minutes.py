"""1-minute event-time aggregates of view spans, and the top programs of each minute.

A span counts in every window it overlaps, with its milliseconds inside that window; only
windows that end at or before the watermark are final and emitted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pipeway.demo.tv import contract
from pipeway.demo.tv.oracle.views import Span


@dataclass(slots=True)
class Tally:
    users: set[int] = field(default_factory=set)
    view_ms: int = 0

    def add(self, user_id: int, ms: int) -> None:
        self.users.add(user_id)
        self.view_ms += ms


Cells = dict[tuple[int, tuple[Any, ...], tuple[Any, ...]], Tally]
"""(window_start, subject, group) -> tally."""


def tally(spans: Iterable[Span], watermark: int, open_windows: bool = False) -> Cells:
    """Cells of the windows that end by ``watermark`` (also those still open at it, their
    spans clipped there, if ``open_windows``)."""
    cells: Cells = defaultdict(Tally)
    w_ms = contract.WINDOW_MS
    last = watermark if open_windows else watermark - w_ms  # the last window start counted
    for span in spans:
        window = span.start_ts - span.start_ts % w_ms
        while window < span.end_ts and window <= last:
            inside = min(span.end_ts, window + w_ms) - max(span.start_ts, window)
            if inside > 0:
                cells[(window, span.subject, span.group)].add(span.user_id, inside)
            window += w_ms
    return cells


def _aggregate(tally_: Tally) -> dict[str, Any]:
    return {
        "viewers": len(tally_.users),
        "view_ms": tally_.view_ms,
        "seconds": tally_.view_ms / 1000,
    }


def _window(start: int) -> dict[str, Any]:
    return {"window_start": start, "window_end": start + contract.WINDOW_MS}


def program_minutes(cells: Cells) -> list[dict[str, Any]]:
    rows = []
    for (window, (channel_id, program_id, title), group), t in cells.items():
        age_band, gender, city_id = group
        rows.append(
            {
                **_window(window),
                "channel_id": channel_id,
                "program_id": program_id,
                "title": title,
                "age_band": age_band,
                "gender": gender,
                "city_id": city_id,
                **_aggregate(t),
            }
        )
    return rows


def ad_minutes(cells: Cells) -> list[dict[str, Any]]:
    rows = []
    for (window, (ad_id,), (age_band, gender, city_id)), t in cells.items():
        rows.append(
            {
                **_window(window),
                "ad_id": ad_id,
                "age_band": age_band,
                "gender": gender,
                "city_id": city_id,
                **_aggregate(t),
            }
        )
    return rows


def top_programs(cells: Cells, n: int = contract.TOP_N) -> list[dict[str, Any]]:
    """Per window, programs by distinct viewers (all groups together), then view_ms, ids."""
    per_program: dict[int, dict[tuple[Any, ...], Tally]] = defaultdict(lambda: defaultdict(Tally))
    for (window, subject, _), t in cells.items():
        merged = per_program[window][subject]
        merged.users |= t.users
        merged.view_ms += t.view_ms
    rows = []
    for window, programs in per_program.items():
        ranked = sorted(
            programs.items(), key=lambda kv: (-len(kv[1].users), -kv[1].view_ms, kv[0][:2])
        )
        for rank, ((channel_id, program_id, title), t) in enumerate(ranked[:n], 1):
            rows.append(
                {
                    **_window(window),
                    "rank": rank,
                    "channel_id": channel_id,
                    "program_id": program_id,
                    "title": title,
                    **_aggregate(t),
                }
            )
    return rows
