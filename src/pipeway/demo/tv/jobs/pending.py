"""Actions waiting for the watermark, in parts of their own state entries.

A shard holds every action of the last watermark delay (two minutes of input) until the
watermark passes it. Each batch writes its actions as new entries of a ``MapState`` keyed by
(second of event time, part), so nothing already stored is read or rewritten when actions
arrive; a step reads and removes the entries of the seconds the watermark passed (only the
second it stops in is written back, with what is not due yet). Which parts exist is a small
:class:`PendingIndex` kept in the shard's own value, so no step lists the MapState's keys.
Columns are numpy arrays (device number, ts, action, channel); :class:`MemoryPending` is the
same store in a dict, for batch runs and tests.
"""

from __future__ import annotations

import pickle
from typing import Protocol

import numpy as np
from pyspark.sql.streaming.stateful_processor import MapState
from pyspark.sql.types import BinaryType, LongType, StructField, StructType

Columns = dict[str, np.ndarray]
Key = tuple[int, int]
"""(bucket, part)"""
BUCKET_MS = 1_000
DTYPES = {"device": np.int32, "ts": np.int64, "action": np.int8, "channel": np.int32}
"""as narrow as the values allow"""
KEY_SCHEMA = StructType(
    [StructField("bucket", LongType(), False), StructField("part", LongType(), False)]
)
VALUE_SCHEMA = StructType([StructField("columns", BinaryType(), False)])


class PendingStore(Protocol):
    """Parts of pending actions by (bucket, part); a bucket is ``ts // BUCKET_MS``."""

    def get(self, key: Key) -> Columns: ...

    def put(self, key: Key, columns: Columns) -> None: ...

    def remove(self, key: Key) -> None: ...


class MemoryPending:
    def __init__(self) -> None:
        self._parts: dict[Key, Columns] = {}

    def get(self, key: Key) -> Columns:
        return self._parts[key]

    def put(self, key: Key, columns: Columns) -> None:
        self._parts[key] = columns

    def remove(self, key: Key) -> None:
        del self._parts[key]


class MapStatePending:
    """The parts in a ``transformWithStateInPandas`` ``MapState`` of the current key."""

    def __init__(self, state: MapState) -> None:
        self._state = state

    def get(self, key: Key) -> Columns:
        value = self._state.getValue(key)
        if value is None:
            raise KeyError(f"pending actions part {key} missing from the state store")
        columns: Columns = pickle.loads(value[0])
        return columns

    def put(self, key: Key, columns: Columns) -> None:
        blob = pickle.dumps(columns, protocol=pickle.HIGHEST_PROTOCOL)
        self._state.updateValue(key, (blob,))

    def remove(self, key: Key) -> None:
        self._state.removeKey(key)


class PendingIndex:
    """Which parts each bucket has (kept in the shard's pickled value)."""

    def __init__(self) -> None:
        self.parts: dict[int, list[int]] = {}

    def add(self, store: PendingStore, columns: Columns) -> None:
        """Store actions as a new part of each bucket their event times fall in."""
        bucket_of = columns["ts"] // BUCKET_MS
        for bucket in np.unique(bucket_of).tolist():
            rows = bucket_of == bucket
            parts = self.parts.setdefault(bucket, [])
            part = parts[-1] + 1 if parts else 0
            store.put((bucket, part), {k: v[rows].astype(DTYPES[k]) for k, v in columns.items()})
            parts.append(part)

    def take_due(self, store: PendingStore, watermark: int) -> Columns:
        """Remove and return every action with ``ts < watermark``."""
        taken = [empty()]
        for bucket in sorted(b for b in self.parts if b * BUCKET_MS < watermark):
            whole = (bucket + 1) * BUCKET_MS <= watermark
            for part in list(self.parts[bucket]):
                columns = store.get((bucket, part))
                due = columns["ts"] < watermark
                taken.append({k: v[due] for k, v in columns.items()})
                if whole or due.all():
                    store.remove((bucket, part))
                    self.parts[bucket].remove(part)
                elif due.any():
                    store.put((bucket, part), {k: v[~due] for k, v in columns.items()})
            if not self.parts[bucket]:
                del self.parts[bucket]
        return {k: np.concatenate([p[k] for p in taken]) for k in DTYPES}

    def peek(self, store: PendingStore, since: int, until: int) -> Columns:
        """Every action with ``since <= ts < until``, left in place (the live cells read
        ahead of the watermark, :mod:`.live`)."""
        taken = [empty()]
        first, last = since // BUCKET_MS, (until - 1) // BUCKET_MS
        for bucket in sorted(b for b in self.parts if first <= b <= last):
            for part in self.parts[bucket]:
                columns = store.get((bucket, part))
                ts = columns["ts"]
                inside = (ts >= since) & (ts < until)
                taken.append({k: v[inside] for k, v in columns.items()})
        return {k: np.concatenate([p[k] for p in taken]) for k in DTYPES}


def empty() -> Columns:
    return {name: np.empty(0, dtype) for name, dtype in DTYPES.items()}
