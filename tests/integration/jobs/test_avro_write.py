"""Writing Avro with registered schemas; confluent-kafka reads it, and jobs read connectors'."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext
from pyspark.sql import SparkSession
from pyspark.sql import types as T

from pipeway.jobs.avro_decode import read_avro
from pipeway.jobs.avro_encode import write_avro_batch
from pipeway.jobs.settings import KafkaSettings
from pipeway.serde import AvroSerializer, RegistryClient
from pipeway.serde import SerializationContext as PipewayContext
from pipeway.testing.waiting import read_topic
from tests.integration.jobs.helpers import produce, rows

pytestmark = pytest.mark.integration

SCHEMA = T.StructType(
    [
        T.StructField("user_id", T.LongType(), False),
        T.StructField("name", T.StringType(), True),
        T.StructField("at", T.TimestampType(), True),
        T.StructField("day", T.DateType(), True),
        T.StructField("amount", T.DecimalType(10, 2), True),
        T.StructField("tags", T.ArrayType(T.StringType(), False), True),
        T.StructField(
            "device",
            T.StructType(
                [T.StructField("id", T.StringType(), False), T.StructField("lat", T.DoubleType())]
            ),
            True,
        ),
    ]
)
AT = dt.datetime(2026, 11, 25, 12, 30, 15, 123000, tzinfo=dt.UTC)
ROWS = [
    (1, "ann", AT, dt.date(2026, 11, 25), Decimal("12.50"), ["a", "b"], ("d1", 48.1)),
    (2, None, None, None, None, None, None),
]


def test_written_avro_is_registered_and_read_by_confluent_kafka(
    spark: SparkSession, kafka: KafkaSettings, unique_topic: str
) -> None:
    df = spark.createDataFrame(ROWS, SCHEMA)

    encoded = write_avro_batch(df, unique_topic, kafka, key="user_id")

    confluent = SchemaRegistryClient({"url": kafka.registry_url})
    registered = confluent.get_latest_version(f"{unique_topic}-value")
    assert registered.schema_id == encoded.value_schema_id
    schema = json.loads(registered.schema.schema_str)
    assert (schema["type"], schema["name"]) == ("record", "Value")
    assert schema["namespace"] == unique_topic.replace("-", "_")
    key_schema = confluent.get_latest_version(f"{unique_topic}-key").schema.schema_str
    assert json.loads(key_schema) == "long"

    values, keys = AvroDeserializer(confluent), AvroDeserializer(confluent)
    got: dict[int, dict[str, Any]] = {}
    for msg in read_topic(kafka.bootstrap_servers, unique_topic, 2):
        key = keys(msg.key(), SerializationContext(unique_topic, MessageField.KEY))
        got[key] = values(msg.value(), SerializationContext(unique_topic, MessageField.VALUE))
    assert got[1] == {
        "user_id": 1,
        "name": "ann",
        "at": AT,
        "day": dt.date(2026, 11, 25),
        "amount": Decimal("12.50"),
        "tags": ["a", "b"],
        "device": {"id": "d1", "lat": 48.1},
    }
    assert got[2] == {
        "user_id": 2,
        "name": None,
        "at": None,
        "day": None,
        "amount": None,
        "tags": None,
        "device": None,
    }


def test_written_avro_reads_back_into_the_same_rows(
    spark: SparkSession, kafka: KafkaSettings, unique_topic: str
) -> None:
    write_avro_batch(spark.createDataFrame(ROWS, SCHEMA), unique_topic, kafka, key="user_id")

    decoded = read_avro(spark, unique_topic, kafka, streaming=False)

    assert rows(decoded.records(), "key") == [(1,), (2,)]
    back = decoded.values().orderBy("user_id").collect()
    assert [tuple(r) for r in back] == [
        (
            1,
            "ann",
            AT.replace(tzinfo=None),
            dt.date(2026, 11, 25),
            Decimal("12.50"),
            ["a", "b"],
            T.Row(id="d1", lat=48.1),
        ),
        (2, None, None, None, None, None, None),
    ]


def test_jobs_read_what_the_pipeway_serde_serializer_writes(
    spark: SparkSession, kafka: KafkaSettings, unique_topic: str
) -> None:
    schema = {
        "type": "record",
        "name": "Reading",
        "namespace": "sensors",
        "fields": [{"name": "id", "type": "string"}, {"name": "celsius", "type": "double"}],
    }
    serialize = AvroSerializer(RegistryClient(kafka.registry_url or ""), json.dumps(schema))
    ctx = PipewayContext(unique_topic, "value")
    values = [serialize({"id": f"s{i}", "celsius": i / 2}, ctx) for i in range(3)]
    produce(kafka.bootstrap_servers, unique_topic, [(b"k", v) for v in values])

    decoded = read_avro(spark, unique_topic, kafka, streaming=False, key_format="string")

    assert rows(decoded.records(), "key") == [("k",)] * 3
    assert rows(decoded.values(), "id", "celsius") == [("s0", 0.0), ("s1", 0.5), ("s2", 1.0)]
