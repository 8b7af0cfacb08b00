"""Debezium change topics as changelogs, state as of a time, and as-of enrichment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from confluent_kafka.serialization import MessageField, SerializationContext
from pyspark.sql import SparkSession

from pipeway.jobs.cdc import as_of_join, read_changelog, state_as_of
from pipeway.jobs.settings import KafkaSettings
from tests.integration.jobs.helpers import confluent_avro, produce

pytestmark = pytest.mark.integration

ROW = {
    "type": "record",
    "name": "Value",
    "fields": [{"name": "id", "type": "int"}, {"name": "city", "type": "string"}],
}
ENVELOPE = {
    "type": "record",
    "name": "Envelope",
    "namespace": "shop.db.users",
    "fields": [
        {"name": "before", "type": ["null", ROW], "default": None},
        {"name": "after", "type": ["null", "Value"], "default": None},
        {
            "name": "source",
            "type": {
                "type": "record",
                "name": "Source",
                "namespace": "io.debezium.connector.mysql",
                "fields": [{"name": "ts_ms", "type": "long"}, {"name": "db", "type": "string"}],
            },
        },
        {"name": "op", "type": "string"},
        {"name": "ts_ms", "type": ["null", "long"], "default": None},
    ],
}
KEY = {
    "type": "record",
    "name": "Key",
    "namespace": "shop.db.users",
    "fields": [{"name": "id", "type": "int"}],
}


def change(op: str, before: Any, after: Any, source_ms: int, ts_ms: int) -> dict[str, Any]:
    source = {"ts_ms": source_ms, "db": "shop"}
    return {"before": before, "after": after, "source": source, "op": op, "ts_ms": ts_ms}


A, B, TWO = {"id": 1, "city": "A"}, {"id": 1, "city": "B"}, {"id": 2, "city": "Z"}
CHANGES = [
    (1, change("r", None, TWO, 0, 500)),  # snapshot row without source time: ts_ms is used
    (0, change("c", None, A, 1000, 1001)),
    (0, change("u", A, B, 5000, 5001)),
    (0, change("d", B, None, 9000, 9001)),
    (0, None),  # the delete's tombstone
]


def at(ms: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms)


@pytest.fixture
def users_topic(kafka: KafkaSettings, unique_topic: str) -> str:
    url = kafka.registry_url or ""
    keys, values = confluent_avro(url, KEY), confluent_avro(url, ENVELOPE)
    kctx = SerializationContext(unique_topic, MessageField.KEY)
    vctx = SerializationContext(unique_topic, MessageField.VALUE)
    records = [
        (keys({"id": [1, 2][i]}, kctx), None if v is None else values(v, vctx)) for i, v in CHANGES
    ]
    produce(kafka.bootstrap_servers, unique_topic, records)
    return unique_topic


def test_changelog_has_one_row_per_change_with_its_event_time(
    spark: SparkSession, kafka: KafkaSettings, users_topic: str
) -> None:
    changes, decoded = read_changelog(spark, users_topic, kafka, streaming=False)

    got = [
        (r["key"]["id"], r["op"], r["deleted"], r["row"]["city"], r["event_time"])
        for r in changes.orderBy("offset").collect()
    ]
    assert got == [
        (2, "r", False, "Z", at(500)),
        (1, "c", False, "A", at(1000)),
        (1, "u", False, "B", at(5000)),
        (1, "d", True, "B", at(9000)),
    ]
    assert decoded.dead_letters().count() == 0


def test_state_as_of_a_time_and_as_of_join(
    spark: SparkSession, kafka: KafkaSettings, users_topic: str
) -> None:
    changes, _ = read_changelog(spark, users_topic, kafka, streaming=False)

    mid = {r["key"]["id"]: r["row"]["city"] for r in state_as_of(changes, at(6000)).collect()}
    end = {r["key"]["id"]: r["row"]["city"] for r in state_as_of(changes).collect()}
    assert (mid, end) == ({1: "B", 2: "Z"}, {2: "Z"})

    events = spark.createDataFrame(
        [
            (n, user, at(ms))
            for n, (user, ms) in enumerate(
                [(1, 500), (1, 1000), (1, 4999), (1, 6000), (1, 9500), (2, 600), (3, 700)]
            )
        ],
        "n INT, user_id INT, ts TIMESTAMP",
    )
    joined = as_of_join(events, changes, event_key="user_id", event_time="ts", change_key="key.id")

    cities = {r["n"]: r["state"]["city"] if r["state"] else None for r in joined.collect()}
    assert cities == {0: None, 1: "A", 2: "A", 3: "B", 4: None, 5: "Z", 6: None}
    assert joined.columns == ["n", "user_id", "ts", "state"]
