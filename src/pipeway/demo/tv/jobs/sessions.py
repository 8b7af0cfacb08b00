"""Sessions per (user, device): the contract's state machine, driven by the watermark.

Actions wait in ``pending`` until the watermark passes them (a later delivery could still
precede them); :meth:`SessionTracker.advance` then replays them in ``(ts, action, channel)``
order, closing sessions on switch/start/stop and at ``start + 4 h`` (standby).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from pipeway.demo.tv import contract

DeviceKey = tuple[int, str]
"""(user_id, device_id)"""


@dataclass(slots=True)
class Session:
    """A session on one channel; ``end_ts`` is None while it is open."""

    user_id: int
    device_id: str
    channel_id: int
    start_ts: int
    end_ts: int | None = None
    end_reason: str | None = None


@dataclass(slots=True)
class DeviceState:
    pending: list[tuple[int, int, int]] = field(default_factory=list)
    """(ts, action, channel_id) of kept actions not yet below the watermark"""
    open: Session | None = None


class SessionTracker:
    """Every device's pending actions and open session, plus the contract's counters."""

    def __init__(self) -> None:
        self.devices: dict[DeviceKey, DeviceState] = {}
        self.counts: Counter[str] = Counter()

    def add(self, user_id: int, device_id: str, channel_id: int, action: int, ts: int) -> None:
        """A kept action (the caller dropped late ones)."""
        state = self.devices.setdefault((user_id, device_id), DeviceState())
        state.pending.append((ts, action, channel_id))

    def advance(self, watermark: int) -> list[Session]:
        """Process every pending action with ``ts < watermark``; the sessions this closed."""
        closed: list[Session] = []
        for key, state in list(self.devices.items()):
            if self._due(state, watermark):
                self._replay(key, state, watermark, closed)
            if not state.pending and state.open is None:
                del self.devices[key]
        return closed

    def open_sessions(self) -> Iterator[Session]:
        for state in self.devices.values():
            if state.open is not None:
                yield state.open

    def gauges(self) -> dict[str, int]:
        """Counts that describe the current state rather than accumulate."""
        return {
            "pending_actions": sum(len(s.pending) for s in self.devices.values()),
            "open_sessions": sum(s.open is not None for s in self.devices.values()),
        }

    @staticmethod
    def _due(state: DeviceState, watermark: int) -> bool:
        if state.open is not None and state.open.start_ts + contract.STANDBY_AFTER_MS <= watermark:
            return True
        return any(ts < watermark for ts, _, _ in state.pending)

    def _replay(
        self, key: DeviceKey, state: DeviceState, watermark: int, closed: list[Session]
    ) -> None:
        state.pending.sort()
        ready = [a for a in state.pending if a[0] < watermark]
        state.pending = [a for a in state.pending if a[0] >= watermark]
        for ts, action, channel_id in ready:
            self._standby(state, ts, closed)
            self._apply(key, state, ts, action, channel_id, closed)
        self._standby(state, watermark, closed)

    def _standby(self, state: DeviceState, now: int, closed: list[Session]) -> None:
        session = state.open
        if session is not None and now >= session.start_ts + contract.STANDBY_AFTER_MS:
            self._close(state, session.start_ts + contract.STANDBY_AFTER_MS, contract.END_STANDBY)
            closed.append(session)
            self.counts["standby_timeouts"] += 1

    def _apply(
        self,
        key: DeviceKey,
        state: DeviceState,
        ts: int,
        action: int,
        channel_id: int,
        closed: list[Session],
    ) -> None:
        session = state.open
        if action == contract.STOP:
            if session is None:
                self.counts["stops_ignored"] += 1
                return
            self._close(state, ts, contract.END_STOP)
            closed.append(session)
            return
        if session is not None:
            reason = contract.END_START if action == contract.START else contract.END_SWITCH
            if action == contract.START:
                self.counts["starts_while_open"] += 1
            self._close(state, ts, reason)
            closed.append(session)
        elif action == contract.SWITCH:
            self.counts["switches_without_session"] += 1
        state.open = Session(key[0], key[1], channel_id, ts)

    @staticmethod
    def _close(state: DeviceState, end_ts: int, reason: str) -> None:
        assert state.open is not None
        state.open.end_ts = end_ts
        state.open.end_reason = reason
        state.open = None
