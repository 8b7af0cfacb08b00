"""Slot tables: every session's overlapping shows or breaks, found column-wise."""

from __future__ import annotations

import random

import numpy as np

from pipeway.demo.tv.jobs.reference import Broadcasts, SlotTable


def test_overlaps_equal_a_brute_force_search() -> None:
    rng = random.Random(3)
    rows = []
    for channel in (1, 2, 7):
        start = 0
        for item in range(40):
            length = rng.randrange(1, 50)
            rows.append((channel, start, start + length, item, None))
            start += length + rng.randrange(0, 5)  # gaps between slots
    table = SlotTable.build(rows)
    channel = np.array([rng.choice((1, 2, 7, 9)) for _ in range(300)])
    lo = np.array([rng.randrange(0, 1500) for _ in range(300)])
    hi = lo + np.array([rng.randrange(0, 200) for _ in range(300)])
    query, slot = table.overlaps(channel, lo, hi)
    found = {
        (int(q), int(table.channel[s]), int(table.start[s]))
        for q, s in zip(query, slot, strict=True)
    }
    expected = {(q, c, s) for q in range(300) for (c, s, e, _, _) in rows
                if c == channel[q] and e > lo[q] and s < hi[q]}  # fmt: skip
    assert found == expected


def test_a_show_ends_where_the_next_starts_and_tables_follow_changes() -> None:
    broadcasts = Broadcasts()
    broadcasts.add_schedule_entry(1, 0, 0, 10, "Morning")
    broadcasts.add_schedule_entry(1, 0, 3_600_000, 11, "Noon")
    shows = broadcasts.shows
    assert list(
        zip(shows.start.tolist(), shows.end.tolist(), shows.item.tolist(), strict=True)
    ) == [
        (0, 3_600_000, 10),
        (3_600_000, 86_400_000, 11),
    ]
    broadcasts.add_break(1, 1_000, 30_000, "ad-1")
    assert broadcasts.breaks.item.tolist() == ["ad-1"]
    broadcasts.prune(86_400_000)  # the whole day ended
    assert len(broadcasts.shows.start) == 0
    assert len(broadcasts.breaks.start) == 0
