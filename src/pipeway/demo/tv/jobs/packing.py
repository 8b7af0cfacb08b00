"""Events travel to the stateful operator packed: one row per shard and Arrow batch.

PySpark hands a ``transformWithStateInPandas`` operator its input row by row (``itertuples``
into a new pandas frame), which cost more Python per action than the analytics itself. A
stateless ``mapInArrow`` in front of it packs each Arrow batch's events per shard into one
row holding the Arrow IPC bytes, which the operator opens back into columns at no cost per
row. The watermark is declared before the packing, on the events themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark.sql import DataFrame

PACKED_SCHEMA = "shard int, events binary"
_PACKED = pa.schema([("shard", pa.int32()), ("events", pa.binary())])


def packed(events: DataFrame) -> DataFrame:
    """``events`` (with a ``shard`` column) as rows of (``shard``, Arrow IPC ``events``)."""
    return events.mapInArrow(pack, PACKED_SCHEMA)


def pack(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function: per batch, one packed row per shard present."""
    for batch in batches:
        if batch.num_rows == 0:
            continue
        shard = batch.column("shard").to_numpy(zero_copy_only=False)
        keys = np.unique(shard)
        blobs = [_ipc(batch.filter(pa.array(shard == key))) for key in keys.tolist()]
        yield pa.RecordBatch.from_arrays(
            [pa.array(keys, pa.int32()), pa.array(blobs, pa.binary())], schema=_PACKED
        )


def unpack(rows: pd.DataFrame) -> Iterator[pd.DataFrame]:
    """The events of packed ``rows``, a pandas frame per packed row."""
    for blob in rows["events"].tolist():
        with pa.ipc.open_stream(blob) as reader:
            yield reader.read_all().to_pandas()


def _ipc(batch: pa.RecordBatch) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue().to_pybytes()
