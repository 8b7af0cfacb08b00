"""The output statement on a hand-made batch of operator rows: sums over shards, ranking,
counters, encoded rows and dead letters, as Confluent Avro from the real registry."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import fastavro
import pyarrow as pa
import pytest
from pyspark.sql import SparkSession

from pipeway.demo.tv import contract
from pipeway.demo.tv.jobs.encoding import value_schema
from pipeway.demo.tv.jobs.outputs import OutputQuery
from pipeway.demo.tv.jobs.rows import OUTPUT_SCHEMA, frame, table
from pipeway.demo.tv.jobs.topics import COUNTS, TvJobConfig
from pipeway.jobs.dead_letters import JOB_HEADER, dead_letter_topic
from pipeway.jobs.registry import registry_client
from pipeway.jobs.settings import KafkaSettings
from pipeway.serde import RegistryClient
from pipeway.serde.wire_format import encode_header
from pipeway.testing.services import unique_name

pytestmark = pytest.mark.integration

W = 1_767_250_800_000  # a window start (2026-01-01 07:00 UTC)
AS_OF = W + 90_001  # live cells: the next window, counted up to here
JOB = "tv-outputs-test"


@pytest.fixture(scope="module")
def messages(spark: SparkSession, kafka_bootstrap: str, registry_url: str) -> dict[str, Any]:
    return _messages(spark, kafka_bootstrap, registry_url, live=True)


def _messages(spark: SparkSession, bootstrap: str, registry_url: str, live: bool) -> dict[str, Any]:
    kafka = KafkaSettings(bootstrap_servers=bootstrap, registry_url=registry_url)
    config = TvJobConfig(topic_prefix=unique_name("out") + ".", live=live)
    query = OutputQuery.build(config, registry_client(kafka), JOB)
    shards = [pa.Table.from_pandas(frame(_rows(s), s), preserve_index=False) for s in (0, 1)]
    rows = pa.concat_tables(shards).combine_chunks()
    batch = spark.createDataFrame(rows, OUTPUT_SCHEMA).persist()
    try:
        rows = query.messages(batch).collect()
    finally:
        batch.unpersist()
    by_topic: dict[str, list[Any]] = {}
    for row in rows:
        by_topic.setdefault(row["topic"].removeprefix(config.topic_prefix), []).append(row)
    return {"query": query, "by_topic": by_topic, "registry": registry_client(kafka)}


def _rows(shard: int) -> list[Any]:
    """Shard ``shard``'s part of the batch: users are disjoint across shards."""
    programs = range(12)
    return [
        table("session", {"avro_key": [f"k{shard}".encode()], "avro_value": [b"v"]}),
        table("program_cell", {
            "window_start": [W], "channel_id": [1], "program_id": [10],
            "title": ["News" if shard else None], "age_band": ["25-34"], "gender": ["F"],
            "city_id": [None], "viewers": [2 + shard], "view_ms": [1000 - 500 * shard],
        }),
        table("program_cell", {  # a live cell of the next window
            "window_start": [W + 60_000], "as_of": [AS_OF], "channel_id": [1], "program_id": [10],
            "title": ["News"], "age_band": ["25-34"], "gender": ["F"], "city_id": [None],
            "viewers": [1], "view_ms": [400 + shard],
        }),
        table("ad_cell", {
            "window_start": [W], "ad_id": ["ad-7"], "age_band": [None], "gender": ["X"],
            "city_id": [5], "viewers": [1], "view_ms": [250],
        }),
        # program p has 2p viewers in all (p per shard); programs 10 and 11 tie on viewers
        # with 9 and on view_ms with each other, so channel and program break the tie
        table("program_total", {
            "window_start": [W] * 12, "channel_id": [1 + p % 3 for p in programs],
            "program_id": list(programs), "title": [f"P{p}" for p in programs],
            "viewers": [min(p, 9) for p in programs],
            "view_ms": [100 * min(p, 10) for p in programs],
        }),
        table("count", {
            "name": ["late_actions"] * 2, "version": [1, 2], "value": [3 + shard, 5 + shard],
        }),
        table("dead_letter", {
            "offset": [17], "dl_topic": ["tv.actions"], "dl_partition": [0], "dl_key": [b"1"],
            "dl_value": [b"\x07junk"],
            "dl_headers": [json.dumps([{"key": "trace", "value": None}])],
            "dl_reason": ["magic byte 7 is not 0"], "dl_stage": ["VALUE_CONVERTER"],
        }) if shard == 0 else table("dead_letter", {"offset": []}),
    ]  # fmt: skip


