"""Sessions per (user, device): the contract's state machine, driven by the watermark.

Actions wait as numbered rows (:mod:`pipeway.demo.tv.jobs.pending`) until the watermark
passes them, since a later delivery could still precede them; :meth:`SessionTracker.advance`
then replays the due ones per device in ``(ts, action, channel)`` order. The replay is
column-wise: what an action does depends only on the action before it on the same device
(start and switch open a session, stop leaves none; a session is closed by the next action,
or at ``start + 4 h`` (standby) if that comes first), so one sort and a few shifted
comparisons replace a Python loop over actions. Devices are numbered so the waiting rows and
the open sessions are plain integer arrays; a number is reused once its device has no open
session and no waiting action.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pipeway.demo.tv import contract
from pipeway.demo.tv.jobs.minutes import first_rows

_UNUSED = -1
_REASONS = np.array(
    [None, contract.END_START, contract.END_STOP, contract.END_SWITCH], dtype=object
)
"""end reason of a session closed by the action with that code"""


@dataclass(frozen=True)
class Sessions:
    """Sessions as columns; ``end_ts`` and ``end_reason`` are meaningless where ``is_open``."""

    user_id: np.ndarray
    device_id: np.ndarray
    """object array of str"""
    channel_id: np.ndarray
    start_ts: np.ndarray
    end_ts: np.ndarray
    end_reason: np.ndarray
    """object array of str (None while open)"""
    is_open: np.ndarray

    def __len__(self) -> int:
        return len(self.start_ts)

    def concat(self, other: Sessions) -> Sessions:
        return Sessions(*(np.concatenate([getattr(self, f), getattr(other, f)]) for f in _FIELDS))


_FIELDS = tuple(Sessions.__dataclass_fields__)


@dataclass(frozen=True)
class Head:
    """Open sessions as columns: the device number, channel and start of each."""

    device: np.ndarray
    channel: np.ndarray
    start: np.ndarray


class SessionTracker:
    """Every device's number and open session, plus the contract's counters."""

    def __init__(self) -> None:
        self._index: dict[tuple[int, str], int] = {}
        self._free: list[int] = []
        self._size = 0
        """numbers handed out so far (free ones included)"""
        self._user = np.empty(0, np.int64)
        self._device_id = np.empty(0, object)
        """number -> device_id, None while the number is free"""
        self._last_ts = np.empty(0, np.int64)
        """number -> latest event time of its actions (``_UNUSED`` when free)"""
        self._is_open = np.empty(0, bool)
        self._channel = np.empty(0, np.int64)
        self._start = np.empty(0, np.int64)
        """number -> channel and start of its open session (where ``_is_open``)"""
        self.pending = 0
        """actions numbered but not replayed yet"""
        self.counts: Counter[str] = Counter()

    # -- numbering ----------------------------------------------------------------------
    def number(self, actions: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Kept actions (columns ``user_id``, ``device_id``, ``channel_id``, ``action``,
        ``ts``) as the pending columns (``device``, ``ts``, ``action``, ``channel``)."""
        ts = np.asarray(actions["ts"], np.int64)
        user_id = np.asarray(actions["user_id"], np.int64)
        device_id = np.asarray(actions["device_id"], object)
        if "device_code" in actions:  # ints naming the device ids (see packing.action_columns)
            device_code = np.asarray(actions["device_code"], np.int64)
        else:
            device_code = pd.factorize(device_id)[0].astype(np.int64)
        codes, _ = pd.factorize((user_id << 32) + device_code)
        first = first_rows(codes)
        keys = zip(user_id[first].tolist(), device_id[first].tolist(), strict=True)
        numbers = np.fromiter((self._number(k) for k in keys), np.int64, len(first))
        device = numbers[codes] if len(ts) else np.empty(0, np.int64)
        np.maximum.at(self._last_ts, device, ts)
        self.pending += len(ts)
        return {
            "device": device,
            "ts": ts,
            "action": np.asarray(actions["action"], np.int64),
            "channel": np.asarray(actions["channel_id"], np.int64),
        }

    def _number(self, key: tuple[object, object]) -> int:
        user_id, device_id = int(key[0]), str(key[1])  # type: ignore[call-overload]
        number = self._index.get((user_id, device_id))
        if number is not None:
            return number
        number = self._free.pop() if self._free else self._grow()
        self._index[(user_id, device_id)] = number
        self._user[number], self._device_id[number] = user_id, device_id
        self._last_ts[number] = _UNUSED
        return number

    def _grow(self) -> int:
        if self._size == len(self._user):  # double the capacity: amortized O(1) per device
            extra = max(1024, len(self._user))
            self._user = np.concatenate([self._user, np.zeros(extra, np.int64)])
            self._device_id = np.concatenate([self._device_id, np.full(extra, None, object)])
            self._last_ts = np.concatenate([self._last_ts, np.full(extra, _UNUSED, np.int64)])
            self._is_open = np.concatenate([self._is_open, np.zeros(extra, bool)])
            self._channel = np.concatenate([self._channel, np.zeros(extra, np.int64)])
            self._start = np.concatenate([self._start, np.zeros(extra, np.int64)])
        self._size += 1
        return self._size - 1

    # -- replay -------------------------------------------------------------------------
    def advance(self, watermark: int, due: dict[str, np.ndarray]) -> Sessions:
        """Replay ``due`` (every pending action with ``ts < watermark``) and time out
        sessions at ``watermark``; the sessions this closed."""
        self.pending -= len(due["ts"])
        closed, head, counts = self._replay(self.head(), due, watermark)
        self.counts.update(counts)
        self._is_open[: self._size] = False
        self._is_open[head.device] = True
        self._channel[head.device], self._start[head.device] = head.channel, head.start
        self._release(watermark)
        return closed

    def speculate(
        self, head: Head, due: dict[str, np.ndarray], until: int
    ) -> tuple[Sessions, Head]:
        """:meth:`advance` from ``head`` rather than the tracked open sessions, changing
        nothing here: the sessions closed before ``until`` and those open at it if ``due``
        were all the actions before it (the live cells' guess, :mod:`.live`)."""
        closed, after, _ = self._replay(head, due, until)
        return closed, after

    def head(self) -> Head:
        """The open sessions now, by device number."""
        numbers = np.flatnonzero(self._is_open[: self._size])
        return Head(numbers, self._channel[numbers], self._start[numbers])

    def _replay(
        self, head: Head, due: dict[str, np.ndarray], until: int
    ) -> tuple[Sessions, Head, Counter[str]]:
        """``head`` and ``due`` sorted per device, each open session as its device's first
        row: the sessions that close before ``until``, the open ones at it, the counters."""
        first = np.concatenate([np.ones(len(head.device), bool), np.zeros(len(due["ts"]), bool)])
        dev = np.concatenate([head.device, due["device"].astype(np.int64)])
        ts = np.concatenate([head.start, due["ts"].astype(np.int64)])
        act = np.concatenate([np.zeros(len(head.device), np.int64),
                              due["action"].astype(np.int64)])  # fmt: skip
        chan = np.concatenate([head.channel, due["channel"].astype(np.int64)])
        order = np.lexsort((chan, act, ts, ~first, dev))
        dev, ts, act, chan, first = dev[order], ts[order], act[order], chan[order], first[order]
        closed, still_open, counts = _state_machine(until, dev, ts, act, first)
        sessions = self._sessions(dev[closed.rows], chan[closed.rows], ts[closed.rows],
                                  closed.end, closed.reason)  # fmt: skip
        return sessions, Head(dev[still_open], chan[still_open], ts[still_open]), counts

    def open_sessions(self) -> Sessions:
        return self.sessions_of(self.head())

    def sessions_of(self, head: Head) -> Sessions:
        """``head``'s open sessions with their user and device ids."""
        n = len(head.device)
        return Sessions(
            self._user[head.device],
            self._device_id[head.device],
            head.channel,
            head.start,
            np.full(n, _UNUSED, np.int64),
            np.full(n, None, object),
            np.ones(n, bool),
        )

    def gauges(self) -> dict[str, int]:
        """Counts that describe the current state rather than accumulate."""
        return {"pending_actions": self.pending, "open_sessions": int(self._is_open.sum())}

    def _sessions(
        self, dev: np.ndarray, chan: np.ndarray, start: np.ndarray, end: np.ndarray,
        reason: np.ndarray,
    ) -> Sessions:  # fmt: skip
        return Sessions(self._user[dev], self._device_id[dev], chan, start, end,
                        reason.astype(object), np.zeros(len(dev), bool))  # fmt: skip

    def _release(self, watermark: int) -> None:
        """Free the numbers of devices with no open session whose actions all replayed."""
        last = self._last_ts[: self._size]
        idle = np.flatnonzero((last != _UNUSED) & (last < watermark) & ~self._is_open[: self._size])
        for number in idle.tolist():
            del self._index[(int(self._user[number]), self._device_id[number])]
            self._free.append(number)
        self._device_id[idle] = None
        self._last_ts[idle] = _UNUSED


