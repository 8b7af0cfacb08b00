"""Writing one micro-batch of the operator's rows to the output topics (``foreachBatch``).

Sessions and views go out as they are; the shards' partial minute cells are summed (their
users are disjoint, so distinct viewers add up) and top programs ranked here, which works
because every shard finalizes a window in the same batch (the watermark is global). Values
are Confluent Avro with the contract's schemas (``schemas/<topic>.avsc``), keys an Avro
record of the row key, so a batch replayed after a crash rewrites the same keyed rows.
Dead letters the operator passed through go to the job's dead letter topic in the same
Kafka write, with Kafka Connect's error headers (:mod:`pipeway.jobs.dead_letters`).
"""

from __future__ import annotations

import json
from functools import cached_property, reduce
from typing import Any

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.avro.functions import to_avro

from pipeway.demo.tv import contract
from pipeway.demo.tv.jobs.topics import COUNTS, TvJobConfig
from pipeway.demo.tv.schemas import schema
from pipeway.jobs.dead_letters import HEADERS_TYPE, dead_letter_messages, dead_letter_topic
from pipeway.jobs.kafka_sink import sink_options
from pipeway.jobs.registry import subject_for
from pipeway.jobs.settings import KafkaSettings
from pipeway.serde import RegistryClient
from pipeway.serde.wire_format import encode_header

ROW_KEYS: dict[str, tuple[str, ...]] = {
    contract.SESSIONS: ("user_id", "device_id", "start_ts"),
    contract.SHOW_VIEWS: ("user_id", "device_id", "session_start_ts", "show_start_ts"),
    contract.AD_VIEWS: ("user_id", "device_id", "session_start_ts", "break_start_ts"),
    contract.PROGRAM_MINUTE: (
        "window_start", "channel_id", "program_id", "age_band", "gender", "city_id",
    ),
    contract.AD_MINUTE: ("window_start", "ad_id", "age_band", "gender", "city_id"),
    contract.TOP_PROGRAMS: ("window_start", "rank"),
    COUNTS: ("shard", "name"),
}  # fmt: skip
"""The Kafka key of each output: the contract's row key (docs/jobs/tv-analytics.md)."""

COUNTS_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "AnalyticsCount",
    "namespace": "pipeway.demo.tv",
    "doc": "A counter of one shard of the tv-analytics job; sum the shards' last values.",
    "fields": [
        {"name": "shard", "type": "int"},
        {"name": "name", "type": "string"},
        {"name": "value", "type": "long"},
    ],
}


def _seconds(ms: str) -> Column:
    return F.col(ms).cast("double") / 1000.0


def _window(frame: DataFrame) -> DataFrame:
    return frame.withColumn("window_end", F.col("window_start") + contract.WINDOW_MS)


def sessions(batch: DataFrame) -> DataFrame:
    rows = batch.where(F.col("kind") == "session")
    return rows.withColumns(
        {
            "duration_ms": F.col("end_ts") - F.col("start_ts"),
            "seconds": (F.col("end_ts") - F.col("start_ts")).cast("double") / 1000.0,
            "standby": F.col("end_reason") == contract.END_STANDBY,
        }
    )


def views(batch: DataFrame, kind: str) -> DataFrame:
    return batch.where(F.col("kind") == kind).withColumn("seconds", _seconds("view_ms"))


AGGREGATE_KEY = ("kind", "shard", "name", "window_start", "channel_id", "program_id", "ad_id",
                 "age_band", "gender", "city_id")  # fmt: skip
"""One grouping for every aggregated kind: a kind leaves the others' columns null."""


def aggregated(batch: DataFrame) -> DataFrame:
    """The shards' partial cells and program totals summed per window and group, and each
    shard's counters as of its last save in the batch, in one shuffle (a shuffle per
    output was a Spark stage each, most of a small batch's time)."""
    rows = batch.where(F.col("kind").isin("program_cell", "program_total", "ad_cell", "count"))
    rows = rows.withColumn("shard", F.when(F.col("kind") == "count", F.col("shard")))
    return rows.groupBy(*AGGREGATE_KEY).agg(
        F.first("title", ignorenulls=True).alias("title"),
        F.sum("viewers").alias("viewers"),
        F.sum("view_ms").alias("view_ms"),
        F.max_by("value", "version").alias("value"),
    )


def summed(totals: DataFrame, kind: str, group: list[str]) -> DataFrame:
    """The summed cells of ``kind`` (from :func:`aggregated`) per window and group."""
    cells = totals.where(F.col("kind") == kind)
    columns = cells.select("window_start", *group, "title", "viewers", "view_ms")
    return _window(columns).withColumn("seconds", _seconds("view_ms"))


