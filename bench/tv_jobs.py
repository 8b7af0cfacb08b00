"""The tv-analytics job: actions/s through sessions + attribution, streaming next to batch.

One run, one Spark session (``local[2]``), one private broker and registry. A seeded
scenario (``--users`` users, one day) is produced to the input topics, then per round:

- ``streaming``: the tv-analytics job (``RunMode.ONCE``: one ``availableNow`` data batch and
  its no-data batch, fresh checkpoint) to fresh output topics; actions/s = valid actions /
  the two batches' ``triggerExecution`` (query start and planning are reported apart);
- ``batch`` (reference, the engine's floor for the same computation): the same topics read
  as batch DataFrames, the same events, ``groupBy("shard").applyInPandas`` running the same
  shard code to the final watermark, and the same output writer; actions/s = valid actions /
  wall time of that job.

Both produce the same rows (checked by row counts per output topic).

Run: ``.venv/bin/python -m bench.tv_jobs --users 3000 --rounds 3``
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from bench.common import running_platform, save
from bench.produce import create_topic
from pipeway.demo.tv import contract
from pipeway.demo.tv.jobs import TvJobConfig, build_analytics
from pipeway.demo.tv.jobs.events import events
from pipeway.demo.tv.jobs.outputs import OutputWriter
from pipeway.demo.tv.jobs.processor import OUTPUT_SCHEMA, frame
from pipeway.demo.tv.jobs.shard import ShardState
from pipeway.demo.tv.jobs.validation import validated
from pipeway.demo.tv.scenario import ScenarioConfig, generate, record_key
from pipeway.demo.tv.schemas import key_schema, schema
from pipeway.jobs import KafkaSettings, SparkSettings, get_spark, read_avro
from pipeway.jobs.registry import registry_client
from pipeway.jobs.runner import JobContext, JobSpec
from pipeway.jobs.runner.modes import RunMode
from pipeway.jobs.runner.run import JobRunSettings, run_job

SHARDS = 2


def produce_scenario(kafka: KafkaSettings, prefix: str, users: int) -> int:
    """Every phase of a seeded day at once; returns the number of valid actions."""
    scenario = generate(ScenarioConfig(seed=1, users=users))
    registry = SchemaRegistryClient({"url": kafka.registry_url})
    producer = Producer({"bootstrap.servers": kafka.bootstrap_servers, "linger.ms": 50})
    for name in contract.INPUT_TOPICS:
        topic = prefix + name
        create_topic(kafka.bootstrap_servers, topic, 1)
        value = AvroSerializer(registry, json.dumps(schema(name)))
        key = (
            AvroSerializer(registry, json.dumps(key_schema(name)))
            if name == contract.USERS_CDC
            else None
        )
        for record in scenario.records(name):
            k = record_key(name, record)
            kb = key(k, SerializationContext(topic, MessageField.KEY)) if key else str(k).encode()
            vb = value(record, SerializationContext(topic, MessageField.VALUE))
            producer.produce(topic, key=kb, value=vb)
            producer.poll(0)
    assert producer.flush(60) == 0
    return sum(r["action"] in contract.ACTION_CODES for r in scenario.records(contract.ACTIONS))


def output_counts(kafka: KafkaSettings, config: TvJobConfig) -> dict[str, int]:
    consumer = Consumer({"bootstrap.servers": kafka.bootstrap_servers, "group.id": "bench"})
    try:
        return {
            name: consumer.get_watermark_offsets(TopicPartition(config.topic(name), 0))[1]
            for name in contract.OUTPUT_TOPICS
        }
    finally:
        consumer.close()


def streaming_round(
    kafka: KafkaSettings, inputs: str, outputs: str, data_dir: Path
) -> dict[str, Any]:
    config = TvJobConfig(topic_prefix=inputs, output_prefix=outputs, shards=SHARDS)
    for topic in config.outputs.values():
        create_topic(kafka.bootstrap_servers, topic, 1)
    progress: list[dict[str, Any]] = []

    def build(ctx: JobContext) -> None:
        query = build_analytics(ctx, config)
        progress.append({"query": query})

    settings = JobRunSettings(
        kafka=kafka, mode=RunMode.ONCE, data_dir=data_dir, progress_topic=None,
        spark=SparkSettings(master="local[2]"),
    )  # fmt: skip
    started = time.monotonic()
    run_job(JobSpec(f"bench-{outputs.strip('.')}", "python", "bench", build), settings)
    wall = time.monotonic() - started
    query = progress[0]["query"]
    batches = [p["durationMs"]["triggerExecution"] / 1000 for p in query.recentProgress]
    planning = [p["durationMs"].get("queryPlanning", 0) / 1000 for p in query.recentProgress]
    return {"wall_s": wall, "batches_s": sum(batches), "planning_s": sum(planning),
            "batches": len(batches)}  # fmt: skip


def batch_round(kafka: KafkaSettings, inputs: str, outputs: str) -> dict[str, Any]:
    spark = get_spark()
    config = TvJobConfig(topic_prefix=inputs, shards=SHARDS)
    out_config = TvJobConfig(topic_prefix=outputs, shards=SHARDS)
    for name in out_config.outputs.values():
        create_topic(kafka.bootstrap_servers, name, 1)
    registry = registry_client(kafka)
    started = time.monotonic()
    records = {
        name: validated(name, read_avro(spark, topic, kafka, registry, streaming=False)).records()
        for name, topic in config.inputs.items()
    }
    stream = events(records, SHARDS)
    actions = stream.where("kind = 'action'")
    watermark = actions.agg({"ts": "max"}).collect()[0][0] - contract.WATERMARK_DELAY_MS
    rows = stream.drop("wm_ts").groupBy("shard").applyInPandas(_whole_day(watermark), OUTPUT_SCHEMA)
    OutputWriter(out_config, kafka, registry)(rows, 0)
    return {"wall_s": time.monotonic() - started}


def _whole_day(watermark: int) -> Any:
    def run(events_frame: pd.DataFrame) -> pd.DataFrame:
        shard = ShardState()
        shard.apply(events_frame, -(2**62))
        step = shard.step(watermark)
        shard_id = int(events_frame["shard"].iloc[0])
        counts = [{**r, "version": 1} for r in shard.count_rows()]
        return frame([*step.rows, *counts], step.cells, shard_id)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with running_platform() as platform, tempfile.TemporaryDirectory() as tmp:
        cfg = platform.config
        kafka = KafkaSettings(
            bootstrap_servers=cfg.bootstrap_servers, registry_url=cfg.registry_url
        )
        get_spark(SparkSettings(master="local[2]", shuffle_partitions=2, ui_enabled=False,
                                data_dir=Path(tmp) / "spark"))  # fmt: skip
        started = time.monotonic()
        actions = produce_scenario(kafka, "in.", args.users)
        print(
            f"produced the scenario ({actions} valid actions) in {time.monotonic() - started:.1f} s"
        )
        results: dict[str, list[dict[str, Any]]] = {"streaming": [], "batch": []}
        for r in range(args.rounds):
            s = streaming_round(kafka, "in.", f"s{r}.", Path(tmp) / f"data{r}")
            b = batch_round(kafka, "in.", f"b{r}.")
            for kind, res in (("streaming", s), ("batch", b)):
                res["counts"] = output_counts(kafka, TvJobConfig(topic_prefix=f"{kind[0]}{r}."))
                results[kind].append(res)
                print(kind, r, json.dumps(res))
        summary = _summary(actions, results)
        print(json.dumps(summary, indent=2))
        save("tv_jobs", {"users": args.users, "actions": actions, "rounds": results, **summary})


def _summary(actions: int, results: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    med = statistics.median
    stream_batches = med(r["batches_s"] for r in results["streaming"])
    stream_wall = med(r["wall_s"] for r in results["streaming"])
    batch_wall = med(r["wall_s"] for r in results["batch"])
    same = all(
        s["counts"] == b["counts"]
        for s, b in zip(results["streaming"], results["batch"], strict=True)
    )
    return {
        "streaming_actions_per_s_batches": actions / stream_batches,
        "streaming_actions_per_s_wall": actions / stream_wall,
        "batch_actions_per_s": actions / batch_wall,
        "ratio_streaming_batches_to_batch": batch_wall / stream_batches,
        "same_output_counts": same,
    }


if __name__ == "__main__":
    main()
