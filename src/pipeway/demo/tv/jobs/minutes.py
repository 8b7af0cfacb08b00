"""One shard's 1-minute cells: viewing time and distinct viewers per window and group.

Spans are recorded as the watermark makes them certain (a step appends its views' spans as
columns, no per-minute work in Python); when windows become final (``window_end <= watermark``) the
spans' parts inside them are cut into minutes and summed with numpy/pandas, and the rest
of each span is kept for later windows. Shards hold disjoint users, so the job sums the
shards' partial cells (viewers and milliseconds) into the contract's rows.
"""

from __future__ import annotations

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
        self._rest = {name: np.empty(0, np.int64) for name in ("gid", "user", "start", "end")}
        """spans kept by the last :meth:`finalize` (numpy: the state is pickled each batch)"""

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
        keys = list(zip(*(column.tolist() for column in groups), strict=True))
        first_row = {key: row for row, key in reversed(list(enumerate(keys)))}
        for key, row in first_row.items():
            if key not in self._ids:
                self._ids[key] = len(self.groups)
                self.groups.append(key)
                self.titles.append(None if titles is None else titles[row])
        ids = self._ids
        self._parts.append(
            (np.fromiter((ids[k] for k in keys), np.int64, len(keys)),
             *(np.asarray(c, np.int64) for c in (user_id, start, end)))
        )  # fmt: skip

    def finalize(self, watermark: int) -> pd.DataFrame:
        """Milliseconds per (window_start, gid, user_id) of every window final at
        ``watermark``; later parts of the spans stay for later windows."""
        cut = (watermark // contract.WINDOW_MS) * contract.WINDOW_MS
        names = ("gid", "user", "start", "end")
        spans = {k: np.concatenate([self._rest[k], *(p[i] for p in self._parts)])
                 for i, k in enumerate(names)}  # fmt: skip
        self._parts = []
        gid, user, start, end = spans["gid"], spans["user"], spans["start"], spans["end"]
        rest = end > cut
        self._rest = {"gid": gid[rest], "user": user[rest], "start": np.maximum(start[rest], cut),
                      "end": end[rest]}  # fmt: skip
        done = start < cut
        return _minutes(gid[done], user[done], start[done], np.minimum(end[done], cut))

    def cells(self, parts: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
        """Cells per (window_start, ``columns`` — a prefix of the group): the distinct
        viewers and summed milliseconds of ``parts`` (from :meth:`finalize`)."""
        n = len(columns)
        keys = pd.DataFrame([g[:n] for g in self.groups], columns=list(columns))
        keys["title"] = pd.Series(self.titles, dtype=object)
        key_id = keys.groupby(list(columns), dropna=False, sort=False).ngroup().to_numpy()
        parts = parts.assign(kid=key_id[parts["gid"].to_numpy()])
        per_user = parts.groupby(["window_start", "kid", "user_id"], sort=False)["ms"].sum()
        per_cell = per_user.groupby(level=["window_start", "kid"], sort=False).agg(["size", "sum"])
        first_gid = pd.Series(np.arange(len(key_id)), dtype=np.int64).groupby(key_id).first()
        kid = per_cell.index.get_level_values("kid").to_numpy()
        out = keys.iloc[first_gid.to_numpy()[kid]].reset_index(drop=True)
        out["window_start"] = per_cell.index.get_level_values("window_start").to_numpy()
        out["viewers"] = per_cell["size"].to_numpy()
        out["view_ms"] = per_cell["sum"].to_numpy()
        return out


def _minutes(gid: np.ndarray, user: np.ndarray, start: np.ndarray, end: np.ndarray) -> pd.DataFrame:
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
    return pd.DataFrame({"window_start": window, "gid": gid[row], "user_id": user[row], "ms": ms})
