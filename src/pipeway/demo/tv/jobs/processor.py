"""The stateful operator: one ``transformWithStateInPandas`` key per user shard.

Each call loads the shard's :class:`ShardState` from Spark's state store, applies the batch's
events (dropping actions below the batch's watermark), steps to the watermark and saves the
state back, so a query restarted from its checkpoint resumes with exactly the committed
state. An event-time timer one millisecond past the last step makes Spark call the shard in
the next batch whose watermark moved, even without input (the no-data batch).
"""

from __future__ import annotations

import base64
import gc
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark.sql.streaming.stateful_processor import (
    ExpiredTimerInfo,
    StatefulProcessor,
    StatefulProcessorHandle,
    TimerValues,
)
from pyspark.sql.types import BinaryType, StructField, StructType

from pipeway.demo.tv.jobs import pending
from pipeway.demo.tv.jobs.events import DEAD
from pipeway.demo.tv.jobs.shard import ShardState, Step
from pipeway.demo.tv.jobs.views import Row

OUTPUT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("kind", "string"),
    ("shard", "int"),
    ("version", "long"),
    ("name", "string"),
    ("value", "long"),
    ("user_id", "int"),
    ("device_id", "string"),
    ("channel_id", "int"),
    ("start_ts", "long"),
    ("end_ts", "long"),
    ("end_reason", "string"),
    ("session_start_ts", "long"),
    ("program_id", "int"),
    ("title", "string"),
    ("show_start_ts", "long"),
    ("show_end_ts", "long"),
    ("ad_id", "string"),
    ("break_start_ts", "long"),
    ("break_end_ts", "long"),
    ("complete", "boolean"),
    ("age_band", "string"),
    ("gender", "string"),
    ("user_city_id", "int"),
    ("city_id", "int"),
    ("city_source", "string"),
    ("temp_c", "double"),
    ("weather_main", "string"),
    ("window_start", "long"),
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
"""Every kind of row the operator emits (``kind``: session, show_view, ad_view,
program_cell, program_total, ad_cell, count, dead_letter), as one wide schema of nullable
columns."""
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
_ARROW_SCHEMA = pa.schema([(name, _ARROW_TYPES[type_]) for name, type_ in OUTPUT_COLUMNS])
_SHARD_INDEX = _ARROW_SCHEMA.get_field_index("shard")
_PANDAS_TYPES = {
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.float64(): pd.Float64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}
"""nullable pandas types, so null numbers stay null (strings and bytes stay objects)"""
_STATE_SCHEMA = StructType([StructField("blob", BinaryType(), False)])


class TvAnalyticsProcessor(StatefulProcessor):
    """Keyed by ``shard``; all computation is in :class:`ShardState`."""

    def init(self, handle: StatefulProcessorHandle) -> None:
        # A reused PySpark worker runs a full gc.collect() after every task, which walked
        # every object of the imported libraries again (~40% of this operator's Python
        # time in a profile at 3,000 actions/s); frozen objects are skipped by collections.
        gc.freeze()
        self.handle = handle
        self.state = handle.getValueState("shard_state", _STATE_SCHEMA)
        actions = handle.getMapState("pending_actions", pending.KEY_SCHEMA, pending.VALUE_SCHEMA)
        self.pending = pending.MapStatePending(actions)

    def handleInputRows(
        self, key: Any, rows: Iterator[pd.DataFrame], timerValues: TimerValues
    ) -> Iterator[pd.DataFrame]:
        watermark = timerValues.getCurrentWatermarkInMs()
        shard = self._load()
        dead_letters: list[pd.DataFrame] = []  # passed through to the output writer
        for frame in rows:
            is_dead = (frame["kind"] == DEAD).to_numpy()
            if is_dead.any():
                dead_letters.append(dead_letter_rows(frame[is_dead]))
                frame = frame[~is_dead]
            shard.apply(frame, watermark, self.pending)
        step = shard.step(watermark, self.pending)
        yield self._finish(int(key[0]), shard, step, watermark, dead_letters)

    def handleExpiredTimer(
        self, key: Any, timerValues: TimerValues, expiredTimerInfo: ExpiredTimerInfo
    ) -> Iterator[pd.DataFrame]:
        watermark = timerValues.getCurrentWatermarkInMs()
        shard = self._load()
        yield self._finish(int(key[0]), shard, shard.step(watermark, self.pending), watermark)

    def close(self) -> None:
        pass

    def _load(self) -> ShardState:
        stored = self.state.get()
        return ShardState.loads(stored[0]) if stored is not None else ShardState()

    def _finish(
        self,
        shard_id: int,
        shard: ShardState,
        step: Step,
        watermark: int,
        dead_letters: list[pd.DataFrame] | None = None,
    ) -> pd.DataFrame:
        shard.version += 1
        self.state.update((shard.dumps(),))
        for timer in list(self.handle.listTimers()):
            self.handle.deleteTimer(timer)
        self.handle.registerTimer(watermark + 1)
        counts = [{**r, "version": shard.version} for r in shard.count_rows()]
        return frame([*step.rows, *counts], [*step.cells, *(dead_letters or [])], shard_id)


def dead_letter_rows(dead: pd.DataFrame) -> pd.DataFrame:
    """``dead_letter`` output rows from ``dead`` input events (their ``dl_*`` fields in
    ``extra``, binary ones base64): what the output writer needs for the dead letter topic."""
    rows = []
    for offset, extra in zip(dead["offset"].tolist(), dead["extra"].tolist(), strict=True):
        fields = json.loads(extra)
        for name in ("dl_key", "dl_value"):
            raw = fields.get(name)
            fields[name] = None if raw is None else base64.b64decode(raw)
        headers = fields.get("dl_headers")
        fields["dl_headers"] = None if headers is None else json.dumps(headers)
        rows.append({"kind": "dead_letter", "offset": offset, **fields})
    return pd.DataFrame.from_records(rows, columns=["kind", *DEAD_LETTER_OUTPUT])


def frame(rows: list[Row], cells: list[pd.DataFrame], shard_id: int) -> pd.DataFrame:
    """Rows and cell frames as one pandas frame of :data:`OUTPUT_COLUMNS` (absent fields
    are null), every row tagged with ``shard_id``.

    Built through Arrow: ``Table.from_pylist`` reads the row dicts in C++, where pandas'
    ``from_records`` and per-column casts took a third of the operator's Python time."""
    tables = [pa.Table.from_pylist(rows, schema=_ARROW_SCHEMA)]
    for cell in cells:
        if len(cell):
            present = [f for f in _ARROW_SCHEMA if f.name in cell.columns]
            tables.append(pa.Table.from_pandas(cell, pa.schema(present), preserve_index=False))
    whole = pa.concat_tables(tables, promote_options="default").select(_ARROW_SCHEMA.names)
    shard = pa.array(np.full(len(whole), shard_id, np.int32))
    whole = whole.set_column(_SHARD_INDEX, _ARROW_SCHEMA.field("shard"), shard)
    return whole.to_pandas(types_mapper=_PANDAS_TYPES.get)
