"""Packing events per shard for the stateful operator, and opening them again."""

from __future__ import annotations

import pyarrow as pa

from pipeway.demo.tv.jobs.packing import Packer, action_columns, unpack

EVENTS = pa.schema(
    [("kind", pa.string()), ("shard", pa.int32()), ("user_id", pa.int32()),
     ("device_id", pa.string()), ("channel_id", pa.int32()), ("action", pa.int32()),
     ("ts", pa.int64()), ("extra", pa.string())]
)  # fmt: skip


def batch(*rows: tuple[object, ...]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist([dict(zip(EVENTS.names, r, strict=True)) for r in rows],
                                      schema=EVENTS)  # fmt: skip


def test_each_shard_gets_its_actions_apart_with_only_their_columns() -> None:
    events = batch(
        ("action", 5, 1, "tv", 3, 1, 100, None),
        ("schedule", 5, 0, None, 3, 0, 0, '{"title": "News"}'),
        ("action", 9, 2, "phone", 4, 3, 200, None),
        ("action", 5, 3, "tv", 5, 2, 300, None),
    )
    (packed,) = list(Packer([5, 9])(iter([events, batch()])))
    rows = packed.to_pylist()
    assert [(r["shard"], r["actions"]) for r in rows] == [(5, True), (5, False), (9, True)]
    actions = unpack(rows[0]["events"])
    assert actions.column_names == ["user_id", "device_id", "channel_id", "action", "ts"]
    assert actions.column("ts").to_pylist() == [100, 300]
    others = unpack(rows[1]["events"])
    assert others.column("kind").to_pylist() == ["schedule"]
    assert others.column("extra").to_pylist() == ['{"title": "News"}']


def test_action_columns_are_numpy_with_device_ids_as_strings() -> None:
    events = batch(("action", 1, 1, "tv", 3, 1, 100, None), ("action", 1, 2, "tv", 4, 3, 200, None),
                   ("action", 1, 1, "web", 4, 2, 300, None))  # fmt: skip
    (packed,) = list(Packer([1])(iter([events])))
    columns = action_columns(unpack(packed.to_pylist()[0]["events"]))
    assert columns["device_id"].tolist() == ["tv", "tv", "web"]
    assert columns["user_id"].tolist() == [1, 2, 1]
    assert columns["ts"].dtype.kind == "i"


def test_every_shard_learns_the_latest_action_time_of_every_batch() -> None:
    with_actions = batch(
        ("action", 5, 1, "tv", 3, 1, 900, None),
        ("schedule", 5, 0, None, 3, 0, 5_000, None),
        ("action", 5, 3, "tv", 5, 2, 300, None),
    )
    only_reference = batch(("schedule", 9, 0, None, 3, 0, 7_000, None))
    first, second = Packer([5, 9, 13])(iter([with_actions, only_reference]))
    rows = first.to_pylist()
    assert [(r["shard"], r["actions"], r["events"] is None) for r in rows] == [
        (5, True, False), (5, False, False), (9, True, True), (13, True, True)
    ]  # fmt: skip
    assert {r["max_ts"] for r in rows} == {900}  # actions only: the schedule's time is not one
    assert [(r["shard"], r["max_ts"]) for r in second.to_pylist()] == [(9, None)]
