"""Who watched and where, as of a time: user versions from CDC, device positions, weather.

Each source is a per-key history sorted by (valid-from, offset): the value at time t is the
last entry with valid-from <= t, the later offset winning a tie (docs/jobs/tv-analytics.md,
"Enrichment"). Histories are numpy columns, so a watermark step looks up all its views at
once (one ``searchsorted`` over (key, valid-from) codes); they are pruned below a horizon no
future view can start before.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from pipeway.demo.tv import contract

BEGINNING = -(2**62)
"""valid-from of CDC snapshot rows: the beginning of time"""
_EPOCH = date(1970, 1, 1)
_TIME_BITS = 43
"""event times are coded in 43 bits (until the year 2248; earlier than 1970 counts as 1970)"""
_MAX_KEYS = 2 ** (62 - _TIME_BITS)
_NULL: Any = None
"""None for ``np.where`` (its stubs take no bare None)"""


class History:
    """Versions per key as columns: ``key``, ``valid_from``, ``offset`` and the values.

    Added entries are merged in at the next lookup or prune (sort, keep the last offset per
    (key, valid_from)), which is when the search codes are rebuilt."""

    def __init__(self, *value_names: str) -> None:
        self.value_names = value_names
        self._columns: dict[str, np.ndarray] = {
            name: np.empty(0, object) for name in ("key", "valid_from", "offset", *value_names)
        }
        self._added: list[dict[str, np.ndarray]] = []
        self._index: pd.Index | None = None
        self._codes = np.empty(0, np.int64)

    def add(self, key: Any, valid_from: int, offset: int, *values: Any) -> None:
        self.add_many([key], [valid_from], [offset], *([v] for v in values))

    def add_many(self, keys: Any, valid_from: Any, offsets: Any, *values: Any) -> None:
        names = ("key", "valid_from", "offset", *self.value_names)
        self._added.append(
            {name: _objects(c) for name, c in zip(names, (keys, valid_from, offsets, *values),
                                                   strict=True)}
        )  # fmt: skip
        self._index = None

    def at(self, keys: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(found, values): per query, whether a version was valid at ``t`` and its values
        (None where not found)."""
        self._merge()
        assert self._index is not None
        key_code = self._index.get_indexer(keys)
        found = np.zeros(len(keys), bool)
        position = np.zeros(len(keys), np.int64)
        known = key_code >= 0
        if known.any():
            query = _code(key_code[known], t[known])
            i = np.searchsorted(self._codes, query, "right") - 1
            hit = (i >= 0) & (self._codes[np.maximum(i, 0)] >> _TIME_BITS == key_code[known])
            found[known], position[known] = hit, np.maximum(i, 0)
        values = {}
        for name in self.value_names:
            column = self._columns[name][position] if len(self._codes) else np.full(len(keys), None)
            values[name] = np.where(found, column, _NULL)
        return found, values

    def prune(self, horizon: int) -> None:
        """Keep, per key, the version valid at ``horizon`` and every later one."""
        self._merge()
        key = self._codes >> _TIME_BITS
        valid_from = self._columns["valid_from"].astype(np.int64)
        superseded = np.zeros(len(key), bool)
        superseded[:-1] = (key[1:] == key[:-1]) & (valid_from[1:] <= horizon)
        if superseded.any():
            self._columns = {k: v[~superseded] for k, v in self._columns.items()}
            self._index = None
            self._merge()

    def __len__(self) -> int:
        self._merge()
        return len(self._codes)

    def _merge(self) -> None:
        if self._index is not None:
            return
        columns = {k: np.concatenate([v, *(a[k] for a in self._added)])
                   for k, v in self._columns.items()}  # fmt: skip
        self._added = []
        key_code, uniques = pd.factorize(columns["key"])
        if len(uniques) >= _MAX_KEYS:
            raise ValueError(f"{len(uniques)} keys in one shard's history; use more shards")
        valid_from = columns["valid_from"].astype(np.int64)
        order = np.lexsort((columns["offset"].astype(np.int64), valid_from, key_code))
        codes = _code(key_code[order], valid_from[order])
        last = np.ones(len(codes), bool)  # the later offset wins a tie
        last[:-1] = codes[1:] != codes[:-1]
        self._columns = {k: v[order][last] for k, v in columns.items()}
        self._codes = codes[last]
        self._index = pd.Index(uniques)  # a key's position in it is its code


