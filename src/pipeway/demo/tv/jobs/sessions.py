"""Sessions per (user, device): the contract's state machine, driven by the watermark.

Actions wait in a columnar buffer (numpy arrays) until the watermark passes them, since a
later delivery could still precede them; :meth:`SessionTracker.advance` then replays the
due ones per device in ``(ts, action, channel)`` order, closing sessions on
switch/start/stop and at ``start + 4 h`` (standby). The buffer holds every action of the
last watermark delay (two minutes of input), so it is kept as arrays: appending a batch,
selecting the due rows and pickling the state cost no Python work per buffered action.
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
_DTYPES = {"device": np.int32, "ts": np.int64, "action": np.int8, "channel": np.int32}
"""pending action columns, as narrow as their values allow: the state is rewritten each batch"""
_COLUMNS = tuple(_DTYPES)


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
    """Every device's pending actions and open session, plus the contract's counters."""

    def __init__(self) -> None:
        self._index: dict[DeviceKey, int] = {}
        self._keys: list[DeviceKey] = []
        """device number -> (user_id, device_id); numbers are reused only after compaction"""
        self.open: dict[int, Session] = {}
        """device number -> its open session"""
        self._pending = {name: np.empty(0, dtype) for name, dtype in _DTYPES.items()}
        self._live_at_compaction = 0
        self.counts: Counter[str] = Counter()

    def add_many(self, actions: pd.DataFrame) -> None:
        """Kept actions (the caller dropped late ones): columns ``user_id``, ``device_id``,
        ``channel_id``, ``action``, ``ts``."""
        if actions.empty:
            return
        codes, uniques = pd.MultiIndex.from_arrays(
            [actions["user_id"].to_numpy(), actions["device_id"].to_numpy()]
        ).factorize()
        numbers = np.fromiter((self._number(k) for k in uniques), np.int64, len(uniques))
        added = {
            "device": numbers[codes],
            "ts": actions["ts"].to_numpy(),
            "action": actions["action"].to_numpy(),
            "channel": actions["channel_id"].to_numpy(),
        }
        self._pending = {
            k: np.concatenate([self._pending[k], added[k].astype(_DTYPES[k])]) for k in _COLUMNS
        }

    def advance(self, watermark: int) -> list[Session]:
        """Process every pending action with ``ts < watermark``; the sessions this closed."""
        closed: list[Session] = []
        due = self._pending["ts"] < watermark
        ready = {k: v[due] for k, v in self._pending.items()}
        self._pending = {k: v[~due] for k, v in self._pending.items()}
        order = np.lexsort((ready["channel"], ready["action"], ready["ts"], ready["device"]))
        rows = zip(*(ready[k][order].tolist() for k in _COLUMNS), strict=True)
        current = -1
        for device, ts, action, channel in rows:
            if device != current:
                if current >= 0:
                    self._standby(current, watermark, closed)
                current = device
            self._standby(device, ts, closed)
            self._apply(device, ts, action, channel, closed)
        if current >= 0:
            self._standby(current, watermark, closed)
        for device in list(self.open):  # devices without due actions can time out too
            self._standby(device, watermark, closed)
        self._compact()
        return closed

    def open_sessions(self) -> Iterator[Session]:
        yield from self.open.values()

    def gauges(self) -> dict[str, int]:
        """Counts that describe the current state rather than accumulate."""
        return {"pending_actions": len(self._pending["ts"]), "open_sessions": len(self.open)}

    def _number(self, key: Any) -> int:
        key = (int(key[0]), str(key[1]))
        number = self._index.get(key)
        if number is None:
            number = self._index[key] = len(self._keys)
            self._keys.append(key)
        return number

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
        user_id, device_id = self._keys[device]
        self.open[device] = Session(user_id, device_id, channel, ts)

    def _close(self, device: int, end_ts: int, reason: str) -> None:
        session = self.open.pop(device)
        session.end_ts = end_ts
        session.end_reason = reason

    def _compact(self) -> None:
        """Renumber the devices once the numbers doubled since the last renumbering, so the
        key list grows with the live devices, not with every device ever seen."""
        if len(self._keys) < max(1024, 2 * self._live_at_compaction):
            return
        pending = self._pending["device"]
        live = np.union1d(pending, np.fromiter(self.open, np.int64, len(self.open)))
        self._live_at_compaction = len(live)
        renumber = np.full(len(self._keys), -1, np.int32)
        renumber[live] = np.arange(len(live), dtype=np.int32)
        self._keys = [self._keys[d] for d in live.tolist()]
        self._index = {k: i for i, k in enumerate(self._keys)}
        self.open = {int(renumber[d]): s for d, s in self.open.items()}
        self._pending["device"] = renumber[pending]
