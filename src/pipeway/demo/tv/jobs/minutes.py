"""One shard's 1-minute cells: viewing time and distinct viewers per window and group.

A step appends its views' spans as columns (no per-minute work in Python). At
:meth:`MinuteSpans.finalize` the spans are cut into minute parts; parts of final windows
(``window_end <= watermark``) are handed out and summed per cell with numpy, parts of later
windows are kept summed per (window, group, user). Shards hold disjoint users, so the job
sums the shards' partial cells (viewers and milliseconds) into the contract's rows.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np
import pandas as pd

from pipeway.demo.tv import contract

Group = tuple[object, ...]


class MinuteSpans:
    """Viewing spans ``[start, end)`` per (group, user) of windows not final yet."""

    def __init__(self, group_columns: tuple[str, ...]) -> None:
        self.group_columns = group_columns
        self._ids: dict[Group, int] = {}
        self.groups: list[Group] = []
        self.titles: list[str | None] = []
        self._parts: list[tuple[np.ndarray, ...]] = []
        """(gid, user, start, end) columns added since the last :meth:`finalize`"""
        self._prefixes: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        """per prefix length: (prefix id per group, first group per prefix id), see cells"""
        self._rest = _minutes(*(np.empty(0, np.int64) for _ in range(4)))
        """minute parts of windows not final at the last :meth:`finalize`, summed per
        (window_start, gid, user_id)"""

    def add(
        self, group: Group, user_id: int, start: int, end: int, title: str | None = None
    ) -> None:
        """Count ``[start, end)`` of ``user_id``'s viewing in every window it overlaps."""
        self.add_many([np.array([g], object) for g in group], np.array([user_id]),
                      np.array([start]), np.array([end]), np.array([title], object))  # fmt: skip

    def add_many(
        self,
        groups: Sequence[np.ndarray],
        user_id: np.ndarray,
        start: np.ndarray,
        end: np.ndarray,
        titles: np.ndarray | None = None,
    ) -> None:
        """:meth:`add` for columns: ``groups`` holds one array per group column."""
        if not len(user_id):
            return
        codes, uniques = _factorize_rows(groups)
        first = first_rows(codes)
        gids = np.empty(len(uniques), np.int64)
        for code, row in enumerate(first.tolist()):
            key = tuple(None if pd.isna(v := column[row]) else v for column in groups)
            gid = self._ids.get(key)
            if gid is None:
                gid = self._ids[key] = len(self.groups)
                self.groups.append(key)
                self.titles.append(None if titles is None else titles[row])
            gids[code] = gid
        self._parts.append((gids[codes], *(np.asarray(c, np.int64) for c in (user_id, start, end))))

    def finalize(self, watermark: int) -> pd.DataFrame:
        """Milliseconds per (window_start, gid, user_id) of every window final at
        ``watermark``; the parts in later windows are kept, summed per (window, gid, user)
        (a minute of raw spans was most of the pickled state)."""
        cut = (watermark // contract.WINDOW_MS) * contract.WINDOW_MS
        parts = self._all_parts()
        self._parts = []
        done = parts["window_start"] < cut
        rest = {k: v[~done] for k, v in parts.items()}
        key = pd.factorize(_row_keys(rest["window_start"], rest["gid"], rest["user_id"]))[0]
        first = first_rows(key)
        self._rest = {k: v[first] for k, v in rest.items()}
        self._rest["ms"] = np.bincount(key, rest["ms"]).astype(np.int64)
        return pd.DataFrame({k: v[done] for k, v in parts.items()})

    def __getstate__(self) -> dict[str, object]:
        """Kept parts pickled as 32-bit columns (minutes, ids, users, ms of one minute): the
        shard's value goes to the state store every batch, and this is most of it."""
        state = {**self.__dict__, "_prefixes": {}}
        rest = self._rest
        state["_rest"] = {
            "window_start": (rest["window_start"] // contract.WINDOW_MS).astype(np.int32),
            **{k: rest[k].astype(np.int32) for k in ("gid", "user_id", "ms")},
        }
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        narrow = state["_rest"]
        assert isinstance(narrow, dict)
        rest = {k: v.astype(np.int64) for k, v in narrow.items()}
        rest["window_start"] *= contract.WINDOW_MS
        self.__dict__.update({**state, "_rest": rest})

    def open_parts(self) -> pd.DataFrame:
        """The parts of every window not final at the last :meth:`finalize`, spans added
        since included, not summed per (window, gid, user) (:meth:`cells` needs no sum)."""
        return pd.DataFrame(self._all_parts())

    def _all_parts(self) -> dict[str, np.ndarray]:
        """The kept parts and those of the spans added since, cut into minutes."""
        empty = np.empty(0, np.int64)
        added = _minutes(*(np.concatenate([empty, *(p[i] for p in self._parts)]) for i in range(4)))
        return {k: np.concatenate([self._rest[k], added[k]]) for k in self._rest}

    def fork(self) -> MinuteSpans:
        """An independent copy (arrays are shared: no method changes one in place)."""
        other = copy.copy(self)
        other._ids, other.groups, other.titles = dict(self._ids), [*self.groups], [*self.titles]
        other._parts, other._rest = [*self._parts], {**self._rest}
        other._prefixes = {**self._prefixes}
        return other

    def compact(self) -> None:
        """Forget groups no kept part uses, once they are most of the list (a long run
        meets ever new programs; the list is pickled with the state every batch). Call it
        after the cells of the last :meth:`finalize`."""
        live = np.unique(self._rest["gid"])
        if len(self.groups) < 1024 or len(self.groups) < 2 * len(live):
            return
        self.groups = [self.groups[g] for g in live.tolist()]
        self.titles = [self.titles[g] for g in live.tolist()]
        self._ids = {group: gid for gid, group in enumerate(self.groups)}
        self._rest["gid"] = np.searchsorted(live, self._rest["gid"])
        self._prefixes = {}

    def cells(self, parts: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
        """Cells per (window_start, ``columns`` — a prefix of the group): the distinct
        viewers and summed milliseconds of ``parts`` (from :meth:`finalize`)."""
        key_id, first_gid = self._prefix_keys(len(columns))
        kid = key_id[parts["gid"].to_numpy()]
        window = parts["window_start"].to_numpy()
        cell = pd.factorize(_row_keys(window, kid))[0]
        cell_user = pd.factorize(_row_keys(None, cell, parts["user_id"].to_numpy()))[0]
        first = first_rows(cell_user)
        ms_per_user = np.bincount(cell_user, weights=parts["ms"].to_numpy())
        cell_of_user = cell[first]  # each (cell, user) pair's cell
        viewers = np.bincount(cell_of_user)
        view_ms = np.bincount(cell_of_user, weights=ms_per_user)
        cell_first = first_rows(cell)  # a part of each cell, by cell
        gid = first_gid[kid[cell_first]]
        out = pd.DataFrame([self.groups[g][: len(columns)] for g in gid.tolist()],
                           columns=list(columns), dtype=object)  # fmt: skip
        out["title"] = pd.Series([self.titles[g] for g in gid.tolist()], dtype=object)
        out["window_start"] = window[cell_first]
        out["viewers"] = viewers.astype(np.int64)
        out["view_ms"] = np.rint(view_ms).astype(np.int64)
        return out

    def _prefix_keys(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Per group, the id of its ``n``-column prefix; per prefix id, its first group."""
        cached = self._prefixes.get(n)
        if cached is None or len(cached[0]) != len(self.groups):
            codes, _ = _factorize_rows([_objects([g[i] for g in self.groups]) for i in range(n)])
            first = first_rows(codes)
            cached = self._prefixes[n] = (codes, first)
        return cached


def _objects(values: list[object]) -> np.ndarray:
    out = np.empty(len(values), object)
    out[:] = values
    return out


def _row_keys(
    window: np.ndarray | None, ids: np.ndarray, user: np.ndarray | None = None
) -> np.ndarray:
    """One int64 per row naming (window, id[, user]): a single ``pd.factorize`` then numbers
    the distinct rows (ids are small non-negative ints, users 32-bit)."""
    if not len(ids):
        return np.empty(0, np.int64)
    key = np.asarray(ids, np.int64)
    if window is not None:
        key = (window - window.min()) // contract.WINDOW_MS * (int(key.max()) + 1) + key
    if user is None:
        return key
    if key.max() >= 2**31:  # keep the shifted key within int64
        key = pd.factorize(key)[0].astype(np.int64)
    return (key << 32) + (np.asarray(user, np.int64) & 0xFFFFFFFF)


def first_rows(codes: np.ndarray) -> np.ndarray:
    """Where each code of ``codes`` first appears, by code, for codes numbered in order of
    first appearance (``pd.factorize``'s): a linear pass where ``np.unique`` sorts."""
    if not len(codes):
        return np.empty(0, np.int64)
    new = np.empty(len(codes), bool)
    new[0] = True
    new[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
    return np.flatnonzero(new)


def _factorize_rows(columns: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Row codes of equal rows over ``columns`` (None/NaN equal to each other)."""
    combined = np.zeros(len(columns[0]), np.int64)
    for column in columns:  # renumbered after each column: the codes stay below len(rows)
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        combined = pd.factorize(combined * (len(uniques) + 1) + (codes + 1))[0]
    return combined, np.arange(int(combined.max()) + 1 if len(combined) else 0)


def _minutes(
    gid: np.ndarray, user: np.ndarray, start: np.ndarray, end: np.ndarray
) -> dict[str, np.ndarray]:
    """Each positive span cut at minute boundaries: (window_start, gid, user_id, ms)."""
    keep = end > start
    gid, user, start, end = gid[keep], user[keep], start[keep], end[keep]
    w = contract.WINDOW_MS
    first = start // w
    count = (end - 1) // w - first + 1
    row = np.repeat(np.arange(len(start)), count)
    offset = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
    window = (first[row] + offset) * w
    ms = np.minimum(end[row], window + w) - np.maximum(start[row], window)
    return {"window_start": window, "gid": gid[row], "user_id": user[row], "ms": ms}
