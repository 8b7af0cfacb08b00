"""Session rules: switch, stop, start while open, standby at 4 h, ignored stops, open at end."""

from __future__ import annotations

from pipeway.demo.tv import contract
from tests.unit.demo.tv.builders import (
    at,
    heartbeat,
    phase,
    pick,
    rows,
    run,
    start,
    stop,
    switch,
)

FIELDS = ("channel_id", "start_ts", "end_ts", "end_reason", "standby")


def sessions(result, device="d1"):
    return [pick(r, *FIELDS) for r in rows(result, contract.SESSIONS, device_id=device)]


def test_switch_closes_and_opens_and_stop_closes() -> None:
    result = run(
        phase(actions=[start(1, "d1", at(10), 1), switch(1, "d1", at(10, 30), 2)]),
        phase(actions=[stop(1, "d1", at(11)), heartbeat(at(20))]),
    )
    assert sessions(result) == [
        (1, at(10), at(10, 30), "switch", False),
        (2, at(10, 30), at(11), "stop", False),
    ]
    row = rows(result, contract.SESSIONS, channel_id=2)[0]
    assert (row["duration_ms"], row["seconds"]) == (1_800_000, 1800.0)


def test_stop_closes_whatever_channel_it_names() -> None:
    result = run(
        phase(actions=[start(1, "d1", at(8), 4), stop(1, "d1", at(9), 7), heartbeat(at(20))])
    )
    assert sessions(result) == [(4, at(8), at(9), "stop", False)]


def test_start_while_open_closes_the_open_session() -> None:
    result = run(
        phase(
            actions=[
                start(1, "d1", at(10), 1),
                start(1, "d1", at(10, 20), 3),
                stop(1, "d1", at(10, 40)),
                heartbeat(at(20)),
            ]
        )
    )
    assert sessions(result) == [
        (1, at(10), at(10, 20), "start", False),
        (3, at(10, 20), at(10, 40), "stop", False),
    ]
    assert result.counts.starts_while_open == 1


def test_stop_without_session_is_ignored_and_counted() -> None:
    result = run(phase(actions=[stop(1, "d1", at(9)), stop(1, "d2", at(9, 5)), heartbeat(at(20))]))
    assert rows(result, contract.SESSIONS) == []
    assert result.counts.stops_ignored == 2


def test_standby_closes_at_start_plus_4h_and_a_later_stop_is_ignored() -> None:
    result = run(
        phase(actions=[start(1, "d1", at(10), 5)]),
        phase(actions=[stop(1, "d1", at(15)), heartbeat(at(20))]),
    )
    assert sessions(result) == [(5, at(10), at(14), "standby", True)]
    assert result.counts.standby_timeouts == 1
    assert result.counts.stops_ignored == 1


def test_an_action_at_exactly_4h_finds_the_session_timed_out() -> None:
    result = run(
        phase(
            actions=[
                start(1, "d1", at(10), 1),
                switch(1, "d1", at(14), 2),
                stop(1, "d1", at(14, 30)),
                heartbeat(at(20)),
            ]
        )
    )
    assert sessions(result) == [
        (1, at(10), at(14), "standby", True),
        (2, at(14), at(14, 30), "stop", False),
    ]
    assert result.counts.switches_without_session == 1


def test_an_action_just_before_4h_keeps_the_session() -> None:
    last = at(14) - 1
    result = run(
        phase(actions=[start(1, "d1", at(10), 1), switch(1, "d1", last, 2), heartbeat(at(20))])
    )
    assert sessions(result) == [
        (1, at(10), last, "switch", False),
        (2, last, last + contract.STANDBY_AFTER_MS, "standby", True),
    ]


def test_standby_fires_only_once_the_watermark_reaches_it() -> None:
    at_deadline = run(phase(actions=[start(1, "d1", at(10))]), phase(actions=[heartbeat(at(14))]))
    before = run(phase(actions=[start(1, "d1", at(10))]), phase(actions=[heartbeat(at(14) - 1)]))
    assert sessions(at_deadline) == [(1, at(10), at(14), "standby", True)]
    assert sessions(before) == []
    assert before.counts.open_sessions == 1


def test_sessions_are_per_user_and_device() -> None:
    result = run(
        phase(
            actions=[
                start(1, "d1", at(10), 1),
                start(1, "d2", at(10, 5), 2),
                stop(1, "d1", at(10, 10)),
                stop(1, "d2", at(10, 20)),
                heartbeat(at(20)),
            ]
        )
    )
    assert sessions(result, "d1") == [(1, at(10), at(10, 10), "stop", False)]
    assert sessions(result, "d2") == [(2, at(10, 5), at(10, 20), "stop", False)]


def test_open_session_and_actions_after_the_final_watermark_are_not_final() -> None:
    watermark = at(23, 58)
    result = run(
        phase(
            actions=[
                start(1, "d1", at(23, 50)),
                stop(1, "d2", watermark),  # not before the watermark: pending
                heartbeat(watermark),
            ]
        )
    )
    assert rows(result, contract.SESSIONS) == []
    assert result.counts.open_sessions == 1
    assert result.counts.pending_actions == 2  # the stop at the watermark and the heartbeat
    assert result.counts.stops_ignored == 0
    assert result.counts.final_watermark == watermark


def test_actions_are_processed_in_event_time_order_not_delivery_order() -> None:
    result = run(
        phase(
            actions=[stop(1, "d1", at(11)), switch(1, "d1", at(10, 30), 2), start(1, "d1", at(10))]
        ),
        phase(actions=[heartbeat(at(20))]),
    )
    assert sessions(result) == [
        (1, at(10), at(10, 30), "switch", False),
        (2, at(10, 30), at(11), "stop", False),
    ]
