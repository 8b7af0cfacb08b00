"""Writing ready-made ``key``/``value`` (and optional ``headers``) rows with Spark's Kafka sink."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql.streaming import DataStreamWriter

from pipeway.jobs.settings import KafkaSettings

PRODUCER_DEFAULTS = {"kafka.batch.size": "1048576", "kafka.linger.ms": "20"}
"""Larger producer batches than Kafka's defaults (16 KiB, 5 ms): Spark flushes the producer
at the end of every task anyway, and fewer, fuller requests cost the broker (often on the
same cores) less; the TV job writes about two rows per input action."""


def sink_options(topic: str, kafka: KafkaSettings) -> dict[str, str]:
    """Spark Kafka sink options for ``topic``: :data:`PRODUCER_DEFAULTS`, overridden by the
    ``kafka.*`` entries of ``kafka.options`` (source-only options such as
    ``maxOffsetsPerTrigger`` are left out)."""
    client = {k: v for k, v in kafka.options.items() if k.startswith("kafka.")}
    return {**PRODUCER_DEFAULTS, "kafka.bootstrap.servers": kafka.bootstrap_servers, **client,
            "topic": topic}  # fmt: skip


def kafka_batch_write(frame: DataFrame, topic: str, kafka: KafkaSettings) -> None:
    """Write a batch frame of ``key``/``value`` bytes to ``topic`` now."""
    frame.write.format("kafka").options(**sink_options(topic, kafka)).save()


def kafka_stream_writer(
    frame: DataFrame,
    topic: str,
    kafka: KafkaSettings,
    checkpoint_location: str | None = None,
    query_name: str | None = None,
) -> DataStreamWriter:
    """A not-yet-started writer of a streaming frame to ``topic``.

    Without ``checkpoint_location`` the query checkpoints under the session's
    ``spark.sql.streaming.checkpointLocation`` in a folder named after ``query_name``.
    """
    writer = frame.writeStream.format("kafka").options(**sink_options(topic, kafka))
    if checkpoint_location:
        writer = writer.option("checkpointLocation", checkpoint_location)
    if query_name:
        writer = writer.queryName(query_name)
    return writer