@dataclass(frozen=True)
class _Closed:
    rows: np.ndarray
    end: np.ndarray
    reason: np.ndarray


def _state_machine(
    until: int, dev: np.ndarray, ts: np.ndarray, act: np.ndarray, first: np.ndarray
) -> tuple[_Closed, np.ndarray, Counter[str]]:
    """Rows sorted per device: which sessions close (row, end, reason), which stay open at
    ``until``, and the contract's counters."""
    n = len(ts)
    opens = first | (act != contract.STOP)
    has_next = np.zeros(n, bool)
    has_next[:-1] = dev[1:] == dev[:-1]
    next_ts, next_act = np.zeros(n, np.int64), np.zeros(n, np.int64)
    next_ts[:-1], next_act[:-1] = ts[1:], act[1:]
    standby_at = ts + contract.STANDBY_AFTER_MS
    by_next = opens & has_next & (next_ts < standby_at)
    timed_out = opens & ~by_next & (np.where(has_next, next_ts, until) >= standby_at)
    still_open = opens & ~by_next & ~timed_out
    met_open = np.zeros(n, bool)  # the action found an open session (and closes it)
    met_open[1:] = by_next[:-1]
    actions = ~first
    counts: Counter[str] = Counter()
    for name, hits in (
        ("stops_ignored", actions & (act == contract.STOP) & ~met_open),
        ("switches_without_session", actions & (act == contract.SWITCH) & ~met_open),
        ("starts_while_open", (act == contract.START) & met_open),
        ("standby_timeouts", timed_out),
    ):
        if hits.any():  # counters appear once they count something
            counts[name] += int(hits.sum())
    rows = np.flatnonzero(by_next | timed_out)
    end = np.where(by_next[rows], next_ts[rows], standby_at[rows])
    reason = np.where(by_next[rows], _REASONS[next_act[rows]], contract.END_STANDBY)
    return _Closed(rows, end, reason), still_open, counts
