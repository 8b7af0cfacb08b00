"""The stateful operator: one ``transformWithStateInPandas`` key per user shard.

Each call loads the shard's :class:`ShardState` from Spark's state store, applies the batch's
events (packed per shard, :mod:`~pipeway.demo.tv.jobs.packing`; actions below the batch's
watermark are dropped), steps and saves the state back, so a query restarted from its
checkpoint resumes with exactly the committed state.

The step goes to the watermark the batch's own actions set (their latest time minus the
delay, which Spark announces only in the next batch), not to Spark's current one: no action
below it can arrive any more (the next batch drops those as late), so everything before it
is final now, a whole batch earlier. Lateness still follows Spark's watermark, as the
contract's phases do. An event-time timer one millisecond past the step makes Spark call the
shard in a later batch whose watermark passes it, even without input (the no-data batch).
"""

from __future__ import annotations

import base64
import gc
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from pyspark import SparkFiles
from pyspark.sql.streaming.stateful_processor import (
    ExpiredTimerInfo,
    StatefulProcessor,
    StatefulProcessorHandle,
    TimerValues,
)
from pyspark.sql.types import BinaryType, StructField, StructType

from pipeway.demo.tv import contract
from pipeway.demo.tv.jobs import pending
from pipeway.demo.tv.jobs.encoding import RowEncoders
from pipeway.demo.tv.jobs.events import DEAD
from pipeway.demo.tv.jobs.heads import FileHeads
from pipeway.demo.tv.jobs.packing import action_columns, unpack
from pipeway.demo.tv.jobs.rows import DEAD_LETTER_OUTPUT, OUTPUT_SCHEMA, frame, from_pandas
from pipeway.demo.tv.jobs.shard import NO_WATERMARK, ShardState, Step

_STATE_SCHEMA = StructType([StructField("blob", BinaryType(), False)])


class TvAnalyticsProcessor(StatefulProcessor):
    """Keyed by ``shard``; all computation is in :class:`ShardState`, session and view rows
    leave Avro-encoded by ``encoders``."""

    def __init__(
        self,
        encoders: RowEncoders,
        delay_ms: int = contract.WATERMARK_DELAY_MS,
        live_disorder_ms: int | None = None,
        job_key: str = "",
    ) -> None:
        self.encoders = encoders
        self.delay_ms = delay_ms
        self.live_disorder_ms = live_disorder_ms
        """live cells after every batch with actions (:mod:`.live`); None: none"""
        self.job_key = job_key
        """names the job's live head files (:mod:`.heads`): its checkpoint"""

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
        newest = NO_WATERMARK  # the latest action time of the batch (every shard sees it)
        for packed in rows:
            flags, blobs = packed["actions"].tolist(), packed["events"].tolist()
            newest = max(newest, _latest(packed["max_ts"]))
            for actions, blob in zip(flags, blobs, strict=True):
                if blob is None:
                    continue
                if actions:
                    shard.apply_actions(action_columns(unpack(blob)), watermark, self.pending)
                else:
                    self._apply_events(shard, unpack(blob).to_pandas(), watermark, dead_letters)
        latest = max(watermark, newest - self.delay_ms)  # the watermark after this batch
        step = shard.step(latest, self.pending)
        if self.live_disorder_ms is not None and newest != NO_WATERMARK:
            # the latest action read so far counts (Spark's watermark is the previous
            # batches' latest minus the delay)
            as_of = max(newest, watermark + self.delay_ms) + 1
            heads = FileHeads.of(Path(SparkFiles.getRootDirectory()), self.job_key, int(key[0]))
            live = shard.live_cells(as_of, self.pending, self.live_disorder_ms, heads)
            step.cells.extend(live)
        yield self._finish(int(key[0]), shard, step, latest, dead_letters)

    def _apply_events(
        self, shard: ShardState, events: pd.DataFrame, watermark: int, dead: list[pd.DataFrame]
    ) -> None:
        """Reference data and dead letters (kept in ``dead`` for the output writer)."""
        is_dead = (events["kind"] == DEAD).to_numpy()
        if is_dead.any():
            dead.append(dead_letter_rows(events[is_dead]))
            events = events[~is_dead]
        shard.apply(events, watermark, self.pending)

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
        dead = list(map(from_pandas, dead_letters or []))
        return output_frame(self.encoders, step, shard, shard_id, dead)


def output_frame(
    encoders: RowEncoders, step: Step, shard: ShardState, shard_id: int, extra: list[pa.Table]
) -> pd.DataFrame:
    """A step's rows (records encoded), the shard's counters and ``extra`` rows, as the
    operator's output frame."""
    records = [encoders.encode(kind, rows) for kind, rows in step.records.items()]
    return frame([*records, *step.cells, shard.count_table(), *extra], shard_id)


def _latest(max_ts: pd.Series) -> int:
    """The latest action time of packed rows (:data:`NO_WATERMARK` if none has actions)."""
    latest = max_ts.max()
    return NO_WATERMARK if pd.isna(latest) else int(latest)


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


__all__ = ["OUTPUT_SCHEMA", "TvAnalyticsProcessor", "dead_letter_rows", "output_frame"]
