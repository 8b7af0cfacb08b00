"""Dead letter headers as a SQL expression, the form SQL-built writers use."""

from __future__ import annotations

import pytest
from pyspark.sql import SparkSession

from pipeway.jobs.dead_letters import (
    HEADERS_TYPE,
    JOB_HEADER,
    dead_letter_headers_sql,
    dead_letter_messages,
)

pytestmark = pytest.mark.integration

ROW = (
    "SELECT CAST('k' AS BINARY) AS key, CAST('v' AS BINARY) AS value, 'in' AS topic,"
    " 3 AS partition, CAST(17 AS BIGINT) AS offset, 'VALUE_CONVERTER' AS stage,"
    " 'bad \\'byte\\'' AS reason"
)


@pytest.mark.parametrize("job", ["tv-analytics", "it's a \\ job", "quote ' and \\' both"])
def test_headers_keep_the_original_ones_and_add_the_context(spark: SparkSession, job: str) -> None:
    original = "array(named_struct('key', 'trace', 'value', CAST('t1' AS BINARY)))"
    frame = spark.sql(f"{ROW}, {original} AS headers")
    [row] = frame.selectExpr(f"{dead_letter_headers_sql(job)} AS headers").collect()
    headers = [(h["key"], bytes(h["value"])) for h in row["headers"]]
    assert headers == [
        ("trace", b"t1"),
        ("__connect.errors.topic", b"in"),
        ("__connect.errors.partition", b"3"),
        ("__connect.errors.offset", b"17"),
        ("__connect.errors.stage", b"VALUE_CONVERTER"),
        ("__connect.errors.class.name", b"pipeway.jobs"),
        ("__connect.errors.exception.class.name", b"pipeway.jobs.DecodeError"),
        ("__connect.errors.exception.message", b"bad 'byte'"),
        (JOB_HEADER, job.encode()),
    ]


def test_messages_without_original_headers_get_the_context_only(spark: SparkSession) -> None:
    frame = spark.sql(f"{ROW}, CAST(NULL AS {HEADERS_TYPE}) AS headers")
    [row] = dead_letter_messages(frame, "j", observe=False).collect()
    keys = [h["key"] for h in row["headers"]]
    assert keys[0] == "__connect.errors.topic" and keys[-1] == JOB_HEADER and len(keys) == 8
    assert (bytes(row["key"]), bytes(row["value"])) == (b"k", b"v")
