"""Debezium change topics as changelogs, and the state of each key as of an event time.

A Debezium value is an envelope ``{before, after, source, op, ts_ms}``; a delete is followed by
a tombstone (null value, same key) that only tells log compaction to forget the key.
:func:`changelog` turns decoded envelopes into one row per change; :func:`as_of_join` attaches
to each event the row version that was valid when the event happened.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from pipeway.jobs.avro_decode import KeyFormat, read_avro
from pipeway.jobs.decoded import DecodedTopic
from pipeway.jobs.exceptions import JobsConfigError
from pipeway.jobs.settings import KafkaSettings
from pipeway.serde import RegistryClient

CHANGELOG_COLUMNS = (
    "key",
    "op",
    "deleted",
    "row",
    "event_time",
    "topic",
    "partition",
    "offset",
)
ENVELOPE_FIELDS = ("before", "after", "op")


def changelog(records: DataFrame) -> DataFrame:
    """One row per change of decoded Debezium envelopes (``DecodedTopic.records()``).

    Columns: ``key`` (the decoded key), ``op`` (``r``/``c``/``u``/``d``), ``deleted``,
    ``row`` (``after``; ``before`` for deletes), ``event_time`` (``source.ts_ms``, else
    ``ts_ms``, as a timestamp), ``topic``, ``partition``, ``offset``. Tombstones are left out:
    they carry no change (the delete before them does).

    Raises:
        JobsConfigError: ``value`` is not a Debezium envelope.
    """
    value_type = records.schema["value"].dataType
    names = set(getattr(value_type, "fieldNames", list)())
    missing = [f for f in ENVELOPE_FIELDS if f not in names]
    if missing:
        raise JobsConfigError(
            f"value is not a Debezium envelope: no field(s) {', '.join(missing)} "
            f"(fields: {sorted(names)})"
        )
    value = F.col("value")
    deleted = value.getField("op") == F.lit("d")
    row = F.when(deleted, value.getField("before")).otherwise(value.getField("after"))
    return records.where(value.isNotNull()).select(
        F.col("key"),
        value.getField("op").alias("op"),
        deleted.alias("deleted"),
        row.alias("row"),
        _event_time(value, names).alias("event_time"),
        "topic",
        "partition",
        "offset",
    )


def read_changelog(
    spark: SparkSession,
    topic: str,
    kafka: KafkaSettings,
    registry: RegistryClient | None = None,
    *,
    streaming: bool = True,
    key_format: KeyFormat = "auto",
    starting_offsets: str = "earliest",
    options: Mapping[str, str] | None = None,
) -> tuple[DataFrame, DecodedTopic]:
    """Read a Debezium Avro topic: ``(changelog frame, the decode for its dead letters)``."""
    decoded = read_avro(
        spark,
        topic,
        kafka,
        registry,
        streaming=streaming,
        key_format=key_format,
        starting_offsets=starting_offsets,
        options=options,
    )
    return changelog(decoded.records()), decoded


def state_as_of(changes: DataFrame, as_of: datetime | str | Column | None = None) -> DataFrame:
    """The live rows of a batch changelog at ``as_of`` (default: after every change).

    Returns ``key``, ``row``, ``event_time`` (when that version started), keys whose last change
    up to ``as_of`` is a delete left out. Changes at exactly ``as_of`` count as applied.
    """
    if as_of is not None:
        limit = as_of if isinstance(as_of, Column) else F.lit(as_of).cast("timestamp")
        changes = changes.where(F.col("event_time") <= limit)
    latest = Window.partitionBy("key").orderBy(F.col("event_time").desc(), F.col("offset").desc())
    return (
        changes.withColumn("__rank", F.row_number().over(latest))
        .where((F.col("__rank") == 1) & ~F.col("deleted"))
        .select("key", "row", "event_time")
    )


def as_of_join(
    events: DataFrame,
    changes: DataFrame,
    *,
    event_key: str | Column,
    event_time: str | Column,
    change_key: str | Column = "key",
    name: str = "state",
) -> DataFrame:
    """``events`` with a column ``name``: the changelog row valid at each event's time.

    The version valid at time t is the last change of the same key with ``event_time <= t``
    (ties: the higher offset); it is null when there is none yet or it is a delete. Works on
    batch DataFrames, so also on each micro-batch of a stream inside ``foreachBatch``. One
    sort per key (events and changes interleaved), no range join, so large inputs scale.

    Args:
        event_key: the events' key, comparable to ``change_key`` (e.g. ``"user_id"``).
        event_time: the events' timestamp column.
        change_key: the changelog's key expression (e.g. ``"key.id"`` or ``"row.id"``).
        name: the new column's name.
    """
    if name in events.columns:
        raise JobsConfigError(f"events already have a column {name!r}; choose another name=")
    ev_key, ev_time = _col(event_key), _col(event_time)
    event_cols = events.columns
    tagged_events = events.select(
        *event_cols,
        ev_key.alias("__k"),
        ev_time.cast("timestamp").alias("__t"),
        F.lit(1).alias("__kind"),
        F.lit(None).cast("long").alias("__offset"),
    )
    version = F.struct(F.col("deleted").alias("deleted"), F.col("row").alias("row"))
    tagged_changes = changes.select(
        _col(change_key).alias("__k"),
        F.col("event_time").alias("__t"),
        F.lit(0).alias("__kind"),
        F.col("offset").alias("__offset"),
        version.alias("__version"),
    )
    merged = tagged_events.unionByName(tagged_changes, allowMissingColumns=True)
    upto = (
        Window.partitionBy("__k")
        .orderBy("__t", "__kind", "__offset")
        .rowsBetween(Window.unboundedPreceding, Window.currentRow)
    )
    valid = F.last("__version", ignorenulls=True).over(upto)
    return (
        merged.withColumn("__valid", valid)
        .where(F.col("__kind") == 1)
        .select(
            *[F.col(c) for c in event_cols],
            F.when(F.col("__valid.deleted"), F.lit(None))
            .otherwise(F.col("__valid.row"))
            .alias(name),
        )
    )


def _event_time(value: Column, names: set[str]) -> Column:
    candidates: list[Column] = []
    if "source" in names:
        source_ts = value.getField("source").getField("ts_ms")
        candidates.append(F.when(source_ts > 0, source_ts))
    if "ts_ms" in names:
        candidates.append(value.getField("ts_ms"))
    if not candidates:
        return F.lit(None).cast("timestamp")
    return F.timestamp_millis(F.coalesce(*candidates))


def _col(c: str | Column) -> Column:
    return F.col(c) if isinstance(c, str) else c


__all__: Sequence[str] = (
    "CHANGELOG_COLUMNS",
    "as_of_join",
    "changelog",
    "read_changelog",
    "state_as_of",
)
