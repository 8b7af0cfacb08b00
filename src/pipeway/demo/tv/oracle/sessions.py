"""Sessions per (user_id, device_id): the start/switch/stop state machine with standby.

Only actions with ts < the final watermark are processed (later ones could still be preceded
by an action not yet delivered); a standby timeout fires once start + 4 h <= the watermark.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from pipeway.demo.tv import contract
from pipeway.demo.tv.oracle.inputs import Action


@dataclass(slots=True)
class Session:
    user_id: int
    device_id: str
    channel_id: int
    start_ts: int
    end_ts: int | None = None
    """None while the session is still open at the final watermark."""
    end_reason: str | None = None


@dataclass(slots=True)
class SessionOutcome:
    sessions: list[Session] = field(default_factory=list)
    stops_ignored: int = 0
    switches_without_session: int = 0
    starts_while_open: int = 0
    standby_timeouts: int = 0
    pending_actions: int = 0


def build_sessions(actions: Iterable[Action], watermark: int | None) -> SessionOutcome:
    """Sessions (closed and still open) of every device from its kept actions."""
    out = SessionOutcome()
    by_device: dict[tuple[int, str], list[Action]] = defaultdict(list)
    for a in actions:
        if watermark is not None and a.ts < watermark:
            by_device[(a.user_id, a.device_id)].append(a)
        else:
            out.pending_actions += 1
    for key in sorted(by_device):
        _run_device(sorted(by_device[key], key=Action.order), watermark, out)
    return out


def _run_device(actions: list[Action], watermark: int | None, out: SessionOutcome) -> None:
    open_: Session | None = None
    for a in actions:
        open_ = _timeout(open_, a.ts, out)
        if a.action == contract.STOP:
            if open_ is None:
                out.stops_ignored += 1
            else:
                _close(open_, a.ts, contract.END_STOP, out)
                open_ = None
            continue
        if open_ is not None:
            reason = contract.END_SWITCH if a.action == contract.SWITCH else contract.END_START
            out.starts_while_open += a.action == contract.START
            _close(open_, a.ts, reason, out)
        elif a.action == contract.SWITCH:
            out.switches_without_session += 1
        open_ = Session(a.user_id, a.device_id, a.channel_id, a.ts)
    if watermark is not None:
        open_ = _timeout(open_, watermark, out)
    if open_ is not None:
        out.sessions.append(open_)


def _timeout(session: Session | None, now: int, out: SessionOutcome) -> Session | None:
    """Close ``session`` at start + 4 h when ``now`` has reached that time."""
    if session is not None and now >= session.start_ts + contract.STANDBY_AFTER_MS:
        _close(session, session.start_ts + contract.STANDBY_AFTER_MS, contract.END_STANDBY, out)
        out.standby_timeouts += 1
        return None
    return session


def _close(session: Session, end_ts: int, reason: str, out: SessionOutcome) -> None:
    session.end_ts = end_ts
    session.end_reason = reason
    out.sessions.append(session)
