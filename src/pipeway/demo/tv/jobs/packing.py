"""Events travel to the stateful operator packed: one row per shard and Arrow batch.

PySpark hands a ``transformWithStateInPandas`` operator its input row by row (``itertuples``
into a new pandas frame), which cost more Python per action than the analytics itself. A
stateless ``mapInArrow`` in front of it packs each Arrow batch's events per shard into one
row holding the Arrow IPC bytes, which the operator opens back into columns at no cost per
row. The watermark is declared before the packing, on the events themselves.

Every packed row also carries the latest action time of its Arrow batch (``max_ts``), and
every shard gets a row from every batch holding actions, so each shard learns the whole
micro-batch's latest action time: the watermark Spark will only announce in the next batch
(see :mod:`.processor`).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame

from pipeway.demo.tv.jobs.shard import ACTION_COLUMNS

PACKED_SCHEMA = "shard int, actions boolean, events binary, max_ts long"
_PACKED = pa.schema([("shard", pa.int32()), ("actions", pa.bool_()), ("events", pa.binary()),
                     ("max_ts", pa.int64())])  # fmt: skip


def packed(events: DataFrame, keys: list[int]) -> DataFrame:
    """``events`` (with ``shard`` and ``kind`` columns) as rows of (``shard``, ``actions``,
    Arrow IPC ``events``, ``max_ts``): a shard's actions and its other events packed apart;
    ``keys`` are all the shards' keys."""
    return events.mapInArrow(Packer(keys), PACKED_SCHEMA)


class Packer:
    """The ``mapInArrow`` function: per Arrow batch, up to two packed rows per shard present,
    and, when the batch holds actions, a row without events for every shard absent."""

    def __init__(self, keys: list[int]) -> None:
        self.keys = keys

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            if batch.num_rows:
                yield self._packed(batch)

    def _packed(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        shard = batch.column("shard").to_numpy(zero_copy_only=False)
        is_action = pc.equal(batch.column("kind"), "action").to_numpy(zero_copy_only=False)
        ts = batch.column("ts").to_numpy(zero_copy_only=False)
        max_ts = int(ts[is_action].max()) if is_action.any() else None
        shards: list[int] = []
        flags: list[bool] = []
        blobs: list[bytes | None] = []
        for key in np.unique(shard).tolist():
            for actions in (True, False):
                rows = (shard == key) & (is_action == actions)
                if rows.any():
                    part = batch.filter(pa.array(rows))
                    shards.append(key)
                    flags.append(actions)
                    blobs.append(_ipc(part.select(ACTION_COLUMNS) if actions else part))
        if max_ts is not None:
            absent = [key for key in self.keys if key not in shards]
            shards += absent
            flags += [True] * len(absent)
            blobs += [None] * len(absent)
        return pa.RecordBatch.from_arrays(
            [pa.array(shards, pa.int32()), pa.array(flags), pa.array(blobs, pa.binary()),
             pa.array([max_ts] * len(shards), pa.int64())],
            schema=_PACKED,
        )  # fmt: skip


def unpack(blob: bytes) -> pa.Table:
    """The events of one packed row."""
    with pa.ipc.open_stream(blob) as reader:
        return reader.read_all()


def action_columns(actions: pa.Table) -> dict[str, np.ndarray]:
    """A packed table of actions as numpy columns (``device_id``: an object array, its
    strings made once per distinct device; ``device_code``: the same as ints, so numbering
    devices needs no string hashing)."""
    columns = {name: actions.column(name).to_numpy() for name in ACTION_COLUMNS
               if name != "device_id"}  # fmt: skip
    device = actions.column("device_id").combine_chunks().dictionary_encode()
    names = np.array(device.dictionary.to_pylist(), object)
    codes = device.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    columns["device_id"] = names[codes]
    columns["device_code"] = codes
    return columns


def _ipc(batch: pa.RecordBatch) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue().to_pybytes()
