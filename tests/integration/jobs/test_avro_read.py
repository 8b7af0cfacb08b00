"""Reading Confluent-Avro topics written under several schema versions, with dead letters."""

from __future__ import annotations

from typing import Any

import pytest
from pyspark.sql import SparkSession

from pipeway.jobs.avro_decode import read_avro
from pipeway.jobs.settings import KafkaSettings
from pipeway.serde import RegistryClient
from tests.integration.jobs.helpers import avro_values, confluent_avro, produce, rows

pytestmark = pytest.mark.integration

V1: dict[str, Any] = {
    "type": "record",
    "name": "Action",
    "namespace": "tv",
    "fields": [{"name": "user_id", "type": "long"}, {"name": "kind", "type": "string"}],
}
V2: dict[str, Any] = {
    **V1,
    "fields": [
        *V1["fields"],
        {"name": "channel", "type": ["null", "string"], "default": None},
        {"name": "volume", "type": "int", "default": 10},
    ],
}


def test_records_of_every_version_decode_into_the_latest_schema(
    spark: SparkSession, kafka: KafkaSettings, unique_topic: str
) -> None:
    v1, v2 = (
        confluent_avro(kafka.registry_url or "", V1),
        confluent_avro(kafka.registry_url or "", V2),
    )
    old = avro_values(v1, unique_topic, [{"user_id": 1, "kind": "play"}])
    new = avro_values(
        v2, unique_topic, [{"user_id": 2, "kind": "switch", "channel": "c7", "volume": 3}]
    )
    produce(kafka.bootstrap_servers, unique_topic, [(None, v) for v in old + new])

    decoded = read_avro(spark, unique_topic, kafka, streaming=False)

    values = decoded.values()
    assert values.columns == ["user_id", "kind", "channel", "volume"]
    assert rows(values, "user_id", "kind", "channel", "volume") == [
        (1, "play", None, 10),
        (2, "switch", "c7", 3),
    ]
    assert decoded.dead_letters().count() == 0


def test_bad_records_become_dead_letters_with_their_reason(
    spark: SparkSession, kafka: KafkaSettings, unique_topic: str
) -> None:
    serializer = confluent_avro(kafka.registry_url or "", V1)
    good = avro_values(serializer, unique_topic, [{"user_id": 1, "kind": "play"}])[0]
    unknown_id = b"\x00\x00\x0f\x42\x3f" + good[5:]
    bad_magic = b"\x01" + good[1:]
    truncated = good[:6]
    produce(
        kafka.bootstrap_servers,
        unique_topic,
        [
            (b"k1", good),
            (b"k2", unknown_id),
            (b"k3", bad_magic),
            (b"k4", truncated),
            (b"k5", b"\x00"),
        ],
    )

    decoded = read_avro(spark, unique_topic, kafka, streaming=False)

    assert rows(decoded.values(), "user_id") == [(1,)]
    dead = {r["key"]: r for r in decoded.dead_letters().collect()}
    assert sorted(dead) == [b"k2", b"k3", b"k4", b"k5"]
    assert "unknown schema id 999999" in dead[b"k2"]["reason"]
    assert "magic byte 1 is not 0" in dead[b"k3"]["reason"]
    assert "does not decode as Avro written with schema id" in dead[b"k4"]["reason"]
    assert "shorter than the 5-byte" in dead[b"k5"]["reason"]
    assert dead[b"k4"]["value"] == truncated
    assert {r["stage"] for r in dead.values()} == {"VALUE_CONVERTER"}
    assert all(r["topic"] == unique_topic and r["offset"] >= 1 for r in dead.values())


def test_records_missing_a_required_field_are_dead_letters(
    spark: SparkSession, kafka: KafkaSettings, unique_topic: str
) -> None:
    registry = RegistryClient(kafka.registry_url or "")
    registry.set_compatibility("NONE", f"{unique_topic}-value")
    legacy: dict[str, Any] = {**V1, "fields": [V1["fields"][0]]}  # no "kind"
    old = avro_values(confluent_avro(registry.url, legacy), unique_topic, [{"user_id": 9}])
    new = avro_values(
        confluent_avro(registry.url, V2),
        unique_topic,
        [
            {"user_id": 1, "kind": "play", "channel": None, "volume": 1},
            {"user_id": 2, "kind": "stop", "channel": "c1", "volume": 1},
        ],
    )
    produce(kafka.bootstrap_servers, unique_topic, [(None, v) for v in old + new])

    decoded = read_avro(spark, unique_topic, kafka, streaming=False, required=["channel"])

    assert rows(decoded.values(), "user_id") == [(2,)]
    reasons = sorted(r["reason"] for r in decoded.dead_letters().collect())
    assert len(reasons) == 2
    assert reasons[0].startswith("value: missing required field(s): channel")
    assert reasons[1].startswith("value: missing required field(s): kind (writer schema id")


def test_each_record_is_decoded_once_whatever_the_query_uses(
    spark: SparkSession, kafka: KafkaSettings, unique_topic: str
) -> None:
    """One from_avro per writer version in the plan: the optimizer must not inline it per field."""
    url = kafka.registry_url or ""
    v1 = avro_values(confluent_avro(url, V1), unique_topic, [{"user_id": 1, "kind": "a"}])
    v2 = avro_values(
        confluent_avro(url, V2),
        unique_topic,
        [{"user_id": 2, "kind": "b", "channel": None, "volume": 1}],
    )
    produce(kafka.bootstrap_servers, unique_topic, [(None, v) for v in v1 + v2])
    decoded = read_avro(spark, unique_topic, kafka, streaming=False, required=["kind"])

    for frame in (
        decoded.values(),
        decoded.records(observe=False).select("value.*"),
        decoded.dead_letters(),
    ):
        plan = frame._jdf.queryExecution().executedPlan().toString()
        assert plan.count("from_avro(") == 2, plan
