"""The watermark: late iff ts < (max ts of earlier phases) - delay; late actions are dropped."""

from __future__ import annotations

import pytest

from pipeway.demo.tv import contract
from pipeway.demo.tv.oracle import compute
from tests.unit.demo.tv.builders import at, heartbeat, phase, pick, rows, run, start, stop, switch

DELAY = contract.WATERMARK_DELAY_MS


def run_with_switch_at(ts: int):
    """Phase 0 reaches 10:30 (watermark of phase 1: 10:28); phase 1 brings a switch at ts."""
    return run(
        phase(actions=[start(1, "d1", at(10), 1), stop(1, "d1", at(10, 30))]),
        phase(actions=[switch(1, "d1", ts, 2), heartbeat(at(20))]),
    )


def ends(result) -> list[tuple[int, int, int]]:
    return [pick(r, "channel_id", "start_ts", "end_ts") for r in rows(result, contract.SESSIONS)]


def test_out_of_order_event_within_the_delay_is_kept() -> None:
    result = run_with_switch_at(at(10, 29))
    assert ends(result) == [(1, at(10), at(10, 29)), (2, at(10, 29), at(10, 30))]
    assert result.counts.late_actions == 0


def test_event_exactly_at_the_watermark_is_kept() -> None:
    result = run_with_switch_at(at(10, 30) - DELAY)
    assert result.counts.late_actions == 0
    assert len(ends(result)) == 2


def test_event_beyond_the_watermark_is_dropped_and_counted() -> None:
    result = run_with_switch_at(at(10, 30) - DELAY - 1)
    assert ends(result) == [(1, at(10), at(10, 30))]
    assert result.counts.late_actions == 1


def test_order_within_a_phase_never_makes_an_event_late() -> None:
    result = run(
        phase(actions=[stop(1, "d1", at(18)), start(1, "d1", at(10))]),
        phase(actions=[heartbeat(at(20))]),
    )
    assert ends(result) == [(1, at(10), at(14))]  # standby: the stop came 8 h later
    assert result.counts.late_actions == 0


def test_the_watermark_uses_every_earlier_phase_not_only_the_last() -> None:
    result = run(
        phase(actions=[start(1, "d1", at(12))]),
        phase(actions=[]),
        phase(actions=[start(2, "d2", at(11)), heartbeat(at(20))]),
    )
    assert result.counts.late_actions == 1


def test_invalid_action_codes_are_counted_and_do_not_move_the_watermark() -> None:
    bad = {"user_id": 1, "device_id": "d1", "channel_id": 1, "action": 9, "ts": at(23)}
    result = compute(
        [
            phase(actions=[start(1, "d1", at(10)), bad]),
            phase(actions=[stop(1, "d1", at(10, 30)), heartbeat(at(20))]),
        ]
    )
    assert result.counts.invalid_actions == 1
    assert result.counts.late_actions == 0


@pytest.mark.parametrize("delay", [60_000, 600_000])
def test_the_delay_is_a_parameter(delay: int) -> None:
    result = compute(
        [phase(actions=[start(1, "d1", at(10, 30))]), phase(actions=[start(2, "d2", at(10, 25))])],
        delay_ms=delay,
    )
    assert result.counts.late_actions == (1 if delay == 60_000 else 0)
