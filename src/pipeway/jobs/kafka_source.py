"""Reading topics as raw Spark DataFrames (binary key/value plus Kafka metadata)."""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import DataFrame, SparkSession

from pipeway.jobs.settings import KafkaSettings

METADATA_COLUMNS = ("topic", "partition", "offset", "timestamp", "timestampType", "headers")
"""Kafka columns every decoded frame keeps next to ``key`` and ``value``."""


def read_kafka(
    spark: SparkSession,
    topic: str,
    kafka: KafkaSettings,
    *,
    streaming: bool = True,
    starting_offsets: str = "earliest",
    ending_offsets: str = "latest",
    options: Mapping[str, str] | None = None,
) -> DataFrame:
    """``topic`` as Spark's Kafka source gives it: ``key``/``value`` bytes and metadata.

    Args:
        streaming: a streaming DataFrame (``readStream``) or a batch one (``read``).
        starting_offsets: ``earliest``, ``latest`` or Spark's per-partition JSON.
        ending_offsets: batch only: ``latest`` or per-partition JSON.
        options: more Spark Kafka options, over ``kafka.options``.
    """
    merged = {
        "kafka.bootstrap.servers": kafka.bootstrap_servers,
        "subscribe": topic,
        "startingOffsets": starting_offsets,
        "includeHeaders": "true",
        **kafka.options,
        **(options or {}),
    }
    if streaming:
        return spark.readStream.format("kafka").options(**merged).load()
    merged.setdefault("endingOffsets", ending_offsets)
    return spark.read.format("kafka").options(**merged).load()
