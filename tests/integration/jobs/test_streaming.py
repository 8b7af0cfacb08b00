"""A streaming job end to end: decode, write Avro, dead letters to the job's DLQ topic."""

from __future__ import annotations

from pathlib import Path

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from pipeway.jobs import KafkaIO
from pipeway.jobs.dead_letters import JOB_HEADER
from pipeway.jobs.settings import KafkaSettings
from pipeway.testing.services import unique_name
from pipeway.testing.waiting import read_topic
from tests.integration.jobs.helpers import avro_values, confluent_avro, produce
from tests.integration.jobs.test_avro_read import V1

pytestmark = pytest.mark.integration


def test_available_now_stream_writes_avro_and_dead_letters(
    spark: SparkSession, kafka: KafkaSettings, unique_topic: str, tmp_path: Path
) -> None:
    source, output = unique_topic, unique_name("out")
    io = KafkaIO(spark, kafka, job=unique_name("counts"))
    serializer = confluent_avro(kafka.registry_url or "", V1)
    actions = [{"user_id": u, "kind": k} for u, k in [(1, "play"), (1, "stop"), (2, "play")]]
    good = avro_values(serializer, source, actions)
    produce(kafka.bootstrap_servers, source, [(None, v) for v in good] + [(b"bad", b"\x07junk")])

    decoded = io.read_avro(source)
    counts = decoded.values().groupBy("user_id").agg(F.count("*").alias("actions"))
    main = (
        io.write_avro_stream(counts, output, key="user_id", checkpoint_location=str(tmp_path / "m"))
        .outputMode("complete")
        .trigger(availableNow=True)
        .start()
    )
    dlq = (
        io.write_dead_letters_stream(decoded, checkpoint_location=str(tmp_path / "d"))
        .trigger(availableNow=True)
        .start()
    )
    main.awaitTermination(120)
    dlq.awaitTermination(120)

    registry = SchemaRegistryClient({"url": kafka.registry_url})
    value = AvroDeserializer(registry)
    ctx = SerializationContext(output, MessageField.VALUE)
    results = {
        (r := value(m.value(), ctx))["user_id"]: r["actions"]
        for m in read_topic(kafka.bootstrap_servers, output, 2)
    }
    assert results == {1: 2, 2: 1}
    observed = [p["observedMetrics"] for p in main.recentProgress if p["observedMetrics"]]
    assert observed[0][f"pipeway.decode.{source}"].asDict() == {"rows": 4, "dead_letters": 1}

    [dead] = read_topic(kafka.bootstrap_servers, io.dead_letter_topic, 1)
    headers = dict(dead.headers() or [])
    assert dead.key() == b"bad" and dead.value() == b"\x07junk"
    assert headers["__connect.errors.topic"] == source.encode()
    assert headers["__connect.errors.offset"] == b"3"
    assert headers["__connect.errors.stage"] == b"VALUE_CONVERTER"
    assert b"magic byte 7 is not 0" in headers["__connect.errors.exception.message"]
    assert headers[JOB_HEADER] == io.job.encode()
    dlq_metrics = [p["observedMetrics"] for p in dlq.recentProgress if p["observedMetrics"]]
    assert dlq_metrics[0]["pipeway.dead_letters"].asDict() == {"count": 1}