def top_programs(totals: DataFrame) -> DataFrame:
    programs = summed(totals, "program_total", ["channel_id", "program_id"])
    order = Window.partitionBy("window_start").orderBy(
        F.desc("viewers"), F.desc("view_ms"), "channel_id", "program_id"
    )
    ranked = programs.withColumn("rank", F.row_number().over(order))
    return ranked.where(F.col("rank") <= contract.TOP_N)


def counts(totals: DataFrame) -> DataFrame:
    """Each shard's counters as of its last save in the batch."""
    return totals.where(F.col("kind") == "count").select("shard", "name", "value")


def dead_letters(batch: DataFrame, job: str, topic: str) -> DataFrame:
    """The batch's dead letters as Kafka messages (``topic``, ``key``, ``value``,
    ``headers``): the original bytes and headers plus Kafka Connect's error headers."""
    rows = batch.where(F.col("kind") == "dead_letter").select(
        F.col("dl_key").alias("key"),
        F.col("dl_value").alias("value"),
        F.col("dl_topic").alias("topic"),
        F.col("dl_partition").alias("partition"),
        F.col("offset"),
        F.from_json("dl_headers", HEADERS_TYPE).alias("headers"),
        F.col("dl_reason").alias("reason"),
        F.col("dl_stage").alias("stage"),
    )
    messages = dead_letter_messages(rows, job, observe=False)
    return messages.select(F.lit(topic).alias("topic"), "key", "value", "headers")


class OutputWriter:
    """The ``foreachBatch`` function of the analytics query (runs on the driver)."""

    def __init__(
        self, config: TvJobConfig, kafka: KafkaSettings, registry: RegistryClient, job: str
    ) -> None:
        self.config = config
        self.kafka = kafka
        self.registry = registry
        self.job = job

    def __call__(self, batch: DataFrame, batch_id: int) -> None:
        # every output below reads the batch: run the stateful operator once, into the cache
        batch = batch.persist()
        try:
            batch.count()
            encoded = [self._encoded(frame, name) for name, frame in self.frames(batch).items()]
            dead = dead_letters(batch, self.job, dead_letter_topic(self.job))
            messages = reduce(DataFrame.unionByName, [*encoded, dead])
            # one task per core rather than per output and partition (8 times partitions
            # tasks): each task pays a start and a producer flush, most of a small batch
            messages = messages.coalesce(batch.sparkSession.sparkContext.defaultParallelism)
            # one Spark job for all topics: the sink takes each row's topic column
            options = {k: v for k, v in sink_options("", self.kafka).items() if k != "topic"}
            messages.write.format("kafka").options(**options).save()
        finally:
            batch.unpersist()

    @staticmethod
    def frames(batch: DataFrame) -> dict[str, DataFrame]:
        totals = aggregated(batch)
        return {
            contract.SESSIONS: sessions(batch),
            contract.SHOW_VIEWS: views(batch, "show_view"),
            contract.AD_VIEWS: views(batch, "ad_view"),
            contract.PROGRAM_MINUTE: summed(
                totals,
                "program_cell",
                ["channel_id", "program_id", "age_band", "gender", "city_id"],
            ),
            contract.AD_MINUTE: summed(
                totals, "ad_cell", ["ad_id", "age_band", "gender", "city_id"]
            ),
            contract.TOP_PROGRAMS: top_programs(totals),
            COUNTS: counts(totals),
        }

    def _encoded(self, frame: DataFrame, name: str) -> DataFrame:
        topic = self.config.topic(name)
        value_schema, key_schema = self._schemas[name]
        fields = [f["name"] for f in value_schema["fields"]]
        value_text, key_text = json.dumps(value_schema), json.dumps(key_schema)
        value_id = self.registry.register(subject_for(topic, "value"), value_text)
        key_id = self.registry.register(subject_for(topic, "key"), key_text)
        value = F.struct(*[F.col(f) for f in fields])
        key = F.struct(*[F.col(f) for f in ROW_KEYS[name]])
        return frame.select(
            F.lit(topic).alias("topic"),
            F.concat(F.lit(encode_header(key_id)), to_avro(key, key_text)).alias("key"),
            F.concat(F.lit(encode_header(value_id)), to_avro(value, value_text)).alias("value"),
            F.lit(None).cast(HEADERS_TYPE).alias("headers"),
        )

    @cached_property
    def _schemas(self) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
        out = {}
        for name in ROW_KEYS:
            value_schema = COUNTS_SCHEMA if name == COUNTS else schema(name)
            out[name] = (value_schema, key_schema(value_schema, ROW_KEYS[name]))
        return out


def key_schema(value_schema: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The key record: the row key's fields as the value schema types them."""
    by_name = {f["name"]: f for f in value_schema["fields"]}
    fields = [{k: v for k, v in by_name[n].items() if k != "doc"} for n in names]
    return {
        "type": "record",
        "name": value_schema["name"] + "Key",
        "namespace": value_schema.get("namespace", "pipeway.demo.tv"),
        "fields": fields,
    }
