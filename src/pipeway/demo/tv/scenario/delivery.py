"""Delivery of timed records in phases: each phase is one slice of the day, then a closing one.

Records go to the phase of their time slice. Actions near the end of a slice may slip into
the next phase (out of order, still on time); a few actions are held back a whole phase
(late: behind the watermark of every timed topic, so any reading of the rule drops them).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from pipeway.demo.tv import contract

Record = dict[str, Any]
HOUR = 3_600_000
TIMED = (contract.ACTIONS, contract.TELEMETRY, contract.WEATHER)


def event_time(topic: str, r: Record) -> int:
    """The time a record is about, per the contract (ms)."""
    if topic == contract.WEATHER:
        return int(r["dt"]) * 1000
    if topic == contract.AD_BREAKS:
        return int(r["start_ts"])
    if topic == contract.USERS_CDC:
        return int(r["source"]["ts_ms"])
    if topic == contract.SCHEDULES:
        return int(r["day"]) * contract.DAY_MS
    return int(r["ts"])


@dataclass(slots=True)
class Slicer:
    day_start: int
    phases: int
    """phases over the day; index ``phases`` is the closing phase"""
    buckets: list[dict[str, list[Record]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.buckets = [{t: [] for t in contract.INPUT_TOPICS} for _ in range(self.phases + 1)]

    def slice_of(self, t: int) -> int:
        if t < self.day_start:
            return 0
        return min((t - self.day_start) * self.phases // contract.DAY_MS, self.phases)

    def boundary(self, p: int) -> int:
        """Start time of phase ``p``'s slice."""
        return self.day_start + p * contract.DAY_MS // self.phases

    def add(self, topic: str, records: Iterable[Record]) -> None:
        for r in records:
            self.buckets[self.slice_of(event_time(topic, r))][topic].append(r)


def shuffle_actions(
    rng: random.Random, slicer: Slicer, delay_ms: int, out_of_order: float, late_fraction: float
) -> list[Record]:
    """Move boundary actions a phase later, hold a few back as late; returns the late ones."""
    for p in range(slicer.phases):
        end = slicer.boundary(p + 1)
        stay: list[Record] = []
        slip: list[Record] = []
        for r in slicer.buckets[p][contract.ACTIONS]:
            near_end = r["ts"] >= end - delay_ms // 2
            (slip if near_end and rng.random() < out_of_order else stay).append(r)
        slicer.buckets[p][contract.ACTIONS] = stay
        slicer.buckets[p + 1][contract.ACTIONS].extend(slip)
    late = _hold_back(rng, slicer, delay_ms, late_fraction)
    for bucket in slicer.buckets:
        bucket[contract.ACTIONS] = _jitter(rng, bucket[contract.ACTIONS], delay_ms)
        for topic in contract.INPUT_TOPICS:
            if topic != contract.ACTIONS:
                bucket[topic].sort(key=partial(event_time, topic))
    return late


def _hold_back(rng: random.Random, slicer: Slicer, delay_ms: int, fraction: float) -> list[Record]:
    """Actions from well inside slice p delivered in phase p + 1, below every watermark."""
    late = []
    for p in range(slicer.phases):
        cutoff = slicer.boundary(p + 1) - HOUR - delay_ms
        bucket = slicer.buckets[p][contract.ACTIONS]
        chosen = {id(r) for r in bucket if r["ts"] < cutoff and rng.random() < fraction}
        held = [r for r in bucket if id(r) in chosen]
        slicer.buckets[p][contract.ACTIONS] = [r for r in bucket if id(r) not in chosen]
        if not held:
            continue
        floor = min(_max_time(slicer, topic, p) for topic in TIMED) - delay_ms
        ok = [r for r in held if r["ts"] < floor]
        slicer.buckets[p][contract.ACTIONS].extend(r for r in held if r["ts"] >= floor)
        slicer.buckets[p + 1][contract.ACTIONS].extend(ok)
        late.extend(ok)
    return late


def _max_time(slicer: Slicer, topic: str, last_phase: int) -> int:
    times = [event_time(topic, r) for b in slicer.buckets[: last_phase + 1] for r in b[topic]]
    return max(times, default=-(2**62))


def _jitter(rng: random.Random, actions: list[Record], delay_ms: int) -> list[Record]:
    """Delivery order within a phase: time order disturbed by up to half the delay."""
    keyed: list[tuple[int, int, Record]] = [
        (r["ts"] + rng.randint(0, delay_ms // 2), i, r) for i, r in enumerate(actions)
    ]
    return [r for _, _, r in sorted(keyed, key=lambda k: (k[0], k[1]))]
