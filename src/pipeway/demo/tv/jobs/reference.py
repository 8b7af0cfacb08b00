"""What is broadcast: schedule entries expanded to show intervals, and ad breaks, per channel.

Entries are kept in dicts as they arrive (a schedule row may replace another); lookups go
through a :class:`SlotTable` of numpy columns built when the entries changed since the last
lookup, so a watermark step finds every session's overlapping slots with a few
``searchsorted`` calls per channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeway.demo.tv import contract


@dataclass(frozen=True)
class SlotTable:
    """Non-overlapping slots ``[start, end)`` of every channel, sorted by (channel, start)."""

    channel: np.ndarray
    start: np.ndarray
    end: np.ndarray
    item: np.ndarray
    """object array: program_id of a show, ad_id of a break"""
    title: np.ndarray
    """object array (None for breaks)"""

    @staticmethod
    def build(rows: list[tuple[int, int, int, Any, str | None]]) -> SlotTable:
        """``rows`` of (channel, start, end, item, title)."""
        rows = sorted(rows, key=lambda r: (r[0], r[1]))
        columns = list(zip(*rows, strict=True)) or [(), (), (), (), ()]
        ints = [np.array(c, np.int64) for c in columns[:3]]
        objects = [np.array(c, object) if c else np.empty(0, object) for c in columns[3:]]
        return SlotTable(*ints, *objects)

    def overlaps(
        self, channel: np.ndarray, lo: np.ndarray, hi: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (query i, slot j) for every slot of ``channel[i]`` with ``end > lo[i]``
        and ``start < hi[i]``."""
        firsts, counts = np.empty(len(channel), np.int64), np.zeros(len(channel), np.int64)
        order = np.argsort(channel, kind="stable")
        values, starts = np.unique(channel[order], return_index=True)
        bounds = [*starts.tolist(), len(order)]
        for k, value in enumerate(values.tolist()):
            queries = order[bounds[k] : bounds[k + 1]]
            a, b = np.searchsorted(self.channel, [value, value + 1])
            first = a + np.searchsorted(self.end[a:b], lo[queries], "right")
            last = a + np.searchsorted(self.start[a:b], hi[queries], "left")
            firsts[queries], counts[queries] = first, np.maximum(last - first, 0)
        query = np.repeat(np.arange(len(channel)), counts)
        step = np.arange(len(query)) - np.repeat(np.cumsum(counts) - counts, counts)
        return query, np.repeat(firsts, counts) + step


class Broadcasts:
    """Shows (from ``tv.schedules``) and ad breaks (``tv.ad_breaks``) of every channel."""

    def __init__(self) -> None:
        self._entries: dict[tuple[int, int], dict[int, tuple[int, str]]] = {}
        """(channel_id, day) -> start ms of day -> (program_id, title)"""
        self._breaks: dict[int, dict[int, tuple[int, str]]] = {}
        """channel_id -> start_ts -> (end_ts, ad_id)"""
        self._shows_table: SlotTable | None = None
        self._breaks_table: SlotTable | None = None

    def add_schedule_entry(
        self, channel_id: int, day: int, start_ms: int, program_id: int, title: str
    ) -> None:
        self._entries.setdefault((channel_id, day), {})[start_ms] = (program_id, title)
        self._shows_table = None

    def add_break(self, channel_id: int, start_ts: int, length_ms: int, ad_id: str) -> None:
        self._breaks.setdefault(channel_id, {})[start_ts] = (start_ts + length_ms, ad_id)
        self._breaks_table = None

    @property
    def shows(self) -> SlotTable:
        if self._shows_table is None:
            self._shows_table = SlotTable.build(list(self._show_rows()))
        return self._shows_table

    @property
    def breaks(self) -> SlotTable:
        if self._breaks_table is None:
            self._breaks_table = SlotTable.build(
                [(channel, start, end, ad_id, None)
                 for channel, breaks in self._breaks.items()
                 for start, (end, ad_id) in breaks.items()]
            )  # fmt: skip
        return self._breaks_table

    def prune(self, horizon: int) -> None:
        """Forget shows and breaks that ended at or before ``horizon`` (no view can reach them)."""
        for key in [k for k in self._entries if (k[1] + 1) * contract.DAY_MS <= horizon]:
            del self._entries[key]
            self._shows_table = None
        for breaks in self._breaks.values():
            for start in [s for s, (end, _) in breaks.items() if end <= horizon]:
                del breaks[start]
                self._breaks_table = None

    def _show_rows(self) -> Any:
        """A show ends where the next one of its channel's day starts, or at midnight."""
        for (channel, day), entries in self._entries.items():
            day_start = day * contract.DAY_MS
            starts = sorted(entries)
            ends = [*starts[1:], contract.DAY_MS]
            for start, end in zip(starts, ends, strict=True):
                program_id, title = entries[start]
                yield (channel, day_start + start, day_start + end, program_id, title)
