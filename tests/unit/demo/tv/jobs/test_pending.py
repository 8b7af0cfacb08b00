"""Pending actions: append-only parts per second of event time, taken once the watermark passes."""

from __future__ import annotations

import pickle

import numpy as np

from pipeway.demo.tv.jobs.pending import BUCKET_MS, MemoryPending, PendingIndex


class CountingStore(MemoryPending):
    """A memory store that counts what a real state store would read and write."""

    def __init__(self) -> None:
        super().__init__()
        self.puts: list[tuple[int, int]] = []
        self.gets: list[tuple[int, int]] = []

    def get(self, key: tuple[int, int]) -> dict[str, np.ndarray]:
        self.gets.append(key)
        return super().get(key)

    def put(self, key: tuple[int, int], columns: dict[str, np.ndarray]) -> None:
        self.puts.append(key)
        super().put(key, columns)


def actions(*ts: int) -> dict[str, np.ndarray]:
    n = len(ts)
    return {"device": np.arange(n), "ts": np.array(ts, np.int64),
            "action": np.full(n, 3), "channel": np.full(n, 7)}  # fmt: skip


def test_adding_writes_new_parts_and_reads_nothing() -> None:
    store, index = CountingStore(), PendingIndex()
    index.add(store, actions(100, 1_500))
    index.add(store, actions(200))
    assert store.gets == []
    assert store.puts == [(0, 0), (1, 0), (0, 1)]
    assert index.parts == {0: [0, 1], 1: [0]}


def test_due_actions_are_taken_and_the_second_the_watermark_stops_in_keeps_the_rest() -> None:
    store, index = CountingStore(), PendingIndex()
    index.add(store, actions(100, BUCKET_MS + 10, BUCKET_MS + 900, 5 * BUCKET_MS))
    due = index.take_due(store, BUCKET_MS + 500)
    assert sorted(due["ts"].tolist()) == [100, BUCKET_MS + 10]
    assert index.parts == {1: [0], 5: [0]}
    assert store.get((1, 0))["ts"].tolist() == [BUCKET_MS + 900]
    rest = index.take_due(store, 10 * BUCKET_MS)
    assert sorted(rest["ts"].tolist()) == [BUCKET_MS + 900, 5 * BUCKET_MS]
    assert index.parts == {}
    assert index.take_due(store, 20 * BUCKET_MS)["ts"].tolist() == []


def test_the_index_pickles_with_the_shard_and_keeps_naming_parts_after_removals() -> None:
    store, index = MemoryPending(), PendingIndex()
    index.add(store, actions(10))
    index.add(store, actions(20))
    index.take_due(store, 15)  # part 0 (ts 10) is due and goes; part 1 (ts 20) stays
    copy = pickle.loads(pickle.dumps(index))
    copy.add(store, actions(30))
    assert copy.parts == {0: [1, 2]}
    assert sorted(copy.take_due(store, BUCKET_MS)["ts"].tolist()) == [20, 30]
