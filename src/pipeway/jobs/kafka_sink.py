"""Writing ready-made ``key``/``value`` (and optional ``headers``) rows with Spark's Kafka sink."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql.streaming import DataStreamWriter

from pipeway.jobs.settings import KafkaSettings


def sink_options(topic: str, kafka: KafkaSettings) -> dict[str, str]:
    """Spark Kafka sink options for ``topic``: the ``kafka.*`` entries of ``kafka.options`` too
    (source-only options such as ``maxOffsetsPerTrigger`` are left out)."""
    client = {k: v for k, v in kafka.options.items() if k.startswith("kafka.")}
    return {"kafka.bootstrap.servers": kafka.bootstrap_servers, **client, "topic": topic}


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