def _code(key_code: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(key, time) as one sortable int64."""
    clipped = np.clip(np.asarray(t, np.int64), 0, 2**_TIME_BITS - 1)
    return (np.asarray(key_code, np.int64) << _TIME_BITS) | clipped


def _objects(values: Any) -> np.ndarray:
    out = np.empty(len(values), object)
    out[:] = list(values)
    return out


class Enricher:
    """The enrichment state of one shard and its as-of lookups."""

    def __init__(self) -> None:
        self.users = History("birth_date", "gender", "city_id", "deleted")
        self.positions = History("city_id")
        self.weather = History("temp_c", "weather_main")

    def add_user_change(
        self, user_id: int, op: str, valid_from: int, offset: int,
        birth_date: int | None, gender: str | None, city_id: int | None,
    ) -> None:  # fmt: skip
        """A CDC event: ``r`` (snapshot, valid from the beginning), ``c``/``u`` or ``d``."""
        start = BEGINNING if op == "r" else valid_from
        self.users.add(user_id, start, offset, birth_date, gender, city_id, op == "d")

    def attributes(
        self, user_id: np.ndarray, device_id: np.ndarray, t: np.ndarray, weather: bool = True
    ) -> dict[str, np.ndarray]:
        """The view columns (age_band, gender, user_city_id, city_id, city_source, temp_c,
        weather_main) of views starting at ``t``, as object arrays (None: unknown; always
        for the weather columns without ``weather``)."""
        found, user = self.users.at(user_id, t)
        present = found & (user["deleted"] != True)  # noqa: E712 (object array)
        has_position, position = self.positions.at(device_id, t)
        home = ~has_position & present
        city = np.where(has_position, position["city_id"], np.where(home, user["city_id"], _NULL))
        source = np.where(has_position, contract.CITY_FROM_TELEMETRY,
                          np.where(home, contract.CITY_FROM_HOME, _NULL))  # fmt: skip
        weather_found = np.zeros(len(t), bool)
        reading: dict[str, Any] = {"temp_c": None, "weather_main": None}
        known_city = city != None  # noqa: E711 (object array)
        if weather and known_city.any():
            weather_found, reading = self.weather.at(city, np.where(known_city, t, 0))
            weather_found &= known_city
        return {
            "age_band": _age_bands(user["birth_date"], t, present),
            "gender": np.where(present, user["gender"], _NULL),
            "user_city_id": np.where(present, user["city_id"], _NULL),
            "city_id": city,
            "city_source": source.astype(object),
            "temp_c": np.where(weather_found, reading["temp_c"], _NULL),
            "weather_main": np.where(weather_found, reading["weather_main"], _NULL),
        }

    def prune(self, horizon: int) -> None:
        self.users.prune(horizon)
        self.positions.prune(horizon)
        self.weather.prune(horizon)


def _age_bands(birth_date: np.ndarray, t: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Age bands of users born on ``birth_date`` (days) at ``t``, where ``present``; each
    distinct (birth date, day) pair is computed once."""
    out = np.full(len(t), None, object)
    if not present.any():
        return out
    born = birth_date[present].astype(np.int64)
    day = t[present] // contract.DAY_MS
    codes, uniques = pd.factorize((born << 32) + day)  # days fit in 32 bits either way
    bands = [_age_band_on(int(b), int(d)) for b, d in zip(uniques >> 32, uniques & 0xFFFFFFFF,
                                                             strict=True)]  # fmt: skip
    out[present] = np.array(bands, object)[codes]
    return out


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
