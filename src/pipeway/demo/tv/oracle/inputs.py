"""The oracle's view of a scenario's input: typed records, delivery order and lateness.

A scenario is a list of phases; each phase maps an input topic to its records (Avro values as
plain dicts) in delivery order. A record's *sequence* is (phase, position): its place in its
topic, which breaks ties between records of the same key and time (Kafka offset order).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeway.demo.tv import contract

Record = Mapping[str, Any]
Phase = Mapping[str, Sequence[Record]]
Phases = Sequence[Phase]
Seq = tuple[int, int]


class ContractViolation(ValueError):
    """The input breaks a precondition of the contract (docs/jobs/tv-analytics.md)."""


@dataclass(frozen=True, slots=True)
class Action:
    user_id: int
    device_id: str
    channel_id: int
    action: int
    ts: int
    phase: int

    def order(self) -> tuple[int, int, int]:
        """Processing order within one (user_id, device_id): ts, then action code, channel."""
        return (self.ts, self.action, self.channel_id)


@dataclass(frozen=True, slots=True)
class ActionStream:
    """Actions split by the watermark rule: kept ones, late ones (dropped), invalid ones."""

    kept: list[Action]
    late: list[Action]
    invalid: int
    final_watermark: int | None
    """max ts of all valid actions minus the delay; None when there were none."""


def records(phases: Phases, topic: str) -> Iterator[tuple[Seq, Record]]:
    """Every record of ``topic`` with its sequence, in delivery order."""
    for p, phase in enumerate(phases):
        for i, record in enumerate(phase.get(topic, ())):
            yield (p, i), record


def classify_actions(phases: Phases, delay_ms: int) -> ActionStream:
    """Apply the watermark: in phase p, an action is late iff ts < max ts of phases < p - delay."""
    kept: list[Action] = []
    late: list[Action] = []
    invalid = 0
    max_ts: int | None = None
    for p, phase in enumerate(phases):
        watermark = None if max_ts is None else max_ts - delay_ms
        phase_max = max_ts
        for r in phase.get(contract.ACTIONS, ()):
            if r["action"] not in contract.ACTION_CODES:
                invalid += 1
                continue
            a = Action(r["user_id"], r["device_id"], r["channel_id"], r["action"], r["ts"], p)
            (late if watermark is not None and a.ts < watermark else kept).append(a)
            phase_max = a.ts if phase_max is None else max(phase_max, a.ts)
        max_ts = phase_max
    final = None if max_ts is None else max_ts - delay_ms
    return ActionStream(kept, late, invalid, final)
