"""Show and ad views: overlaps with shows across boundaries, ad completeness, open sessions."""

from __future__ import annotations

import pytest

from pipeway.demo.tv import contract
from pipeway.demo.tv.oracle import ContractViolation, compute
from tests.unit.demo.tv.builders import (
    T0,
    ad_break,
    at,
    heartbeat,
    phase,
    pick,
    program,
    rows,
    run,
    start,
    stop,
)

SCHEDULE = [program(1, 10, 0), program(1, 11, 10, 15), program(1, 12, 11), program(1, 13, 22)]
VIEW = ("program_id", "show_start_ts", "show_end_ts", "start_ts", "end_ts", "view_ms", "seconds")


def show_views(result, **match):
    return [pick(r, *VIEW) for r in rows(result, contract.SHOW_VIEWS, **match)]


def test_a_session_across_a_show_boundary_gives_one_view_per_show() -> None:
    result = run(
        phase(
            schedules=SCHEDULE,
            actions=[start(1, "d1", at(10)), stop(1, "d1", at(10, 40)), heartbeat(at(20))],
        )
    )
    assert show_views(result) == [
        (10, T0, at(10, 15), at(10), at(10, 15), 900_000, 900.0),
        (11, at(10, 15), at(11), at(10, 15), at(10, 40), 1_500_000, 1500.0),
    ]
    assert {r["session_start_ts"] for r in rows(result, contract.SHOW_VIEWS)} == {at(10)}


def test_the_last_show_ends_at_the_end_of_the_utc_day() -> None:
    result = run(
        phase(schedules=SCHEDULE, actions=[start(1, "d1", at(23)), stop(1, "d1", at(23, 30))]),
        phase(actions=[heartbeat(at(23, 59))]),
    )
    assert show_views(result) == [
        (13, at(22), T0 + contract.DAY_MS, at(23), at(23, 30), 1_800_000, 1800.0)
    ]


def test_no_view_before_the_first_show_or_on_other_channels() -> None:
    late_start = [program(2, 20, 6), program(2, 21, 8)]
    result = run(
        phase(
            schedules=SCHEDULE + late_start,
            actions=[
                start(1, "d1", at(5), 2),
                stop(1, "d1", at(6, 30)),
                start(1, "d2", at(5), 3),  # no schedule on channel 3
                stop(1, "d2", at(6)),
                heartbeat(at(20)),
            ],
        )
    )
    assert show_views(result) == [(20, at(6), at(8), at(6), at(6, 30), 1_800_000, 1800.0)]


def test_a_session_touching_a_show_only_at_its_end_has_no_view() -> None:
    result = run(
        phase(
            schedules=SCHEDULE,
            actions=[start(1, "d1", at(10, 15)), stop(1, "d1", at(10, 20)), heartbeat(at(20))],
        )
    )
    assert [v[0] for v in show_views(result)] == [11]


def test_an_open_session_emits_the_views_of_shows_that_ended() -> None:
    result = run(
        phase(schedules=SCHEDULE, actions=[start(1, "d1", at(10))]),
        phase(actions=[heartbeat(at(10, 50))]),
    )
    assert show_views(result) == [(10, T0, at(10, 15), at(10), at(10, 15), 900_000, 900.0)]
    assert rows(result, contract.SESSIONS) == []


def test_duplicate_schedule_entries_break_the_contract() -> None:
    with pytest.raises(ContractViolation, match="unique"):
        compute(
            [phase(schedules=[program(1, 10, 0), program(1, 11, 0)], actions=[heartbeat(at(1))])]
        )


BREAK = ad_break("ad-1001", 1, at(10, 10), 30)
AD = ("ad_id", "break_start_ts", "break_end_ts", "start_ts", "end_ts", "view_ms", "complete")


def ad_views(result, device):
    return [pick(r, *AD) for r in rows(result, contract.AD_VIEWS, device_id=device)]


def test_ad_views_complete_when_the_whole_break_was_watched() -> None:
    end = at(10, 10, 30)
    result = run(
        phase(
            ad_breaks=[BREAK, ad_break("ad-1002", 2, at(10, 10), 60)],
            actions=[
                start(1, "whole", at(10)),
                stop(1, "whole", at(10, 20)),
                start(2, "joined", at(10, 10, 10)),
                stop(2, "joined", at(10, 20)),
                start(3, "left", at(10)),
                stop(3, "left", at(10, 10, 5)),
                start(4, "exact", at(10, 10)),
                stop(4, "exact", end),
                heartbeat(at(20)),
            ],
        )
    )
    assert ad_views(result, "whole") == [
        ("ad-1001", at(10, 10), end, at(10, 10), end, 30_000, True)
    ]
    assert ad_views(result, "joined") == [
        ("ad-1001", at(10, 10), end, at(10, 10, 10), end, 20_000, False)
    ]
    assert ad_views(result, "left") == [
        ("ad-1001", at(10, 10), end, at(10, 10), at(10, 10, 5), 5_000, False)
    ]
    assert ad_views(result, "exact") == [
        ("ad-1001", at(10, 10), end, at(10, 10), end, 30_000, True)
    ]
    assert {r["ad_id"] for r in rows(result, contract.AD_VIEWS)} == {"ad-1001"}


def test_an_open_session_emits_a_complete_ad_view_once_the_break_ended() -> None:
    result = run(
        phase(ad_breaks=[BREAK], actions=[start(1, "d1", at(10))]),
        phase(actions=[heartbeat(at(10, 11))]),
    )
    assert ad_views(result, "d1") == [
        ("ad-1001", at(10, 10), at(10, 10, 30), at(10, 10), at(10, 10, 30), 30_000, True)
    ]
