"""1-minute windows: a view's seconds split across windows, distinct viewers, top programs."""

from __future__ import annotations

from datetime import date

from pipeway.demo.tv import contract
from tests.unit.demo.tv.builders import (
    LONDON,
    PARIS,
    ad_break,
    at,
    heartbeat,
    phase,
    pick,
    program,
    rows,
    run,
    snapshot,
    start,
    stop,
    user_row,
)

USERS = [
    snapshot(user_row(1, date(1990, 1, 1), "F", LONDON)),
    snapshot(user_row(2, date(1990, 1, 1), "F", LONDON)),
    snapshot(user_row(3, date(1950, 1, 1), "M", PARIS)),
]
SCHEDULE = [program(1, 10, 0, title="News"), program(2, 20, 0, title="Film")]
AGG = ("window_start", "window_end", "viewers", "view_ms", "seconds")


def test_a_view_counts_in_each_window_with_its_milliseconds_inside() -> None:
    result = run(
        phase(
            schedules=SCHEDULE,
            users=USERS,
            actions=[
                start(1, "d1", at(10, 0, 30)),
                stop(1, "d1", at(10, 2, 15, 500)),
                heartbeat(at(20)),
            ],
        )
    )
    assert [pick(r, *AGG) for r in rows(result, contract.PROGRAM_MINUTE)] == [
        (at(10), at(10, 1), 1, 30_000, 30.0),
        (at(10, 1), at(10, 2), 1, 60_000, 60.0),
        (at(10, 2), at(10, 3), 1, 15_500, 15.5),
    ]
    row = rows(result, contract.PROGRAM_MINUTE)[0]
    assert pick(row, "channel_id", "program_id", "title", "age_band", "gender", "city_id") == (
        1, 10, "News", "35-44", "F", LONDON,
    )  # fmt: skip


def test_viewers_are_distinct_users_and_view_ms_sums_every_device() -> None:
    result = run(
        phase(
            schedules=SCHEDULE,
            users=USERS,
            actions=[
                start(1, "tv", at(10)),
                start(1, "phone", at(10, 0, 20)),  # same user, second device
                start(2, "tv", at(10, 0, 40)),  # same group, another user
                stop(1, "tv", at(10, 1)),
                stop(1, "phone", at(10, 1)),
                stop(2, "tv", at(10, 1)),
                heartbeat(at(20)),
            ],
        )
    )
    assert [pick(r, *AGG) for r in rows(result, contract.PROGRAM_MINUTE)] == [
        (at(10), at(10, 1), 2, 60_000 + 40_000 + 20_000, 120.0)
    ]


def test_groups_split_by_age_band_gender_and_city_and_top_programs_merge_them() -> None:
    result = run(
        phase(
            schedules=SCHEDULE,
            users=USERS,
            actions=[
                start(1, "d1", at(10), 1),
                start(3, "d3", at(10), 1),  # other group: 65+, M, Paris
                start(2, "d2", at(10), 2),
                stop(1, "d1", at(10, 1)),
                stop(3, "d3", at(10, 0, 30)),
                stop(2, "d2", at(10, 1)),
                heartbeat(at(20)),
            ],
        )
    )
    groups = [
        pick(r, "program_id", "age_band", "gender", "city_id", "viewers", "view_ms")
        for r in rows(result, contract.PROGRAM_MINUTE)
    ]
    assert groups == [
        (10, "35-44", "F", LONDON, 1, 60_000),
        (10, "65+", "M", PARIS, 1, 30_000),
        (20, "35-44", "F", LONDON, 1, 60_000),
    ]
    top = [
        pick(r, "rank", "program_id", "title", "viewers", "view_ms")
        for r in rows(result, contract.TOP_PROGRAMS)
    ]
    assert top == [(1, 10, "News", 2, 90_000), (2, 20, "Film", 1, 60_000)]


def test_top_programs_break_viewer_ties_by_view_ms_and_keep_ten() -> None:
    schedule = [program(c, c * 10, 0) for c in range(1, 13)]
    users = [snapshot(user_row(u, date(1990, 1, 1))) for u in range(1, 13)]
    actions = []
    for c in range(1, 13):  # one viewer per channel, longer on higher channels
        actions += [start(c, f"d{c}", at(10, 0, 60 - 4 * c), c), stop(c, f"d{c}", at(10, 1))]
    result = run(phase(schedules=schedule, users=users, actions=[*actions, heartbeat(at(20))]))
    top = [pick(r, "rank", "channel_id") for r in rows(result, contract.TOP_PROGRAMS)]
    assert top == [(rank, 13 - rank) for rank in range(1, contract.TOP_N + 1)]


def test_windows_are_emitted_only_once_they_end_before_the_watermark() -> None:
    result = run(
        phase(schedules=SCHEDULE, users=USERS, actions=[start(1, "d1", at(10))]),
        phase(actions=[heartbeat(at(10, 2, 30))]),
    )
    windows = [r["window_start"] for r in rows(result, contract.PROGRAM_MINUTE)]
    assert windows == [at(10), at(10, 1)]  # the open session counts; 10:02 is not final
    assert [r["window_start"] for r in rows(result, contract.TOP_PROGRAMS)] == windows


def test_ad_minutes_per_ad_across_channels() -> None:
    result = run(
        phase(
            users=USERS,
            ad_breaks=[
                ad_break("ad-7", 1, at(10, 0, 50), 30),
                ad_break("ad-7", 2, at(10, 0, 40), 15),
            ],
            actions=[
                start(1, "d1", at(10), 1),
                start(2, "d2", at(10), 2),
                stop(1, "d1", at(10, 5)),
                stop(2, "d2", at(10, 5)),
                heartbeat(at(20)),
            ],
        )
    )
    assert [pick(r, "ad_id", *AGG) for r in rows(result, contract.AD_MINUTE)] == [
        ("ad-7", at(10), at(10, 1), 2, 10_000 + 15_000, 25.0),
        ("ad-7", at(10, 1), at(10, 2), 1, 20_000, 20.0),
    ]
