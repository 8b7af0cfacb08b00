"""The operator's output rows: one wide schema for every kind, built from columns via Arrow.

The stateful operator emits sessions, views, partial minute cells, counters and passed-through
dead letters as one stream (``kind`` tells them apart) that the output writer splits into
topics. A step's rows are numpy columns, so each kind becomes an Arrow table without a
Python object per row, and the tables are concatenated into the pandas frame PySpark wants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

OUTPUT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("kind", "string"),
    ("shard", "int"),
    ("version", "long"),
    ("name", "string"),
    ("value", "long"),
    ("avro_key", "binary"),
    ("avro_value", "binary"),
    ("channel_id", "int"),
    ("program_id", "int"),
    ("title", "string"),
    ("ad_id", "string"),
    ("age_band", "string"),
    ("gender", "string"),
    ("city_id", "int"),
    ("window_start", "long"),
    ("as_of", "long"),
    ("viewers", "long"),
    ("view_ms", "long"),
    ("offset", "long"),
    ("dl_topic", "string"),
    ("dl_partition", "int"),
    ("dl_key", "binary"),
    ("dl_value", "binary"),
    ("dl_headers", "string"),
    ("dl_reason", "string"),
    ("dl_stage", "string"),
)
"""Every kind of row the operator emits (``kind``: session, show_view, ad_view — as encoded
Kafka key and value —, program_cell, program_total, ad_cell, count, dead_letter), as one
wide schema of nullable columns."""
RECORD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("user_id", "int"),
    ("device_id", "string"),
    ("start_ts", "long"),
    ("end_ts", "long"),
    ("end_reason", "string"),
    ("session_start_ts", "long"),
    ("show_start_ts", "long"),
    ("show_end_ts", "long"),
    ("break_start_ts", "long"),
    ("break_end_ts", "long"),
    ("complete", "boolean"),
    ("user_city_id", "int"),
    ("city_source", "string"),
    ("temp_c", "double"),
    ("weather_main", "string"),
)
"""The fields of session and view records besides output columns: typed here, encoded by
the operator (:mod:`.encoding`) before they leave it."""
DEAD_LETTER_OUTPUT = ("offset", *(name for name, _ in OUTPUT_COLUMNS if name.startswith("dl_")))
OUTPUT_SCHEMA = ", ".join(f"{name} {type_}" for name, type_ in OUTPUT_COLUMNS)
_ARROW_TYPES = {
    "string": pa.string(),
    "int": pa.int32(),
    "long": pa.int64(),
    "double": pa.float64(),
    "boolean": pa.bool_(),
    "binary": pa.binary(),
}
ARROW_SCHEMA = pa.schema([(name, _ARROW_TYPES[type_]) for name, type_ in OUTPUT_COLUMNS])
_FIELDS = {f.name: f for f in ARROW_SCHEMA} | {
    name: pa.field(name, _ARROW_TYPES[type_]) for name, type_ in RECORD_COLUMNS
}
_SHARD_INDEX = ARROW_SCHEMA.get_field_index("shard")


def table(kind: str, columns: Mapping[str, Any]) -> pa.Table:
    """Rows of ``kind`` from equally long columns (numpy arrays or lists; None is null) of
    output or record fields."""
    n = len(next(iter(columns.values()))) if columns else 0
    fields = [_FIELDS["kind"], *(_FIELDS[name] for name in columns)]
    arrays = [pa.repeat(kind, n).cast(pa.string())]
    arrays += [pa.array(values, type=f.type, from_pandas=True)
               for f, values in zip(fields[1:], columns.values(), strict=True)]  # fmt: skip
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def frame(tables: Sequence[pa.Table], shard_id: int) -> pd.DataFrame:
    """``tables`` (any subset of the columns) as one pandas frame of :data:`OUTPUT_COLUMNS`
    (absent fields are null), every row tagged with ``shard_id``."""
    whole = pa.concat_tables([ARROW_SCHEMA.empty_table(), *tables], promote_options="default")
    whole = whole.select(ARROW_SCHEMA.names).combine_chunks()  # one chunk per column: see below
    shard = pa.array(np.full(len(whole), shard_id, np.int32))
    whole = whole.set_column(_SHARD_INDEX, ARROW_SCHEMA.field("shard"), shard)
    # Arrow-backed columns (of one chunk: PySpark takes an Array, not a ChunkedArray) go
    # back to Arrow in PySpark without a per-value pass (numpy-backed ones took 30% of the
    # operator's Python time)
    return whole.to_pandas(types_mapper=pd.ArrowDtype)


def from_pandas(rows: pd.DataFrame) -> pa.Table:
    """A frame whose columns are output columns, as an Arrow table of their output types."""
    present = pa.schema([f for f in ARROW_SCHEMA if f.name in rows.columns])
    return pa.Table.from_pandas(rows[present.names], present, preserve_index=False)
