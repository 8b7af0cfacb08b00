"""The input topics as one stream of events, each routed to the shard(s) that need it.

Every topic maps onto the same flat columns (:data:`EVENT_SCHEMA`; unused numeric columns
hold 0 so pandas keeps integer types): actions and CDC rows go to their user's shard, the
reference topics to every shard. Records that failed to decode or validate become ``dead``
events on the first shard, carrying what the dead letter topic needs (in ``extra``), so
each input is read and decoded once for both outputs. Only actions carry the watermark
column, shifted by :data:`WATERMARK_SHIFT_MS` so Spark's own late-row filter never drops a
row the contract keeps; the processor applies the contract's rule (``ts < W`` is late) itself.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DateType, IntegerType, LongType, TimestampType

from pipeway.demo.tv import contract
from pipeway.jobs.decoded import RAW_KEY, RAW_VALUE, REASON, STAGE, DecodedTopic

EVENT_SCHEMA: tuple[tuple[str, str], ...] = (
    ("kind", "string"),
    ("shard", "int"),
    ("user_id", "int"),
    ("device_id", "string"),
    ("channel_id", "int"),
    ("action", "int"),
    ("ts", "long"),
    ("offset", "long"),
    ("city_id", "int"),
    ("extra", "string"),
)
"""The typed columns are those of the high-volume inputs (actions, telemetry). Every other
field travels in ``extra``, a JSON object (null for actions and telemetry): PySpark hands a
``transformWithStateInPandas`` operator its input row by row, so each column costs Python
work on every row."""
EXTRA_FIELDS = (
    "op", "birth_date", "gender", "program_id", "title", "ad_id", "length_ms", "temp_c",
    "weather_main",
)  # fmt: skip
"""fields of the low-volume inputs (CDC, schedules, ad breaks, weather), in ``extra``"""
DEAD = "dead"
"""the ``kind`` of an input record that goes to the dead letter topic"""


def _dead_letter_fields() -> list[Column]:
    """What a dead letter carries to the output writer (:mod:`pipeway.jobs.dead_letters`),
    as fields of ``extra`` (binary values base64 in JSON)."""
    return [
        F.col("topic").alias("dl_topic"),
        F.col("partition").alias("dl_partition"),
        F.col(RAW_KEY).alias("dl_key"),
        F.col(RAW_VALUE).alias("dl_value"),
        F.col("headers").alias("dl_headers"),
        F.col(REASON).alias("dl_reason"),
        F.col(STAGE).alias("dl_stage"),
    ]


WATERMARK_COLUMN = "wm_ts"
WATERMARK_SHIFT_MS = 365 * contract.DAY_MS
"""Spark drops rows whose event time is at or below the previous batch's watermark; shifting
both the column and the delay by a year keeps the watermark equal to the contract's W while
Spark's filter only drops actions more than a year late (reported as Spark's
``numRowsDroppedByWatermark``)."""


def shard_keys(spark: SparkSession, shards: int) -> list[int]:
    """The grouping-key value of each shard: ``shards`` ints that Spark's hash partitioning
    into ``shards`` partitions puts in distinct partitions.

    Spark places a key in partition ``pmod(murmur3(key), partitions)``; the plain ids 0 and 1
    both land in partition 1 of 2, so one Python worker ran both shards one after the other.
    With ``spark.sql.shuffle.partitions`` equal to ``shards`` every shard gets its own task.
    Depends only on ``shards`` (fixed once a checkpoint exists), so restarts keep each user
    on the same key.
    """
    key = F.col("id").cast("int")
    candidates = spark.range(shards * 64).select(
        key.alias("key"), F.pmod(F.hash(key), F.lit(shards)).alias("partition")
    )
    first: dict[int, int] = {}
    for row in candidates.orderBy("key").collect():
        first.setdefault(int(row["partition"]), int(row["key"]))
    if len(first) < shards:
        raise ValueError(f"no keys found for {shards} distinct shard partitions")
    return [first[p] for p in range(shards)]


def events(
    decoded: dict[str, DecodedTopic],
    keys: list[int],
    delay_ms: int = contract.WATERMARK_DELAY_MS,
) -> DataFrame:
    """The union of the six decoded inputs as events, with the watermark declared.

    Args:
        decoded: contract topic name -> the decoded topic (good rows and dead letters).
        keys: the grouping-key value of each shard (:func:`shard_keys`).
        delay_ms: the watermark delay (the latest action time minus this).
    """
    every = F.array(*[F.lit(k).cast("int") for k in keys])
    frames = {name: d.observed() for name, d in decoded.items()}
    parts = [
        _actions(frames[contract.ACTIONS], every),
        _users(frames[contract.USERS_CDC], every),
        _schedules(frames[contract.SCHEDULES], every),
        _breaks(frames[contract.AD_BREAKS], every),
        _telemetry(frames[contract.TELEMETRY], every),
        _weather(frames[contract.WEATHER], every),
    ]
    union = parts[0]
    for part in parts[1:]:
        union = union.unionByName(part)
    shifted = F.when(
        F.col("kind") == "action", F.timestamp_millis(F.col("ts") + WATERMARK_SHIFT_MS)
    )
    delay = f"{delay_ms + WATERMARK_SHIFT_MS} milliseconds"
    declared = union.withColumn(WATERMARK_COLUMN, shifted).withWatermark(WATERMARK_COLUMN, delay)
    # the watermark stays with the plan; the operator does not need the timestamp column
    # (converting it to pandas cost more than any other input column)
    return declared.drop(WATERMARK_COLUMN)


def _event(
    frame: DataFrame, kind: str, every: Column, shard: Column | None = None, **columns: Column
) -> DataFrame:
    """One input's rows as events: good rows as ``kind`` to their ``shard`` (a key), or to
    ``every`` shard when None; dead letters as :data:`DEAD` to the first shard with their
    ``dl_*`` fields in ``extra``. Columns a row does not use hold 0 (numbers) or null."""
    good = F.col(REASON).isNull()
    first = F.element_at(every, 1)
    if shard is not None:
        shard = F.when(good, shard).otherwise(first)
    else:  # a generator: one row per shard, only for the reference topics (low volume)
        shard = F.explode(F.when(good, every).otherwise(F.array(first)))
    filled = [
        F.when(good, F.lit(kind)).otherwise(F.lit(DEAD)).alias("kind"),
        shard.alias("shard"),
    ]
    for name, type_ in EVENT_SCHEMA[2:-1]:
        if name == "offset":
            value = F.when(good, columns.get(name, F.lit(0))).otherwise(F.col("offset"))
        elif type_ == "string":
            value = F.when(good, columns.get(name, F.lit(None)))
        else:
            value = F.when(good, columns.get(name, F.lit(0))).otherwise(F.lit(0))
        filled.append(value.cast(type_).alias(name))
    extra = [columns[name].alias(name) for name in EXTRA_FIELDS if name in columns]
    dead_letter = F.to_json(F.struct(*_dead_letter_fields()))
    kept = F.to_json(F.struct(*extra)) if extra else F.lit(None)
    filled.append(F.when(good, kept).otherwise(dead_letter).cast("string").alias("extra"))
    return frame.select(*filled)


def _user_shard(user_id: Column, keys: Column) -> Column:
    """The key of shard ``user_id mod shards``."""
    return F.element_at(keys, F.pmod(user_id, F.size(keys)) + 1)


def _actions(records: DataFrame, keys: Column) -> DataFrame:
    v = F.col("value")
    return _event(
        records,
        "action",
        keys,
        _user_shard(v.user_id, keys),
        user_id=v.user_id,
        device_id=v.device_id,
        channel_id=v.channel_id,
        action=v.action,
        ts=_millis(records, "ts"),
        offset=F.col("offset"),
    )


def _users(records: DataFrame, keys: Column) -> DataFrame:
    v = F.col("value")
    row = F.coalesce(v.after, v.before)
    live = records.where(v.isNotNull() | F.col(REASON).isNotNull())  # tombstones carry nothing
    return _event(
        live,
        "user",
        keys,
        _user_shard(row.user_id, keys),
        user_id=row.user_id,
        op=v.op,
        ts=v.source.ts_ms,
        offset=F.col("offset"),
        birth_date=_days(row.birth_date, _field_type(records, "after", "birth_date")),
        gender=row.gender,
        city_id=row.city_id,
    )


def _schedules(records: DataFrame, everyone: Column) -> DataFrame:
    v = F.col("value")
    day = _days(v.day, _field_type(records, "day"))
    start = _time_of_day_ms(v.start, _field_type(records, "start"))
    return _event(
        records,
        "schedule",
        everyone,
        channel_id=v.channel_id,
        ts=day.cast("long") * contract.DAY_MS + start,
        program_id=v.program_id,
        title=v.title,
    )


def _breaks(records: DataFrame, everyone: Column) -> DataFrame:
    v = F.col("value")
    return _event(
        records,
        "break",
        everyone,
        channel_id=v.channel_id,
        ts=_millis(records, "start_ts"),
        length_ms=v.duration_secs.cast("long") * 1000,
        ad_id=v.ad_id,
    )


def _telemetry(records: DataFrame, everyone: Column) -> DataFrame:
    v = F.col("value")
    return _event(
        records,
        "telemetry",
        everyone,
        device_id=v.device_id,
        ts=_millis(records, "ts"),
        offset=F.col("offset"),
        city_id=v.city_id,
    )


def _weather(records: DataFrame, everyone: Column) -> DataFrame:
    v = F.col("value")
    return _event(
        records,
        "weather",
        everyone,
        city_id=v.id,
        ts=v.dt * 1000,
        offset=F.col("offset"),
        temp_c=v.main.temp,
        weather_main=F.get(v.weather, 0).main,
    )


def _field_type(records: DataFrame, *path: str) -> object:
    data_type = records.schema["value"].dataType
    for name in path:
        data_type = data_type[name].dataType  # type: ignore[index]
    return data_type


def _millis(records: DataFrame, name: str) -> Column:
    """Epoch ms of a timestamp-millis field (Spark reads it as a timestamp)."""
    column = F.col("value").getField(name)
    if isinstance(_field_type(records, name), TimestampType):
        return F.unix_millis(column)
    return column.cast("long")


def _days(column: Column, data_type: object) -> Column:
    """Days since 1970-01-01 of an Avro ``date`` (a Spark date, or the raw int)."""
    return F.unix_date(column) if isinstance(data_type, DateType) else column.cast("int")


def _time_of_day_ms(column: Column, data_type: object) -> Column:
    """Milliseconds after midnight of an Avro ``time-millis`` (spark-avro reads an int)."""
    if not isinstance(data_type, IntegerType | LongType):
        raise TypeError(f"schedule 'start' decodes as {data_type}, expected time-millis as int")
    return column.cast("long")
