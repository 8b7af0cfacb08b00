"""MinuteSpans: spans cut into 1-minute windows, summed per group with distinct viewers."""

from __future__ import annotations

from pipeway.demo.tv.jobs.minutes import MinuteSpans

M = 60_000
COLUMNS = ("channel_id", "program_id", "age_band")


def _cells(spans: MinuteSpans, watermark: int, columns: tuple[str, ...] = COLUMNS) -> set:
    frame = spans.cells(spans.finalize(watermark), columns)
    return {
        (r["window_start"], *(r[c] for c in columns), r["viewers"], r["view_ms"])
        for r in frame.to_dict("records")
    }


def test_a_span_counts_in_every_window_it_overlaps() -> None:
    spans = MinuteSpans(COLUMNS)
    spans.add((1, 10, "18-24"), 7, 30_000, 2 * M + 5_000, "News")
    assert _cells(spans, 10 * M) == {
        (0, 1, 10, "18-24", 1, 30_000),
        (M, 1, 10, "18-24", 1, M),
        (2 * M, 1, 10, "18-24", 1, 5_000),
    }


def test_viewers_are_distinct_users_and_milliseconds_add_up() -> None:
    spans = MinuteSpans(COLUMNS)
    spans.add((1, 10, None), 7, 0, 10_000)
    spans.add((1, 10, None), 7, 20_000, 30_000)  # same user, other device
    spans.add((1, 10, None), 8, 0, 5_000)
    assert _cells(spans, M) == {(0, 1, 10, None, 2, 25_000)}


def test_only_final_windows_are_handed_out_and_the_rest_is_kept() -> None:
    spans = MinuteSpans(COLUMNS)
    spans.add((1, 10, "65+"), 7, 50_000, M + 20_000)
    assert _cells(spans, M + 59_999) == {(0, 1, 10, "65+", 1, 10_000)}
    spans.add((1, 10, "65+"), 8, M + 30_000, M + 40_000)
    assert _cells(spans, 2 * M) == {(M, 1, 10, "65+", 2, 30_000)}
    assert _cells(spans, 10 * M) == set()


def test_a_prefix_of_the_group_sums_its_groups_with_distinct_viewers() -> None:
    spans = MinuteSpans(COLUMNS)
    spans.add((1, 10, "18-24"), 7, 0, 10_000, "News")
    spans.add((1, 10, "25-34"), 7, 0, 10_000, "News")
    spans.add((1, 10, "25-34"), 8, 0, 10_000, "News")
    frame = spans.cells(spans.finalize(M), COLUMNS[:2])
    shown = ["window_start", "channel_id", "program_id", "title", "viewers", "view_ms"]
    assert frame[shown].to_dict("records") == [
        {"window_start": 0, "channel_id": 1, "program_id": 10, "title": "News", "viewers": 2,
         "view_ms": 30_000}
    ]  # fmt: skip


def test_groups_no_kept_part_uses_are_forgotten_and_the_rest_keep_counting() -> None:
    spans = MinuteSpans(COLUMNS)
    for program in range(2000):  # a long run: ever new programs, all final by 2M
        spans.add((1, program, "65+"), 7, 0, 1_000, "old")
    spans.add((2, 5, "18-24"), 8, M + 10_000, 2 * M + 30_000, "kept")
    assert len(_cells(spans, 2 * M)) == 2001  # the first two windows
    spans.compact()
    assert spans.groups == [(2, 5, "18-24")]
    spans.add((2, 5, "18-24"), 9, 2 * M, 2 * M + 10_000, "kept")
    spans.add((3, 1, None), 9, 2 * M, 2 * M + 1_000, "new")
    assert _cells(spans, 3 * M) == {
        (2 * M, 2, 5, "18-24", 2, 40_000),
        (2 * M, 3, 1, None, 1, 1_000),
    }
