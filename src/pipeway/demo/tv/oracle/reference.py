"""Reference data as intervals: schedules expanded to shows, ad breaks with their ends."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from pipeway.demo.tv import contract
from pipeway.demo.tv.oracle.inputs import ContractViolation, Phases, records


@dataclass(frozen=True, slots=True)
class Show:
    channel_id: int
    program_id: int
    title: str
    start_ts: int
    end_ts: int


@dataclass(frozen=True, slots=True)
class Break:
    ad_id: str
    channel_id: int
    start_ts: int
    end_ts: int


def shows_by_channel(phases: Phases) -> dict[int, list[Show]]:
    """Each schedule entry runs until the next one of its channel and day, or the day's end."""
    days: dict[tuple[int, int], dict[int, tuple[int, str]]] = defaultdict(dict)
    for _, r in records(phases, contract.SCHEDULES):
        entries = days[(r["channel_id"], r["day"])]
        if r["start"] in entries:
            raise ContractViolation(
                f"schedule of channel {r['channel_id']} day {r['day']} has two entries at "
                f"{r['start']} ms: (channel_id, day, start) must be unique"
            )
        entries[r["start"]] = (r["program_id"], r["title"])
    shows: dict[int, list[Show]] = defaultdict(list)
    for (channel, day), entries in days.items():
        day_start = day * contract.DAY_MS
        starts = sorted(entries)
        ends = [*starts[1:], contract.DAY_MS]
        for start, end in zip(starts, ends, strict=True):
            program_id, title = entries[start]
            show = Show(channel, program_id, title, day_start + start, day_start + end)
            shows[channel].append(show)
    for channel_shows in shows.values():
        channel_shows.sort(key=lambda s: s.start_ts)
    return dict(shows)


def breaks_by_channel(phases: Phases) -> dict[int, list[Break]]:
    """Ad breaks as [start_ts, start_ts + duration_secs * 1000), per channel."""
    breaks: dict[int, list[Break]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for _, r in records(phases, contract.AD_BREAKS):
        key = (r["channel_id"], r["start_ts"])
        if key in seen:
            raise ContractViolation(f"two ad breaks on channel {key[0]} at {key[1]}")
        seen.add(key)
        end = r["start_ts"] + r["duration_secs"] * 1000
        breaks[r["channel_id"]].append(Break(r["ad_id"], r["channel_id"], r["start_ts"], end))
    for channel_breaks in breaks.values():
        channel_breaks.sort(key=lambda b: b.start_ts)
    return dict(breaks)
