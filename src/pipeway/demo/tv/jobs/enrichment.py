"""Who watched and where, as of a time: user versions from CDC, device positions, weather.

Each source is a per-key history sorted by (valid-from, offset): the value at time t is the
last entry with valid-from <= t, the later offset winning a tie (docs/jobs/tv-analytics.md,
"Enrichment"). Histories are pruned below a horizon no future view can start before.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Generic, NamedTuple, TypeVar

from pipeway.demo.tv import contract

K = TypeVar("K")
BEGINNING = -(2**62)
"""valid-from of CDC snapshot rows: the beginning of time"""
_EPOCH = date(1970, 1, 1)


class History(Generic[K]):
    """Versions per key: ``(valid_from, offset, value)``, sorted."""

    def __init__(self) -> None:
        self._entries: dict[K, list[tuple[int, int, Any]]] = {}

    def add(self, key: K, valid_from: int, offset: int, value: Any) -> None:
        entries = self._entries.setdefault(key, [])
        entry = (valid_from, offset, value)
        if not entries or entries[-1][:2] < entry[:2]:
            entries.append(entry)
        else:
            bisect.insort(entries, entry, key=lambda e: (e[0], e[1]))

    def at(self, key: K, t: int) -> tuple[bool, Any]:
        """(found, value) of the last version valid at ``t``."""
        entries = self._entries.get(key)
        if not entries:
            return False, None
        i = bisect.bisect_right(entries, (t, 2**63), key=lambda e: (e[0], e[1]))
        return (True, entries[i - 1][2]) if i else (False, None)

    def prune(self, horizon: int) -> None:
        """Keep, per key, the version valid at ``horizon`` and every later one."""
        for key, entries in self._entries.items():
            i = bisect.bisect_right(entries, (horizon, 2**63), key=lambda e: (e[0], e[1]))
            if i > 1:
                self._entries[key] = entries[i - 1 :]


@dataclass(frozen=True, slots=True)
class UserRow:
    birth_date: int
    """days since 1970-01-01"""
    gender: str
    city_id: int

    def __reduce__(self) -> tuple[Any, ...]:
        # plain constructor arguments: pickles several times faster than slots dataclasses
        return UserRow, (self.birth_date, self.gender, self.city_id)


class Attributes(NamedTuple):
    """A view's enrichment fields, in the output schema's names."""

    age_band: str | None
    gender: str | None
    user_city_id: int | None
    city_id: int | None
    city_source: str | None
    temp_c: float | None
    weather_main: str | None


class Enricher:
    """The enrichment state of one shard and its as-of lookups."""

    def __init__(self) -> None:
        self.users: History[int] = History()
        self.positions: History[str] = History()
        self.weather: History[int] = History()

    def add_user_change(
        self, user_id: int, op: str, valid_from: int, offset: int, row: UserRow | None
    ) -> None:
        """A CDC event: ``r`` (snapshot, valid from the beginning), ``c``/``u`` or ``d``."""
        start = BEGINNING if op == "r" else valid_from
        self.users.add(user_id, start, offset, None if op == "d" else row)

    def attributes(self, user_id: int, device_id: str, t: int) -> Attributes:
        _, user = self.users.at(user_id, t)
        has_position, city = self.positions.at(device_id, t)
        source = contract.CITY_FROM_TELEMETRY if has_position else None
        if not has_position and user is not None:
            city, source = user.city_id, contract.CITY_FROM_HOME
        temp, main = None, None
        if city is not None:
            _, reading = self.weather.at(city, t)
            if reading is not None:
                temp, main = reading
        return Attributes(
            age_band=age_band(user.birth_date, t) if user is not None else None,
            gender=user.gender if user is not None else None,
            user_city_id=user.city_id if user is not None else None,
            city_id=city,
            city_source=source,
            temp_c=temp,
            weather_main=main,
        )

    def prune(self, horizon: int) -> None:
        self.users.prune(horizon)
        self.positions.prune(horizon)
        self.weather.prune(horizon)


def age_band(birth_days: int, t: int) -> str:
    """The band of the age in whole years on the UTC date of ``t`` (ms)."""
    return _age_band_on(birth_days, t // contract.DAY_MS)


@functools.lru_cache(maxsize=65536)
def _age_band_on(birth_days: int, day: int) -> str:
    """Cached: every view of a user on a day asks the same question."""
    born = _EPOCH + timedelta(days=birth_days)
    today = _EPOCH + timedelta(days=day)
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    label = contract.AGE_BANDS[0][1]
    for lowest, name in contract.AGE_BANDS:
        if age >= lowest:
            label = name
    return label
