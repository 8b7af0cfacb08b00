"""Sessions per (user, device): the contract's state machine, driven by the watermark.

Actions wait as numbered rows (:mod:`pipeway.demo.tv.jobs.pending`) until the watermark
passes them, since a later delivery could still precede them; :meth:`SessionTracker.advance`
then replays the due ones per device in ``(ts, action, channel)`` order, closing sessions on
switch/start/stop and at ``start + 4 h`` (standby). Devices are numbered so the waiting rows
are plain integer arrays; a number is reused once its device has no open session and no
waiting action.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pipeway.demo.tv import contract

DeviceKey = tuple[int, str]
"""(user_id, device_id)"""
_COLUMNS = ("device", "ts", "action", "channel")
_UNUSED = -1


@dataclass(slots=True)
class Session:
    """A session on one channel; ``end_ts`` is None while it is open."""

    user_id: int
    device_id: str
    channel_id: int
    start_ts: int
    end_ts: int | None = None
    end_reason: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # plain constructor arguments: pickles several times faster than slots dataclasses
        return Session, (
            self.user_id,
            self.device_id,
            self.channel_id,
            self.start_ts,
            self.end_ts,
            self.end_reason,
        )


class SessionTracker:
    """Every device's open session, its number, plus the contract's counters."""

    def __init__(self) -> None:
        self._index: dict[DeviceKey, int] = {}
        self._keys: list[DeviceKey | None] = []
        """device number -> (user_id, device_id), None while the number is free"""
        self._free: list[int] = []
        self._last_ts = np.empty(0, np.int64)
        """device number -> latest event time of its actions (``_UNUSED`` when free)"""
        self.open: dict[int, Session] = {}
        """device number -> its open session"""
        self.pending = 0
        """actions numbered but not replayed yet"""
        self.counts: Counter[str] = Counter()

    def number(self, actions: pd.DataFrame) -> dict[str, np.ndarray]:
        """Kept actions (``user_id``, ``device_id``, ``channel_id``, ``action``, ``ts``) as
        the pending columns (``device``, ``ts``, ``action``, ``channel``)."""
        ts = actions["ts"].to_numpy(np.int64)
        codes, uniques = pd.MultiIndex.from_arrays(
            [actions["user_id"].to_numpy(), actions["device_id"].to_numpy()]
        ).factorize()
        numbers = np.fromiter((self._number(k) for k in uniques), np.int64, len(uniques))
        device = numbers[codes] if len(ts) else np.empty(0, np.int64)
        np.maximum.at(self._last_ts, device, ts)
        self.pending += len(ts)
        return {
            "device": device,
            "ts": ts,
            "action": actions["action"].to_numpy(np.int64),
            "channel": actions["channel_id"].to_numpy(np.int64),
        }

    def advance(self, watermark: int, due: dict[str, np.ndarray]) -> list[Session]:
        """Replay ``due`` (every pending action with ``ts < watermark``) and time out
        sessions at ``watermark``; the sessions this closed."""
        closed: list[Session] = []
        self.pending -= len(due["ts"])
        order = np.lexsort((due["channel"], due["action"], due["ts"], due["device"]))
        rows = zip(*(due[k][order].tolist() for k in _COLUMNS), strict=True)
        current = -1
        for device, ts, action, channel in rows:
            if device != current:
                if current >= 0:
                    self._standby(current, watermark, closed)
                current = device
            self._standby(device, ts, closed)
            self._apply(device, ts, action, channel, closed)
        for device in list(self.open):  # devices without due actions time out too
            self._standby(device, watermark, closed)
        self._release(watermark)
        return closed

    def open_sessions(self) -> Iterator[Session]:
        yield from self.open.values()

    def gauges(self) -> dict[str, int]:
        """Counts that describe the current state rather than accumulate."""
        return {"pending_actions": self.pending, "open_sessions": len(self.open)}

    def _number(self, key: Any) -> int:
        key = (int(key[0]), str(key[1]))
        number = self._index.get(key)
        if number is not None:
            return number
        if self._free:
            number = self._free.pop()
            self._keys[number] = key
        else:
            number = len(self._keys)
            self._keys.append(key)
            self._last_ts = np.append(self._last_ts, _UNUSED)
        self._index[key] = number
        self._last_ts[number] = _UNUSED
        return number

    def _release(self, watermark: int) -> None:
        """Free the numbers of devices with no open session whose actions all replayed."""
        idle = np.nonzero((self._last_ts != _UNUSED) & (self._last_ts < watermark))[0]
        for number in idle.tolist():
            if number in self.open:
                continue
            key = self._keys[number]
            assert key is not None
            del self._index[key]
            self._keys[number] = None
            self._last_ts[number] = _UNUSED
            self._free.append(number)

    def _standby(self, device: int, now: int, closed: list[Session]) -> None:
        session = self.open.get(device)
        if session is not None and now >= session.start_ts + contract.STANDBY_AFTER_MS:
            self._close(device, session.start_ts + contract.STANDBY_AFTER_MS, contract.END_STANDBY)
            closed.append(session)
            self.counts["standby_timeouts"] += 1

    def _apply(
        self, device: int, ts: int, action: int, channel: int, closed: list[Session]
    ) -> None:
        session = self.open.get(device)
        if action == contract.STOP:
            if session is None:
                self.counts["stops_ignored"] += 1
                return
            self._close(device, ts, contract.END_STOP)
            closed.append(session)
            return
        if session is not None:
            reason = contract.END_START if action == contract.START else contract.END_SWITCH
            if action == contract.START:
                self.counts["starts_while_open"] += 1
            self._close(device, ts, reason)
            closed.append(session)
        elif action == contract.SWITCH:
            self.counts["switches_without_session"] += 1
        key = self._keys[device]
        assert key is not None
        self.open[device] = Session(key[0], key[1], channel, ts)

    def _close(self, device: int, end_ts: int, reason: str) -> None:
        session = self.open.pop(device)
        session.end_ts = end_ts
        session.end_reason = reason
