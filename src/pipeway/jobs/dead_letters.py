"""Writing a job's dead letters to its dead letter topic, Kafka Connect style.

Each dead letter keeps the original key and value bytes and headers, plus Kafka Connect's
``__connect.errors.*`` context headers (topic, partition, offset, stage, exception message),
so tools built for Connect DLQs (and pipeway's own connector DLQs) read job DLQs the same way.
The writes are observed as ``pipeway.dead_letters`` metrics (``count``) in query progress.
"""

from __future__ import annotations

import re

from pyspark.sql import DataFrame
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
    headers = F.expr(dead_letter_headers_sql(job))
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


def dead_letter_headers_sql(job: str) -> str:
    """The SQL expression of a dead letter's headers over the columns of a dead letters
    frame (``headers``, ``topic``, ``partition``, ``offset``, ``stage``, ``reason``): the
    original headers, then Connect's error context and the job's name."""
    context = [
        _header("topic", "topic"),
        _header("partition", "CAST(`partition` AS STRING)"),
        _header("offset", "CAST(`offset` AS STRING)"),
        _header("stage", "stage"),
        _header("class.name", _sql_string("pipeway.jobs")),
        _header("exception.class.name", _sql_string(EXCEPTION_CLASS)),
        _header("exception.message", "reason"),
        _struct(JOB_HEADER, _sql_string(job)),
    ]
    original = f"coalesce(headers, CAST(array() AS {HEADERS_TYPE}))"
    return f"concat({original}, array({', '.join(context)}))"


def _header(name: str, value: str) -> str:
    return _struct(HEADER_PREFIX + name, value)


def _struct(key: str, value: str) -> str:
    """A header: ``key`` and the bytes of the SQL expression ``value``."""
    return f"named_struct('key', {_sql_string(key)}, 'value', CAST({value} AS BINARY))"


def _sql_string(text: str) -> str:
    """``text`` as a Spark SQL string literal (backslash escapes, Spark's default)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
