"""A decoded topic: the good records and the dead letters of one read, from one source.

Decoding never raises and never drops a record: each row either decodes (``key``/``value``
filled) or carries a dead letter reason. :class:`DecodedTopic` splits the two views of the
same frame, so a job writes its records to its outputs and its dead letters to its dead letter
topic (:mod:`pipeway.jobs.dead_letters`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from pipeway.jobs.kafka_source import METADATA_COLUMNS

REASON = "__dead_letter_reason"
RAW_KEY = "__raw_key"
RAW_VALUE = "__raw_value"
STAGE = "__dead_letter_stage"
INTERNAL_COLUMNS = (REASON, RAW_KEY, RAW_VALUE, STAGE)


@dataclass(frozen=True)
class DecodedTopic:
    """The decoded rows of ``topic`` (streaming or batch).

    ``frame`` holds every row: ``key``, ``value``, the Kafka metadata columns and internal
    columns (raw bytes, reason). Use :meth:`records` and :meth:`dead_letters` rather than
    ``frame`` directly.
    """

    topic: str
    frame: DataFrame

    @property
    def is_streaming(self) -> bool:
        return self.frame.isStreaming

    def records(self, observe: bool = True) -> DataFrame:
        """Rows that decoded: ``key``, ``value`` and the Kafka metadata columns.

        Args:
            observe: count rows and dead letters as Spark observed metrics named
                ``pipeway.decode.<topic>`` (``rows``, ``dead_letters``), so the query's
                progress reports how many records of each batch went to the dead letters.
        """
        frame = self.observed() if observe else self.frame
        return frame.where(F.col(REASON).isNull()).select("key", "value", *METADATA_COLUMNS)

    def observed(self) -> DataFrame:
        """``frame`` (good rows and dead letters) counted as ``pipeway.decode.<topic>``
        observed metrics (``rows``, ``dead_letters``): for a job that routes both kinds of
        row from one read, so the topic is read and decoded once."""
        return self.frame.observe(
            f"pipeway.decode.{self.topic}",
            F.count(F.lit(1)).alias("rows"),
            F.count(F.col(REASON)).alias("dead_letters"),
        )

    def values(self) -> DataFrame:
        """The decoded value's fields as top-level columns (``value.*``) of good rows."""
        return self.records().select("value.*")

    def dead_letters(self) -> DataFrame:
        """Rows that did not decode: original ``key``/``value`` bytes, metadata, ``reason``.

        ``stage`` says which part failed (``KEY_CONVERTER`` or ``VALUE_CONVERTER``, Kafka
        Connect's names).
        """
        return self.frame.where(F.col(REASON).isNotNull()).select(
            F.col(RAW_KEY).alias("key"),
            F.col(RAW_VALUE).alias("value"),
            *METADATA_COLUMNS,
            F.col(REASON).alias("reason"),
            F.col(STAGE).alias("stage"),
        )


class ColumnDecoder(Protocol):
    """Turns one binary Kafka column into a typed column, and says why a row failed.

    ``prepare`` is evaluated once per row into its own column (e.g. the schema id parsed
    from the wire header); ``decode`` and ``reason`` receive it instead of recomputing it.
    """

    def prepare(self, raw: Column) -> Column:
        """A helper column computed once per row (null literal when not needed)."""
        ...

    def decode(self, raw: Column, prepared: Column) -> Column:
        """The decoded column (null when ``raw`` is null or does not decode)."""
        ...

    def reason(self, raw: Column, decoded: Column, prepared: Column) -> Column:
        """A string column: null when the row is fine, else why it is a dead letter."""
        ...

    def finish(self, decoded: Column) -> Column:
        """The column jobs see (drops helper fields :meth:`decode` added)."""
        ...


class _PlainDecoder:
    def prepare(self, raw: Column) -> Column:
        return F.lit(None)

    def reason(self, raw: Column, decoded: Column, prepared: Column) -> Column:
        return F.lit(None).cast("string")

    def finish(self, decoded: Column) -> Column:
        return decoded


class BinaryDecoder(_PlainDecoder):
    """Keeps the bytes as they are (``binary`` keys)."""

    def decode(self, raw: Column, prepared: Column) -> Column:
        return raw


class StringDecoder(_PlainDecoder):
    """UTF-8 text (``StringSerializer`` keys); invalid UTF-8 becomes replacement characters."""

    def decode(self, raw: Column, prepared: Column) -> Column:
        return raw.cast("string")


def assemble(raw: DataFrame, key: ColumnDecoder, value: ColumnDecoder) -> DataFrame:
    """Build the decoded frame from the raw Kafka frame.

    Three projections: helper columns, then decoded columns, then reasons, so each record's
    header is parsed once and its body decoded once even though several expressions use them
    (see :func:`once`).
    """
    prepared = raw.select(
        "*",
        once(key.prepare(F.col("key"))).alias("__key_prep"),
        once(value.prepare(F.col("value"))).alias("__value_prep"),
    )
    staged = prepared.select(
        "*",
        once(key.decode(F.col("key"), F.col("__key_prep"))).alias("__key_decoded"),
        once(value.decode(F.col("value"), F.col("__value_prep"))).alias("__value_decoded"),
    )
    key_reason = key.reason(F.col("key"), F.col("__key_decoded"), F.col("__key_prep"))
    value_reason = value.reason(F.col("value"), F.col("__value_decoded"), F.col("__value_prep"))
    reason = F.coalesce(
        F.concat(F.lit("value: "), value_reason), F.concat(F.lit("key: "), key_reason)
    )
    stage = (
        F.when(value_reason.isNotNull(), F.lit("VALUE_CONVERTER"))
        .when(key_reason.isNotNull(), F.lit("KEY_CONVERTER"))
        .otherwise(F.lit(None).cast("string"))
    )
    return staged.select(
        key.finish(F.col("__key_decoded")).alias("key"),
        value.finish(F.col("__value_decoded")).alias("value"),
        *METADATA_COLUMNS,
        reason.alias(REASON),
        stage.alias(STAGE),
        F.col("key").alias(RAW_KEY),
        F.col("value").alias(RAW_VALUE),
    )


def once(column: Column) -> Column:
    """``column`` behind an always-true non-deterministic guard, so Spark computes it once.

    Spark's optimizer inlines a projected column into the expressions that use it when it
    thinks that is cheap: pushing the ``reason IS NULL`` filter below the projection, merging
    projections, or turning ``value.*`` of a rebuilt struct into one ``from_avro(...).field``
    per field. For ``from_avro`` that multiplies the decoding work (seen: 3-4 decodes per
    row). The optimizer never inlines or moves non-deterministic expressions, and
    ``spark_partition_id() >= 0`` costs one integer comparison.
    """
    return F.when(F.spark_partition_id() >= 0, column)
