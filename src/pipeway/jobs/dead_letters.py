"""Writing a job's dead letters to its dead letter topic, Kafka Connect style.

Each dead letter keeps the original key and value bytes and headers, plus Kafka Connect's
``__connect.errors.*`` context headers (topic, partition, offset, stage, exception message),
so tools built for Connect DLQs (and pipeway's own connector DLQs) read job DLQs the same way.
The writes are observed as ``pipeway.dead_letters`` metrics (``count``) in query progress.
"""

from __future__ import annotations

import re

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.streaming import DataStreamWriter

from pipeway.jobs.decoded import DecodedTopic
from pipeway.jobs.kafka_sink import kafka_batch_write, kafka_stream_writer
from pipeway.jobs.settings import KafkaSettings

HEADER_PREFIX = "__connect.errors."
JOB_HEADER = "__pipeway.errors.job.name"
METRICS_NAME = "pipeway.dead_letters"
EXCEPTION_CLASS = "pipeway.jobs.DecodeError"
HEADERS_TYPE = "array<struct<key:string,value:binary>>"
"""Spark's type of a Kafka record's headers"""


def dead_letter_topic(job: str) -> str:
    """The conventional dead letter topic of ``job``: ``pipeway-jobs-dlq.<job>``."""
    return "pipeway-jobs-dlq." + re.sub(r"[^A-Za-z0-9._-]", "_", job)


def dead_letter_messages(
    dead: DecodedTopic | DataFrame, job: str, observe: bool = True
) -> DataFrame:
    """Kafka messages (``key``, ``value``, ``headers``) for the dead letters of a decode.

    Args:
        dead: a :class:`DecodedTopic` or its :meth:`~DecodedTopic.dead_letters` frame.
        job: the job's name, written in the ``__pipeway.errors.job.name`` header.
        observe: count the dead letters as the ``pipeway.dead_letters`` observed metric
            (``count``); off where the query counts them itself (a ``foreachBatch`` frame's
            metrics do not reach the streaming query's progress).
    """
    frame = dead.dead_letters() if isinstance(dead, DecodedTopic) else dead
    context = [
        _header("topic", F.col("topic")),
        _header("partition", F.col("partition").cast("string")),
        _header("offset", F.col("offset").cast("string")),
        _header("stage", F.col("stage")),
        _header("class.name", F.lit("pipeway.jobs")),
        _header("exception.class.name", F.lit(EXCEPTION_CLASS)),
        _header("exception.message", F.col("reason")),
        F.struct(F.lit(JOB_HEADER).alias("key"), F.lit(job).cast("binary").alias("value")),
    ]
    original = F.coalesce(F.col("headers"), F.array().cast(HEADERS_TYPE))
    headers = F.concat(original, F.array(*context))
    if observe:
        frame = frame.observe(METRICS_NAME, F.count(F.lit(1)).alias("count"))
    return frame.select("key", "value", headers.alias("headers"))


def write_dead_letters_batch(
    dead: DecodedTopic | DataFrame, job: str, kafka: KafkaSettings, topic: str | None = None
) -> None:
    """Write the dead letters of a batch decode to ``topic`` (default :func:`dead_letter_topic`)."""
    kafka_batch_write(dead_letter_messages(dead, job), topic or dead_letter_topic(job), kafka)


def write_dead_letters_stream(
    dead: DecodedTopic | DataFrame,
    job: str,
    kafka: KafkaSettings,
    topic: str | None = None,
    checkpoint_location: str | None = None,
    query_name: str | None = None,
) -> DataStreamWriter:
    """A not-yet-started query writing a stream's dead letters to the job's DLQ topic."""
    messages = dead_letter_messages(dead, job)
    target = topic or dead_letter_topic(job)
    return kafka_stream_writer(messages, target, kafka, checkpoint_location, query_name)


def _header(name: str, value: Column) -> Column:
    return F.struct(F.lit(HEADER_PREFIX + name).alias("key"), value.cast("binary").alias("value"))
