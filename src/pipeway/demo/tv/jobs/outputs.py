"""Writing one micro-batch of the operator's rows to the output topics (``foreachBatch``).

Sessions and views arrive encoded by the operator (:mod:`.encoding`); the shards' partial
minute cells are summed (their users are disjoint, so distinct viewers add up) and top
programs ranked here, which works because every shard finalizes a window in the same batch
(the watermark is global). Values are Confluent Avro with the contract's schemas
(``schemas/<topic>.avsc``), keys an Avro record of the row key, so a batch replayed after a
crash rewrites the same keyed rows.
Dead letters the operator passed through go to the job's dead letter topic in the same
Kafka write, with Kafka Connect's error headers (:mod:`pipeway.jobs.dead_letters`).
"""

from __future__ import annotations

import json
from functools import reduce

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.avro.functions import to_avro

from pipeway.demo.tv import contract
from pipeway.demo.tv.jobs.encoding import ENCODED_KINDS, ROW_KEYS, key_schema, register
from pipeway.demo.tv.jobs.encoding import value_schema as value_schema_of
from pipeway.demo.tv.jobs.topics import COUNTS, TvJobConfig
from pipeway.jobs.dead_letters import HEADERS_TYPE, dead_letter_messages, dead_letter_topic
from pipeway.jobs.kafka_sink import sink_options
from pipeway.jobs.settings import KafkaSettings
from pipeway.serde import RegistryClient
from pipeway.serde.wire_format import encode_header


def _seconds(ms: str) -> Column:
    return F.col(ms).cast("double") / 1000.0


def _window(frame: DataFrame) -> DataFrame:
    return frame.withColumn("window_end", F.col("window_start") + contract.WINDOW_MS)


def encoded(batch: DataFrame, topics: dict[str, str]) -> DataFrame:
    """Rows the operator encoded itself (:mod:`.encoding`) as Kafka messages to the topic of
    their kind (``topics``: kind -> topic), read from the batch in one pass (a pass per
    kind scanned every cached row once more)."""
    rows = batch.where(F.col("kind").isin(*topics))
    first, *others = topics
    topic = F.when(F.col("kind") == first, F.lit(topics[first]))
    for kind in others:
        topic = topic.when(F.col("kind") == kind, F.lit(topics[kind]))
    return rows.select(
        topic.alias("topic"),
        F.col("avro_key").alias("key"),
        F.col("avro_value").alias("value"),
        F.lit(None).cast(HEADERS_TYPE).alias("headers"),
    )


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
            topics = {kind: self.config.topic(name) for kind, name in ENCODED_KINDS.items()}
            aggregates = [self._encoded(frame, name) for name, frame in self.frames(batch).items()]
            dead = dead_letters(batch, self.job, dead_letter_topic(self.job))
            messages = reduce(DataFrame.unionByName, [encoded(batch, topics), *aggregates, dead])
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
        """The outputs Spark computes and encodes (sessions and views come encoded)."""
        totals = aggregated(batch)
        return {
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
        value_id, key_id = register(self.registry, topic, name)  # cached by the client
        value_schema = value_schema_of(name)
        value_text = json.dumps(value_schema)
        key_text = json.dumps(key_schema(value_schema, ROW_KEYS[name]))
        value = F.struct(*[F.col(f["name"]) for f in value_schema["fields"]])
        key = F.struct(*[F.col(f) for f in ROW_KEYS[name]])
        return frame.select(
            F.lit(topic).alias("topic"),
            F.concat(F.lit(encode_header(key_id)), to_avro(key, key_text)).alias("key"),
            F.concat(F.lit(encode_header(value_id)), to_avro(value, value_text)).alias("value"),
            F.lit(None).cast(HEADERS_TYPE).alias("headers"),
        )
