"""The job's session tracker: the contract's state machine over a columnar action buffer."""

from __future__ import annotations

import pickle

import pandas as pd
import pyarrow as pa

from pipeway.demo.tv import contract
from pipeway.demo.tv.jobs import pending
from pipeway.demo.tv.jobs.packing import action_columns
from pipeway.demo.tv.jobs.sessions import Sessions, SessionTracker

H = 3_600_000


def actions(*rows: tuple[int, str, int, int, int]) -> pd.DataFrame:
    """(user_id, device_id, channel_id, action, ts) rows as the operator's input columns."""
    return pd.DataFrame(rows, columns=["user_id", "device_id", "channel_id", "action", "ts"])


class Tracker:
    """A session tracker with its pending actions in memory, as the operator drives it."""

    def __init__(self) -> None:
        self.sessions = SessionTracker()
        self.store = pending.MemoryPending()
        self.index = pending.PendingIndex()

    def add_many(self, frame: pd.DataFrame) -> None:
        self.index.add(self.store, self.sessions.number(frame))

    def advance(self, watermark: int) -> Sessions:
        return self.sessions.advance(watermark, self.index.take_due(self.store, watermark))


def spans(closed: Sessions) -> list[tuple[object, ...]]:
    columns = (closed.device_id, closed.channel_id, closed.start_ts, closed.end_ts,
               closed.end_reason)  # fmt: skip
    return sorted(zip(*(c.tolist() for c in columns), strict=True))


def test_actions_replay_in_event_time_order_whatever_their_arrival() -> None:
    tracker = Tracker()
    tracker.add_many(actions((1, "a", 7, contract.SWITCH, 300), (1, "a", 5, contract.START, 100)))
    tracker.add_many(actions((1, "a", 0, contract.STOP, 500)))
    closed = tracker.advance(1_000)
    assert spans(closed) == [
        ("a", 5, 100, 300, contract.END_SWITCH),
        ("a", 7, 300, 500, contract.END_STOP),
    ]
    assert tracker.sessions.gauges() == {"pending_actions": 0, "open_sessions": 0}


def test_actions_at_or_above_the_watermark_wait_for_a_later_step() -> None:
    tracker = Tracker()
    tracker.add_many(actions((1, "a", 5, contract.START, 100), (1, "a", 6, contract.SWITCH, 900)))
    assert spans(tracker.advance(900)) == []  # the switch at 900 is not below W = 900
    assert tracker.sessions.gauges() == {"pending_actions": 1, "open_sessions": 1}
    assert spans(tracker.advance(901)) == [("a", 5, 100, 900, contract.END_SWITCH)]


def test_a_session_without_actions_goes_to_standby_after_four_hours() -> None:
    tracker = Tracker()
    tracker.add_many(actions((2, "tv", 3, contract.START, 0)))
    assert spans(tracker.advance(contract.STANDBY_AFTER_MS - 1)) == []
    assert spans(tracker.advance(contract.STANDBY_AFTER_MS)) == [
        ("tv", 3, 0, contract.STANDBY_AFTER_MS, contract.END_STANDBY)
    ]
    assert tracker.sessions.counts["standby_timeouts"] == 1


def test_stray_stops_and_switches_are_counted() -> None:
    tracker = Tracker()
    tracker.add_many(
        actions(
            (1, "a", 1, contract.STOP, 10),
            (1, "a", 2, contract.SWITCH, 20),
            (1, "a", 3, contract.START, 30),
        )
    )
    closed = tracker.advance(100)
    assert spans(closed) == [("a", 2, 20, 30, contract.END_START)]
    assert tracker.sessions.counts == {"stops_ignored": 1, "switches_without_session": 1,
                              "starts_while_open": 1}  # fmt: skip


def test_numbers_of_finished_devices_are_reused_without_mixing_devices() -> None:
    tracker = Tracker()
    for user in range(100):  # sessions opened and closed: every device finished
        tracker.add_many(actions((user, "d", 1, contract.START, user), (user, "d", 1, 2, user + 1)))
    tracker.add_many(actions((5, "d", 4, contract.START, 10 * H)))
    assert len(tracker.advance(10 * H + 1)) == 100
    tracker.add_many(actions((7, "d", 4, contract.START, 10 * H + 5)))
    tracker.add_many(actions((8, "x", 3, contract.START, 10 * H + 6)))
    assert tracker.sessions._size == 100  # the new devices took freed numbers
    tracker.add_many(actions((5, "d", 9, contract.STOP, 11 * H)))
    state = pickle.loads(pickle.dumps(tracker))
    assert spans(state.advance(12 * H)) == [("d", 4, 10 * H, 11 * H, contract.END_STOP)]
    still_open = state.sessions.open_sessions()
    assert sorted(zip(still_open.user_id.tolist(), still_open.device_id.tolist(), strict=True)) == [
        (7, "d"),
        (8, "x"),
    ]


def test_packed_actions_number_devices_by_their_dictionary_codes() -> None:
    rows = [(1, "tv", 3, contract.START, 10), (2, "tv", 4, contract.START, 11),
            (1, "web", 5, contract.START, 12), (1, "tv", 6, contract.SWITCH, 13)]  # fmt: skip
    table = pa.Table.from_pandas(actions(*rows), preserve_index=False)
    by_codes = SessionTracker().number(action_columns(table))
    by_strings = SessionTracker().number(actions(*rows))
    assert by_codes["device"].tolist() == by_strings["device"].tolist() == [0, 1, 2, 0]
