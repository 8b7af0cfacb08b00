"""When the next generated record is due, so a poll never blocks for long.

kafka-connect-datagen sleeps a random ``[0, max.interval)`` before each record. The pacer
keeps that spread (or a fixed ``1 / events.per.second``) as a schedule of due times: a
poll sleeps at most ``max_wait`` for the next due record, then takes every record already
due, so high rates come out in batches and low rates never hold the runtime's thread.
"""

from __future__ import annotations

import random
from collections.abc import Callable

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class Pacer:
    """A schedule of due times, ``interval()`` seconds apart.

    Args:
        interval: seconds until the record after the one just taken.
        clock: a monotonic clock in seconds.
        sleep: how to wait (tests pass a fake that advances their clock).
        max_wait: the longest one :meth:`wait` sleeps.
        max_lag: how far behind the schedule may fall before it is moved up to now, so a
            stalled runtime is not answered with a burst larger than this many seconds' worth.
    """

    def __init__(
        self,
        interval: Callable[[], float],
        clock: Clock,
        sleep: Sleep,
        *,
        max_wait: float = 1.0,
        max_lag: float = 1.0,
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._sleep = sleep
        self._max_wait = max_wait
        self._max_lag = max_lag
        self._next_due = clock()

    def wait(self) -> bool:
        """Sleep until the next record is due, but at most ``max_wait``; True when it is."""
        now = self._clock()
        self._next_due = max(self._next_due, now - self._max_lag)
        delay = self._next_due - now
        if delay <= 0:
            return True
        self._sleep(min(delay, self._max_wait))
        return delay <= self._max_wait

    def take(self) -> bool:
        """Consume the next due record (False when it is not due yet)."""
        if self._clock() < self._next_due:
            return False
        self._next_due += self._interval()
        return True


def interval_function(
    max_interval_ms: int, events_per_second: float | None, rng: random.Random
) -> Callable[[], float]:
    """Seconds between records: ``1 / events.per.second`` when set (0 = no pause), else a
    uniform draw in ``[0, max.interval)`` as kafka-connect-datagen does."""
    if events_per_second is not None:
        gap = 1.0 / events_per_second if events_per_second > 0 else 0.0
        return lambda: gap
    if max_interval_ms <= 0:
        return lambda: 0.0
    scale, rnd = max_interval_ms / 1000.0, rng.random
    return lambda: rnd() * scale
