"""JSON topics with a given schema (DDL) or one inferred from a sample of the topic."""

from __future__ import annotations

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import types as T

from pipeway.jobs.json_decode import infer_json_schema, read_json
from pipeway.jobs.settings import KafkaSettings
from tests.integration.jobs.helpers import produce, rows

pytestmark = pytest.mark.integration

LINES = [
    (b"u1", b'{"id": 1, "city": "Lyon", "score": 1.5}'),
    (b"u2", b'{"id": 2, "city": null, "score": 2}'),
    (b"u3", b'{"city": "Nice"}'),
    (b"u4", b'{"id": 4, "city": '),
    (b"u5", b'{"id": "four", "city": "Metz"}'),
]


def test_json_with_a_given_schema_routes_bad_rows_to_dead_letters(
    spark: SparkSession, kafka: KafkaSettings, unique_topic: str
) -> None:
    produce(kafka.bootstrap_servers, unique_topic, LINES)

    decoded = read_json(
        spark, unique_topic, kafka, "id LONG NOT NULL, city STRING, score DOUBLE", streaming=False
    )

    assert rows(decoded.records(), "key") == [("u1",), ("u2",)]
    assert rows(decoded.values(), "id", "city", "score") == [(1, "Lyon", 1.5), (2, None, 2.0)]
    dead = {r["key"]: r["reason"] for r in decoded.dead_letters().collect()}
    assert dead == {
        b"u3": "value: missing required field(s): id",
        b"u4": "value: malformed JSON, or a field whose type does not match the schema",
        b"u5": "value: malformed JSON, or a field whose type does not match the schema",
    }


def test_json_schema_is_inferred_from_a_sample(
    spark: SparkSession, kafka: KafkaSettings, unique_topic: str
) -> None:
    produce(kafka.bootstrap_servers, unique_topic, LINES[:3])

    schema = infer_json_schema(spark, unique_topic, kafka, sample_size=10)
    decoded = read_json(spark, unique_topic, kafka, streaming=False)

    assert schema == T.StructType(
        [
            T.StructField("city", T.StringType()),
            T.StructField("id", T.LongType()),
            T.StructField("score", T.DoubleType()),
        ]
    )
    assert rows(decoded.values(), "city", "id") == [(None, 2), ("Lyon", 1), ("Nice", None)]
