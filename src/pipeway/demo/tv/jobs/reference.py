"""What is broadcast: schedule entries expanded to show intervals, and ad breaks, per channel."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pipeway.demo.tv import contract


@dataclass(frozen=True, slots=True)
class Slot:
    """A show or an ad break on a channel: ``[start_ts, end_ts)``."""

    start_ts: int
    end_ts: int
    item_id: int | str
    """program_id of a show, ad_id of a break"""
    title: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # plain constructor arguments: pickles several times faster than slots dataclasses
        return Slot, (self.start_ts, self.end_ts, self.item_id, self.title)


@dataclass(slots=True)
class ChannelSlots:
    """Non-overlapping slots of one channel, sorted by start (so also by end)."""

    slots: list[Slot] = field(default_factory=list)
    _ends: list[int] = field(default_factory=list)

    def __reduce__(self) -> tuple[Any, ...]:
        return ChannelSlots, (self.slots, self._ends)

    def set(self, slots: list[Slot]) -> None:
        self.slots = sorted(slots, key=lambda s: s.start_ts)
        self._ends = [s.end_ts for s in self.slots]

    def overlapping(self, start: int, end: int | None) -> Iterator[Slot]:
        """Slots with time inside ``[start, end)`` (``end`` None: open-ended)."""
        for i in range(bisect.bisect_right(self._ends, start), len(self.slots)):
            slot = self.slots[i]
            if end is not None and slot.start_ts >= end:
                return
            yield slot

    def prune(self, horizon: int) -> None:
        """Forget slots that ended at or before ``horizon``."""
        cut = bisect.bisect_right(self._ends, horizon)
        if cut:
            self.set(self.slots[cut:])


class Broadcasts:
    """Shows (from ``tv.schedules``) and ad breaks (``tv.ad_breaks``) of every channel."""

    def __init__(self) -> None:
        self._entries: dict[tuple[int, int], dict[int, tuple[int, str]]] = {}
        """(channel_id, day) -> start ms of day -> (program_id, title)"""
        self._breaks: dict[int, dict[int, Slot]] = {}
        self.shows: dict[int, ChannelSlots] = {}
        self.breaks: dict[int, ChannelSlots] = {}

    def add_schedule_entry(
        self, channel_id: int, day: int, start_ms: int, program_id: int, title: str
    ) -> None:
        self._entries.setdefault((channel_id, day), {})[start_ms] = (program_id, title)
        self._rebuild_shows(channel_id)

    def add_break(self, channel_id: int, start_ts: int, length_ms: int, ad_id: str) -> None:
        breaks = self._breaks.setdefault(channel_id, {})
        breaks[start_ts] = Slot(start_ts, start_ts + length_ms, ad_id)
        self.breaks.setdefault(channel_id, ChannelSlots()).set(list(breaks.values()))

    def prune(self, horizon: int) -> None:
        """Forget shows and breaks that ended at or before ``horizon`` (no view can reach them)."""
        for channel_id, day in [
            k for k in self._entries if (k[1] + 1) * contract.DAY_MS <= horizon
        ]:
            del self._entries[(channel_id, day)]
            self._rebuild_shows(channel_id)
        for channel_id, breaks in self._breaks.items():
            for start in [s for s, b in breaks.items() if b.end_ts <= horizon]:
                del breaks[start]
            self.breaks[channel_id].set(list(breaks.values()))

    def _rebuild_shows(self, channel_id: int) -> None:
        slots: list[Slot] = []
        for (channel, day), entries in self._entries.items():
            if channel != channel_id:
                continue
            day_start = day * contract.DAY_MS
            starts = sorted(entries)
            ends = [*starts[1:], contract.DAY_MS]
            for start, end in zip(starts, ends, strict=True):
                program_id, title = entries[start]
                slots.append(Slot(day_start + start, day_start + end, program_id, title))
        self.shows.setdefault(channel_id, ChannelSlots()).set(slots)
