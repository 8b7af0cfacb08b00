"""The TV analytics as one Spark Structured Streaming job (docs/jobs/tv-analytics.md).

``build(ctx)`` starts two queries: ``analytics`` (the six input topics as one event stream,
a ``transformWithStateInPandas`` operator per user shard, ``foreachBatch`` writing the six
output topics and a counts topic) and ``dead-letters`` (undecodable or invalid input records
to the job's dead letter topic with their reason). Run it with
``pipeway jobs run tv-analytics --until-idle``.
"""

from __future__ import annotations

from functools import reduce

from pyspark.sql import DataFrame
from pyspark.sql.streaming import StreamingQuery

from pipeway.demo.tv.jobs.events import events, shard_keys
from pipeway.demo.tv.jobs.outputs import OutputWriter
from pipeway.demo.tv.jobs.processor import OUTPUT_SCHEMA, TvAnalyticsProcessor
from pipeway.demo.tv.jobs.topics import TvJobConfig
from pipeway.demo.tv.jobs.validation import validated
from pipeway.jobs.dead_letters import write_dead_letters_stream
from pipeway.jobs.runner.context import JobContext

__all__ = ["JOB_NAME", "TvJobConfig", "build", "build_analytics"]

JOB_NAME = "tv-analytics"
ROCKSDB = "org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider"
STATE_STORE = "spark.sql.streaming.stateStore.providerClass"


def build(ctx: JobContext) -> None:
    """The registered job: the contract's topic names, default shards."""
    build_analytics(ctx, TvJobConfig())


def build_analytics(ctx: JobContext, config: TvJobConfig) -> StreamingQuery:
    """Start the job's queries on ``ctx``; returns the analytics query."""
    # transformWithState keeps its state in RocksDB only
    ctx.spark.conf.set(STATE_STORE, ROCKSDB)
    decoded = {name: validated(name, ctx.decoded(topic)) for name, topic in config.inputs.items()}
    dead = reduce(DataFrame.unionByName, [d.dead_letters() for d in decoded.values()])
    ctx.start(write_dead_letters_stream(dead, ctx.name, ctx.kafka), "dead-letters", "append")
    keys = shard_keys(ctx.spark, config.shards)
    stream = events({name: d.records() for name, d in decoded.items()}, keys)
    rows = stream.groupBy("shard").transformWithStateInPandas(
        statefulProcessor=TvAnalyticsProcessor(),
        outputStructType=OUTPUT_SCHEMA,
        outputMode="Append",
        timeMode="EventTime",
    )
    writer = rows.writeStream.foreachBatch(OutputWriter(config, ctx.kafka, ctx.registry))
    return ctx.start(writer, "analytics", "append")
