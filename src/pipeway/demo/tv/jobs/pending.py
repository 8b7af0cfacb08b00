"""Actions waiting for the watermark, in event-time buckets of their own state entries.

A shard holds every action of the last watermark delay (two minutes of input) until the
watermark passes it. Kept inside the shard's pickled value, that buffer was read and
rewritten whole on every micro-batch; here each :data:`BUCKET_MS` of event time is one entry
of a ``MapState``, so a batch writes only the buckets its actions fall in and reads only
the buckets the watermark reached. Columns are numpy arrays (device number, ts, action,
channel); :class:`MemoryPending` is the same store in a dict, for batch runs and tests.
"""

from __future__ import annotations

import pickle
from typing import Protocol

import numpy as np
from pyspark.sql.streaming.stateful_processor import MapState
from pyspark.sql.types import BinaryType, LongType, StructField, StructType

Columns = dict[str, np.ndarray]
BUCKET_MS = 10_000
DTYPES = {"device": np.int32, "ts": np.int64, "action": np.int8, "channel": np.int32}
"""as narrow as the values allow: the buckets are rewritten as actions arrive"""
KEY_SCHEMA = StructType([StructField("bucket", LongType(), False)])
VALUE_SCHEMA = StructType([StructField("columns", BinaryType(), False)])


class PendingStore(Protocol):
    """Buckets of pending actions by number (``ts // BUCKET_MS``)."""

    def buckets(self) -> list[int]: ...

    def get(self, bucket: int) -> Columns | None: ...

    def put(self, bucket: int, columns: Columns) -> None: ...

    def remove(self, bucket: int) -> None: ...


class MemoryPending:
    def __init__(self) -> None:
        self._buckets: dict[int, Columns] = {}

    def buckets(self) -> list[int]:
        return list(self._buckets)

    def get(self, bucket: int) -> Columns | None:
        return self._buckets.get(bucket)

    def put(self, bucket: int, columns: Columns) -> None:
        self._buckets[bucket] = columns

    def remove(self, bucket: int) -> None:
        del self._buckets[bucket]


class MapStatePending:
    """The buckets in a ``transformWithStateInPandas`` ``MapState`` of the current key."""

    def __init__(self, state: MapState) -> None:
        self._state = state

    def buckets(self) -> list[int]:
        return [int(key[0]) for key in self._state.keys()]  # noqa: SIM118 (not a dict)

    def get(self, bucket: int) -> Columns | None:
        value = self._state.getValue((bucket,))
        return None if value is None else pickle.loads(value[0])

    def put(self, bucket: int, columns: Columns) -> None:
        blob = pickle.dumps(columns, protocol=pickle.HIGHEST_PROTOCOL)
        self._state.updateValue((bucket,), (blob,))

    def remove(self, bucket: int) -> None:
        self._state.removeKey((bucket,))


def empty() -> Columns:
    return {name: np.empty(0, dtype) for name, dtype in DTYPES.items()}


def add(store: PendingStore, columns: Columns) -> None:
    """Append actions to the buckets their event times fall in."""
    bucket_of = columns["ts"] // BUCKET_MS
    known = set(store.buckets())  # asking Spark for a missing key logs a warning
    for bucket in np.unique(bucket_of).tolist():
        rows = bucket_of == bucket
        old = (store.get(bucket) if bucket in known else None) or empty()
        store.put(bucket, {k: np.concatenate([old[k], v[rows].astype(DTYPES[k])])
                           for k, v in columns.items()})  # fmt: skip


def take_due(store: PendingStore, watermark: int) -> Columns:
    """Remove and return every action with ``ts < watermark``."""
    parts = [empty()]
    for bucket in sorted(b for b in store.buckets() if b * BUCKET_MS < watermark):
        columns = store.get(bucket)
        if columns is None:
            continue
        due = columns["ts"] < watermark
        parts.append({k: v[due] for k, v in columns.items()})
        if due.all():
            store.remove(bucket)
        else:
            store.put(bucket, {k: v[~due] for k, v in columns.items()})
    return {k: np.concatenate([p[k] for p in parts]) for k in DTYPES}