def _decode(registry: RegistryClient, name: str, message: bytes) -> dict[str, Any]:
    """A Confluent-wire value, read with the schema its id names in the registry (which
    must be the output's)."""
    schema_id = int.from_bytes(message[1:5], "big")
    assert message[:5] == encode_header(schema_id)
    written = json.loads(registry.get_schema(schema_id).schema_str)
    assert written["name"] == value_schema(name)["name"]
    return fastavro.schemaless_reader(io.BytesIO(message[5:]), fastavro.parse_schema(written))


def test_every_parameter_of_the_statement_is_bound(messages: dict[str, Any]) -> None:
    query: OutputQuery = messages["query"]
    markers = set(re.findall(r"(?<![\w:]):([a-z_0-9]+)", query.text))
    assert markers == set(query.args)


def test_minute_cells_are_summed_over_shards(messages: dict[str, Any]) -> None:
    [minute] = messages["by_topic"][contract.PROGRAM_MINUTE]
    value = _value(messages, contract.PROGRAM_MINUTE, minute)
    assert (value["viewers"], value["view_ms"], value["seconds"]) == (5, 1500, 1.5)
    assert value["title"] == "News" and value["city_id"] is None
    assert _ms(value["window_end"]) - _ms(value["window_start"]) == contract.WINDOW_MS
    [ad] = messages["by_topic"][contract.AD_MINUTE]
    assert _value(messages, contract.AD_MINUTE, ad)["viewers"] == 2


def test_top_programs_rank_the_summed_totals(messages: dict[str, Any]) -> None:
    rows = [
        _value(messages, contract.TOP_PROGRAMS, m)
        for m in messages["by_topic"][contract.TOP_PROGRAMS]
    ]
    ranked = [(r["rank"], r["program_id"]) for r in sorted(rows, key=lambda r: r["rank"])]
    # 9, 10, 11 have 18 viewers; 10 and 11 2000 ms, 9 1800 ms; 10 is on channel 2, 11 on 3
    assert ranked == list(enumerate([10, 11, 9, 8, 7, 6, 5, 4, 3, 2], start=1))
    assert len(rows) == contract.TOP_N


def test_live_topic_gets_live_cells_summed_and_the_final_ones(messages: dict[str, Any]) -> None:
    """Live cells (with ``as_of``) go to the live topic only; final cells to both topics,
    marked final in the live one."""
    name = contract.LIVE_TOPICS[contract.PROGRAM_MINUTE]
    rows = sorted(
        (_value(messages, name, m) for m in messages["by_topic"][name]),
        key=lambda r: _ms(r["window_start"]),
    )
    final, live = rows
    assert (final["final"], _ms(final["as_of"]), final["viewers"]) == (True, W + 60_000, 5)
    assert (live["final"], _ms(live["as_of"]), live["viewers"], live["view_ms"]) == (
        False, AS_OF, 2, 801,
    )  # fmt: skip
    assert len(messages["by_topic"][contract.PROGRAM_MINUTE]) == 1  # the final cell only
    ads = messages["by_topic"][contract.LIVE_TOPICS[contract.AD_MINUTE]]
    assert [_value(messages, contract.AD_MINUTE + "_live", m)["final"] for m in ads] == [True]


def test_without_live_no_live_topic_is_written(
    spark: SparkSession, kafka_bootstrap: str, registry_url: str
) -> None:
    by_topic = _messages(spark, kafka_bootstrap, registry_url, live=False)["by_topic"]
    assert not set(by_topic) & set(contract.LIVE_TOPICS.values())
    assert len(by_topic[contract.PROGRAM_MINUTE]) == 1  # the final cell, not the live one


def test_counters_keep_each_shards_last_save(messages: dict[str, Any]) -> None:
    values = [_value(messages, COUNTS, m) for m in messages["by_topic"][COUNTS]]
    assert sorted((v["shard"], v["name"], v["value"]) for v in values) == [
        (0, "late_actions", 5),
        (1, "late_actions", 6),
    ]


def test_encoded_rows_and_dead_letters_pass_through(messages: dict[str, Any]) -> None:
    sessions = messages["by_topic"][contract.SESSIONS]
    assert sorted(bytes(m["key"]) for m in sessions) == [b"k0", b"k1"]
    assert all(m["headers"] is None for m in sessions)
    [dead] = messages["by_topic"][dead_letter_topic(JOB)]
    headers = {h["key"]: h["value"] for h in dead["headers"]}
    assert (bytes(dead["key"]), bytes(dead["value"])) == (b"1", b"\x07junk")
    assert "trace" in headers and headers[JOB_HEADER] == JOB.encode()
    assert headers["__connect.errors.offset"] == b"17"
    assert headers["__connect.errors.exception.message"] == b"magic byte 7 is not 0"


def _value(messages: dict[str, Any], name: str, message: Any) -> dict[str, Any]:
    return _decode(messages["registry"], name, bytes(message["value"]))


def _ms(value: Any) -> int:
    return int(value.timestamp() * 1000) if hasattr(value, "timestamp") else int(value)
