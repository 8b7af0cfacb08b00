"""As-of lookups: the user's row, the device's location and the city's weather at a time."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Generic, TypeVar

from pipeway.demo.tv import contract
from pipeway.demo.tv.oracle.inputs import ContractViolation, Phases, Seq, records

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
EPOCH = date(1970, 1, 1)
BEGINNING = -(2**62)
"""Valid-from time of snapshot rows (op "r"): before any event."""


class Timeline(Generic[K, V]):
    """Values per key valid from a time on; ties at one time go to the later sequence."""

    def __init__(self) -> None:
        self._entries: dict[K, list[tuple[int, Seq, V]]] = defaultdict(list)
        self._times: dict[K, list[int]] = {}

    def add(self, key: K, valid_from: int, seq: Seq, value: V) -> None:
        self._entries[key].append((valid_from, seq, value))

    def freeze(self) -> Timeline[K, V]:
        for key, entries in self._entries.items():
            entries.sort(key=lambda e: (e[0], e[1]))
            self._times[key] = [e[0] for e in entries]
        return self

    def at(self, key: K, t: int) -> tuple[bool, V | None]:
        """(found, value) of the last entry of ``key`` valid at or before ``t``."""
        times = self._times.get(key)
        if not times:
            return False, None
        i = bisect_right(times, t) - 1
        return (True, self._entries[key][i][2]) if i >= 0 else (False, None)


def age_band(birth_days: int, t_ms: int) -> str:
    """The band of the age in whole years on the UTC date of ``t_ms``."""
    born = EPOCH + timedelta(days=birth_days)
    today = EPOCH + timedelta(days=t_ms // contract.DAY_MS)
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    label = contract.AGE_BANDS[0][1]
    for lowest, name in contract.AGE_BANDS:
        if age >= lowest:
            label = name
    return label


@dataclass(frozen=True, slots=True)
class Weather:
    temp_c: float
    main: str | None


class Enricher:
    """The contract's enrichment of a view: user as of its start, device city, city weather."""

    def __init__(self, phases: Phases) -> None:
        self.users = _users(phases)
        self.locations = _locations(phases)
        self.weather = _weather(phases)

    def enrich(self, user_id: int, device_id: str, t: int) -> dict[str, Any]:
        _, user = self.users.at(user_id, t)
        found, city = self.locations.at(device_id, t)
        source = contract.CITY_FROM_TELEMETRY if found else None
        if not found and user is not None:
            city, source = user["city_id"], contract.CITY_FROM_HOME
        weather = self.weather.at(city, t)[1] if city is not None else None
        return {
            "age_band": age_band(user["birth_date"], t) if user is not None else None,
            "gender": user["gender"] if user is not None else None,
            "user_city_id": user["city_id"] if user is not None else None,
            "city_id": city,
            "city_source": source,
            "temp_c": weather.temp_c if weather else None,
            "weather_main": weather.main if weather else None,
        }


def _users(phases: Phases) -> Timeline[int, Mapping[str, Any] | None]:
    """Row versions from the CDC log; a delete makes the user unknown from then on."""
    timeline: Timeline[int, Mapping[str, Any] | None] = Timeline()
    for seq, envelope in records(phases, contract.USERS_CDC):
        if envelope is None:  # tombstone
            continue
        op = envelope["op"]
        row = envelope["before"] if op == "d" else envelope["after"]
        if row is None or op not in ("r", "c", "u", "d"):
            raise ContractViolation(f"CDC event {seq} with op {op!r} lacks its row")
        valid_from = BEGINNING if op == "r" else envelope["source"]["ts_ms"]
        timeline.add(row["user_id"], valid_from, seq, None if op == "d" else envelope["after"])
    return timeline.freeze()


def _locations(phases: Phases) -> Timeline[str, int]:
    timeline: Timeline[str, int] = Timeline()
    for seq, r in records(phases, contract.TELEMETRY):
        timeline.add(r["device_id"], r["ts"], seq, r["city_id"])
    return timeline.freeze()


def _weather(phases: Phases) -> Timeline[int, Weather]:
    timeline: Timeline[int, Weather] = Timeline()
    for seq, r in records(phases, contract.WEATHER):
        conditions = r["weather"]
        main = conditions[0]["main"] if conditions else None
        timeline.add(r["id"], r["dt"] * 1000, seq, Weather(r["main"]["temp"], main))
    return timeline.freeze()
