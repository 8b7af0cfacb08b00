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

Steady-rate latency (``--latency-rate N``, before the rounds): the job runs continuously
through the runner (processing-time trigger ``--trigger``) while switch actions arrive at N/s
with event time following the wall clock, for ``--latency-seconds`` plus watermark delay +
window + 30 s so the measured actions' windows become final. Latency of an action = Kafka
timestamp of the first ``tv.program_minute`` row of its (window, channel) - its produce
time; it includes the watermark delay (120 s) and the rest of its window, since the contract
emits a window only once final. Processing latency = that row's timestamp - the moment the
window became final (the produce time of event time window_end + 120 s).
``--latency-speed S`` runs event time S times as fast as the wall clock at the same rate of
actions: a window becomes final every 60/S s, so a run measures S times as many windows
(processing latency is wall time either way; the produce-to-row latency then shrinks by S).
``--watermark-delay-ms D`` runs the job with that delay (windows final D after they end).

Sustained rate (``--sustain-rates R1,R2``): the job runs continuously while switch actions
arrive at each rate (event time = wall clock) past the watermark delay (until then it only
buffers them), then ``--sustain-seconds`` measured; reports whether it read the last action
within a batch or two, and the rows/s of its batches.

Run: ``.venv/bin/python -m bench.tv_jobs --users 3000 --rounds 3``
(sustained: ``--users 10000 --rounds 0 --sustain-rates 14000,20000 --sustain-seconds 60``)
(latency only: ``--rounds 0 --latency-rate 2000 --trigger "1 second"``)
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from bench.common import percentile, running_platform, save
from bench.produce import create_topic
from pipeway.demo.tv import contract
from pipeway.demo.tv.jobs import TvJobConfig, build_analytics
from pipeway.demo.tv.jobs.encoding import RowEncoders
from pipeway.demo.tv.jobs.events import DEAD, events, shard_keys
from pipeway.demo.tv.jobs.outputs import OutputWriter
from pipeway.demo.tv.jobs.pending import MemoryPending
from pipeway.demo.tv.jobs.processor import output_frame
from pipeway.demo.tv.jobs.rows import OUTPUT_SCHEMA
from pipeway.demo.tv.jobs.shard import ShardState
from pipeway.demo.tv.jobs.validation import validated
from pipeway.demo.tv.scenario import ScenarioConfig, generate, record_key
from pipeway.demo.tv.schemas import key_schema, schema
from pipeway.jobs import KafkaSettings, SparkSettings, get_spark, read_avro
from pipeway.jobs.registry import registry_client
from pipeway.jobs.runner import JobContext, JobSpec
from pipeway.jobs.runner.modes import RunMode
from pipeway.jobs.runner.run import JobRunner, JobRunSettings, run_job
from pipeway.serde.avro_columns import ColumnEncoder
from pipeway.serde.wire_format import encode_header

SHARDS = 2


def produce_records(producer: Producer, registry: SchemaRegistryClient, name: str, topic: str,
                    records: list[dict[str, Any]]) -> None:  # fmt: skip
    """``records`` of contract topic ``name`` to ``topic`` as Confluent Avro, keyed as the
    connectors key them (a Debezium key record for CDC, else the key field as a string)."""
    value = AvroSerializer(registry, json.dumps(schema(name)))
    key = (
        AvroSerializer(registry, json.dumps(key_schema(name)))
        if name == contract.USERS_CDC
        else None
    )
    for record in records:
        k = record_key(name, record)
        kb = key(k, SerializationContext(topic, MessageField.KEY)) if key else str(k).encode()
        producer.produce(
            topic, key=kb, value=value(record, SerializationContext(topic, MessageField.VALUE))
        )
        producer.poll(0)


def produce_scenario(kafka: KafkaSettings, prefix: str, users: int) -> int:
    """Every phase of a seeded day at once; returns the number of valid actions."""
    scenario = generate(ScenarioConfig(seed=1, users=users))
    registry = SchemaRegistryClient({"url": kafka.registry_url})
    producer = Producer({"bootstrap.servers": kafka.bootstrap_servers, "linger.ms": 50})
    for name in contract.INPUT_TOPICS:
        topic = prefix + name
        create_topic(kafka.bootstrap_servers, topic, 1)
        produce_records(producer, registry, name, topic, scenario.records(name))
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
            "batches_excl_planning_s": sum(batches) - sum(planning),
            "batches": len(batches)}  # fmt: skip


def batch_round(kafka: KafkaSettings, inputs: str, outputs: str) -> dict[str, Any]:
    spark = get_spark()
    config = TvJobConfig(topic_prefix=inputs, shards=SHARDS)
    out_config = TvJobConfig(topic_prefix=outputs, shards=SHARDS)
    for name in out_config.outputs.values():
        create_topic(kafka.bootstrap_servers, name, 1)
    registry = registry_client(kafka)
    started = time.monotonic()
    decoded = {
        name: validated(name, read_avro(spark, topic, kafka, registry, streaming=False))
        for name, topic in config.inputs.items()
    }
    stream = events(decoded, shard_keys(spark, SHARDS)).where(f"kind != '{DEAD}'")
    actions = stream.where("kind = 'action'")
    watermark = actions.agg({"ts": "max"}).collect()[0][0] - contract.WATERMARK_DELAY_MS
    encoders = RowEncoders.registered(out_config, registry)
    whole_day = _whole_day(watermark, encoders)
    rows = stream.drop("wm_ts").groupBy("shard").applyInPandas(whole_day, OUTPUT_SCHEMA)
    OutputWriter(out_config, kafka, registry, "bench-batch")(rows, 0)
    return {"wall_s": time.monotonic() - started}


def _whole_day(watermark: int, encoders: RowEncoders) -> Any:
    def run(events_frame: pd.DataFrame) -> pd.DataFrame:
        shard, waiting = ShardState(), MemoryPending()
        shard.apply(events_frame, -(2**62), waiting)
        step = shard.step(watermark, waiting)
        shard_id = int(events_frame["shard"].iloc[0])
        shard.version = 1
        return output_frame(encoders, step, shard, shard_id, [])

    return run


# -- steady-rate latency ------------------------------------------------------------------

LATENCY_START_MS = 6 * 3_600_000
"""event time of the first action: 06:00 of the scenario day (every channel on air)"""


def produce_reference(kafka: KafkaSettings, prefix: str, users: int) -> list[tuple[int, str]]:
    """Schedules, ad breaks and user CDC rows of a seeded day; the (user, device) pairs."""
    scenario = generate(ScenarioConfig(seed=1, users=users))
    registry = SchemaRegistryClient({"url": kafka.registry_url})
    producer = Producer({"bootstrap.servers": kafka.bootstrap_servers, "linger.ms": 50})
    for name in contract.INPUT_TOPICS:
        topic = prefix + name
        create_topic(kafka.bootstrap_servers, topic, 1)
        if name in (contract.ACTIONS, contract.TELEMETRY, contract.WEATHER):
            # no records (actions come later), but the job decodes by the registered schema
            registry.register_schema(f"{topic}-value", Schema(json.dumps(schema(name)), "AVRO"))
            continue
        produce_records(producer, registry, name, topic, scenario.records(name))
    assert producer.flush(60) == 0
    return sorted({(a["user_id"], a["device_id"]) for a in scenario.records(contract.ACTIONS)})


class SteadyActions:
    """Switch actions at a fixed rate whose event time follows the wall clock, ``speed``
    times as fast, so the watermark (max ts - 120 s) advances in real time (or faster).

    The load generator shares the job's two cores, so each 50 ms tick's actions are encoded
    together (:class:`~pipeway.serde.avro_columns.ColumnEncoder`, byte-for-byte fastavro's
    output): fastavro per record in 10 ms ticks took 10.8 µs of CPU an action (0.27 cores
    at 25,000/s, taken from the job being measured), this 4.4 µs."""

    def __init__(self, kafka: KafkaSettings, topic: str, devices: list[tuple[int, str]],
                 day_start_ms: int, speed: float = 1.0) -> None:  # fmt: skip
        registry = SchemaRegistryClient({"url": kafka.registry_url})
        self.topic = topic
        self.users = np.array([user for user, _ in devices], np.int32)
        self.devices = np.array([device for _, device in devices], object)
        self.keys = [str(user).encode() for user, _ in devices]
        avro = schema(contract.ACTIONS)
        schema_id = registry.register_schema(f"{topic}-value", Schema(json.dumps(avro), "AVRO"))
        self._encoder = ColumnEncoder(avro, encode_header(schema_id))
        self.producer = Producer({"bootstrap.servers": kafka.bootstrap_servers, "linger.ms": 5,
                                  "batch.size": 262144})  # fmt: skip
        self.origin_wall_ms = time.time_ns() // 1_000_000
        self.origin_ts = day_start_ms + LATENCY_START_MS
        self.speed = speed
        self.sent: list[tuple[int, int, int]] = []
        """(produce wall ms, event ts, channel_id) of every action"""
        self._rng = np.random.default_rng(7)

    def event_time(self, wall_ms: int) -> int:
        return self.origin_ts + round((wall_ms - self.origin_wall_ms) * self.speed)

    def wall_time(self, ts: int) -> int:
        return self.origin_wall_ms + round((ts - self.origin_ts) / self.speed)

    def run(self, rate: float, seconds: float) -> None:
        """Produce ``rate`` actions/s for ``seconds`` (paced in 50 ms ticks: encoding a
        tick's actions costs ~1.5 ms however few they are)."""
        started = time.monotonic()
        done = 0
        while (elapsed := time.monotonic() - started) < seconds:
            due = int(elapsed * rate)
            if due > done:
                self._tick(due - done)
            done = due
            self.producer.poll(0)
            time.sleep(0.05)
        assert self.producer.flush(60) == 0

    def _tick(self, n: int) -> None:
        """``n`` switches of random devices, now."""
        picked = self._rng.integers(0, len(self.users), n)
        channels = self._rng.integers(1, 13, n).astype(np.int32)
        wall = time.time_ns() // 1_000_000
        ts = self.event_time(wall)
        actions = pa.table({
            "user_id": self.users[picked], "device_id": self.devices[picked],
            "channel_id": channels, "action": np.full(n, contract.SWITCH, np.int32),
            "ts": np.full(n, ts, np.int64),
        })  # fmt: skip
        for index, value in zip(picked.tolist(), self._encoder.encode(actions).to_pylist(),
                                strict=True):  # fmt: skip
            while True:
                try:
                    self.producer.produce(self.topic, key=self.keys[index], value=value,
                                          timestamp=wall)  # fmt: skip
                    break
                except BufferError:  # the local queue is full: let it drain
                    self.producer.poll(0.05)
        self.sent += [(wall, ts, channel) for channel in channels.tolist()]


def _timed_rows(kafka: KafkaSettings, topic: str, timeout_s: float) -> Iterator[tuple[Any, int]]:
    """Every value of ``topic`` (one partition) decoded, with its Kafka timestamp (ms, set
    by the job's writer)."""
    decode = AvroDeserializer(SchemaRegistryClient({"url": kafka.registry_url}))
    consumer = Consumer({"bootstrap.servers": kafka.bootstrap_servers, "group.id": "latency",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})  # fmt: skip
    consumer.assign([TopicPartition(topic, 0, 0)])
    end = consumer.get_watermark_offsets(TopicPartition(topic, 0))[1]
    position = 0
    try:
        deadline = time.monotonic() + timeout_s
        while position < end and time.monotonic() < deadline:
            for msg in consumer.consume(10_000, timeout=5):
                if msg.error():
                    continue
                position = (msg.offset() or 0) + 1
                row = decode(msg.value(), SerializationContext(topic, MessageField.VALUE))
                yield row, msg.timestamp()[1]
    finally:
        consumer.close()


def minute_rows_appeared(kafka: KafkaSettings, topic: str) -> dict[tuple[int, int], int]:
    """(window_start, channel_id) -> when the first tv.program_minute row of that cell
    appeared."""
    first: dict[tuple[int, int], int] = {}
    for row, timestamp in _timed_rows(kafka, topic, 300):
        first.setdefault((_ms(row["window_start"]), row["channel_id"]), timestamp)
    return first


def live_rows_appeared(kafka: KafkaSettings, topic: str) -> dict[tuple[int, int], LiveTimes]:
    """(window_start, channel_id) -> when rows of that cell counting up to each ``as_of``
    first appeared, from a live topic."""
    seen: dict[tuple[int, int], dict[int, int]] = {}
    for row, timestamp in _timed_rows(kafka, topic, 600):
        cell = seen.setdefault((_ms(row["window_start"]), row["channel_id"]), {})
        cell.setdefault(_ms(row["as_of"]), timestamp)
    return {cell: LiveTimes.of(times) for cell, times in seen.items()}


@dataclass
class LiveTimes:
    """A cell's live rows: ``as_of`` ascending, and from each on, the first appearance."""

    as_of: list[int]
    first_from: list[int]

    @classmethod
    def of(cls, appeared: dict[int, int]) -> LiveTimes:
        as_of = sorted(appeared)
        first_from = [appeared[a] for a in as_of]
        for i in range(len(as_of) - 2, -1, -1):
            first_from[i] = min(first_from[i], first_from[i + 1])
        return cls(as_of, first_from)

    def counted(self, ts: int) -> int | None:
        """When a row first counted an action at ``ts`` (``as_of > ts``)."""
        i = bisect.bisect_right(self.as_of, ts)
        return self.first_from[i] if i < len(self.as_of) else None


def _ms(value: Any) -> int:
    return int(value.timestamp() * 1000) if hasattr(value, "timestamp") else int(value)


@dataclass
class LiveJob:
    """The tv-analytics job running continuously on a day's reference data, no actions yet."""

    config: TvJobConfig
    devices: list[tuple[int, str]]
    day_start_ms: int
    runner: JobRunner
    thread: threading.Thread
    query: Any

    def stop(self) -> None:
        self.runner.stop()
        self.thread.join(120)


def start_live_job(kafka: KafkaSettings, data_dir: Path, users: int, prefix: str, name: str,
                   trigger: str, partitions: int = 1, delay_ms: int = contract.WATERMARK_DELAY_MS,
                   live_disorder_ms: int | None = 1_000) -> LiveJob:  # fmt: skip
    """Topics under ``prefix`` (``partitions`` for the actions), the reference data, and the
    job started with ``trigger``, past its first batches."""
    config = TvJobConfig(topic_prefix=prefix, shards=SHARDS, watermark_delay_ms=delay_ms,
                         live=live_disorder_ms is not None,
                         live_disorder_ms=live_disorder_ms or 0)  # fmt: skip
    create_topic(kafka.bootstrap_servers, config.topic(contract.ACTIONS), partitions)
    devices = produce_reference(kafka, prefix, users)
    for topic in config.outputs.values():
        create_topic(kafka.bootstrap_servers, topic, 1)
    day = min(
        s["day"] for s in generate(ScenarioConfig(seed=1, users=users)).records(contract.SCHEDULES)
    )
    settings = JobRunSettings(
        kafka=kafka, mode=RunMode.CONTINUOUS, trigger_interval=trigger, data_dir=data_dir,
        progress_topic=None, spark=SparkSettings(master="local[2]"),
    )  # fmt: skip
    queries: list[Any] = []

    def build(ctx: JobContext) -> None:
        queries.append(build_analytics(ctx, config))

    runner = JobRunner(JobSpec(name, "python", "bench", build), settings)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    while not queries or not queries[0].isActive:
        time.sleep(0.5)
    time.sleep(5)  # first batches (the reference data) and planning out of the way
    return LiveJob(config, devices, day * contract.DAY_MS, runner, thread, queries[0])


def latency_run(kafka: KafkaSettings, data_dir: Path, users: int, rate: float, seconds: float,
                trigger: str, speed: float = 1.0, delay_ms: int = contract.WATERMARK_DELAY_MS,
                live_disorder_ms: int | None = 1_000,
                warmup: float = 0.0) -> dict[str, Any]:  # fmt: skip
    """The job running continuously (``trigger``) while actions arrive at ``rate``/s, their
    event time running ``speed`` times as fast as the wall clock (more windows become final
    in a run; the rate of actions, which makes the load, is the same).

    Actions of ``seconds`` after ``warmup`` seconds are measured (the job's first batch of
    actions starts its operator's Python workers and takes ~15 s; without a warm-up the
    first measured minute is the recovery from that backlog); production then continues at the same
    rate for watermark delay + window (in event time) + 30 s, so their windows become final."""
    live = start_live_job(kafka, data_dir, users, "lat.", "bench-latency", trigger, partitions=2,
                          delay_ms=delay_ms, live_disorder_ms=live_disorder_ms)  # fmt: skip
    config, devices, day_start_ms = live.config, live.devices, live.day_start_ms
    load_before = os.getloadavg()
    actions = SteadyActions(kafka, config.topic(contract.ACTIONS), devices, day_start_ms, speed)
    actions.run(rate, warmup)  # the first batches of actions (Python workers, code paths)
    first = len(actions.sent)
    actions.run(rate, seconds)
    measured = len(actions.sent)
    drain = (delay_ms + contract.WINDOW_MS) / 1000 / speed + 30
    actions.run(rate, drain)
    time.sleep(10)
    load_after = os.getloadavg()
    live.stop()
    appeared = minute_rows_appeared(kafka, config.topic(contract.PROGRAM_MINUTE))
    live_ms: list[float] = []
    live_by_slice: dict[int, list[float]] = {}
    live_missing = 0
    if config.live:
        live_topic = config.topic(contract.LIVE_TOPICS[contract.PROGRAM_MINUTE])
        live_rows = live_rows_appeared(kafka, live_topic)
        for wall, ts, channel_id in actions.sent[first:measured]:
            cell = live_rows.get((ts - ts % contract.WINDOW_MS, channel_id))
            counted = None if cell is None else cell.counted(ts)
            if counted is None:
                live_missing += 1
            else:
                live_ms.append(counted - wall)
                slice_s = (wall - actions.origin_wall_ms) // 15_000 * 15 - int(warmup)
                live_by_slice.setdefault(slice_s, []).append(counted - wall)
    total: list[float] = []
    processing: list[float] = []
    missing = 0
    for wall, ts, channel_id in actions.sent[first:measured]:
        window = ts - ts % contract.WINDOW_MS
        seen = appeared.get((window, channel_id))
        if seen is None:
            missing += 1
            continue
        total.append(seen - wall)
        final_at = actions.wall_time(window + contract.WINDOW_MS + delay_ms)
        processing.append(seen - final_at)
    progress = live.query.recentProgress
    durations = [p["durationMs"].get("triggerExecution", 0) for p in progress]
    windows = sorted({(ts - ts % contract.WINDOW_MS) for _, ts, _ in actions.sent[first:measured]})
    timeline = [_window_timeline(w, actions, appeared, progress, delay_ms) for w in windows]
    return {
        "rate": rate, "seconds": seconds, "warmup_s": warmup, "trigger": trigger, "speed": speed,
        "watermark_delay_ms": delay_ms,
        "measured_actions": measured - first,
        "processing_by_window_s": [w["row_after_final_s"] for w in timeline],
        "missing": missing, "load_before": load_before, "load_after": load_after,
        "total_ms": {"p50": percentile(total, 50), "p99": percentile(total, 99)},
        "processing_ms": {"p50": percentile(processing, 50), "p99": percentile(processing, 99)},
        "live_disorder_ms": live_disorder_ms, "live_missing": live_missing,
        "live_ms": {"p50": percentile(live_ms, 50), "p99": percentile(live_ms, 99),
                    "max": max(live_ms, default=None)} if live_ms else None,
        "live_p50_p99_ms_by_15s": {s: (percentile(v, 50), percentile(v, 99))
                                   for s, v in sorted(live_by_slice.items())},
        "batch_ms_median": statistics.median(durations) if durations else None,
        "batches": len(durations), "windows": timeline,
    }  # fmt: skip


def _window_timeline(window: int, actions: SteadyActions, appeared: dict[tuple[int, int], int],
                     progress: list[Any], delay_ms: int) -> dict[str, Any]:  # fmt: skip
    """When ``window`` became final, when its first row appeared, and the batches between
    (start relative to final, duration, input rows): where a window's latency goes."""
    final_at = actions.wall_time(window + contract.WINDOW_MS + delay_ms)
    seen = min((t for (w, _), t in appeared.items() if w == window), default=None)
    batches = []
    for p in progress:
        start = _epoch_ms(p["timestamp"])
        end = start + p["durationMs"].get("triggerExecution", 0)
        if end >= final_at - 10_000 and (seen is None or start <= seen):
            batches.append({"start_s": (start - final_at) / 1000, "ms": end - start,
                            "rows": p["numInputRows"]})  # fmt: skip
    return {"window_start": window, "row_after_final_s": None if seen is None
            else (seen - final_at) / 1000, "batches": batches}  # fmt: skip


def _epoch_ms(iso: str) -> int:
    """Epoch ms of Spark's progress timestamps (``2026-11-26T06:12:01.123Z``)."""
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def sustain_run(kafka: KafkaSettings, data_dir: Path, users: int, rate: float, seconds: float,
                trigger: str, live_disorder_ms: int | None = 1_000) -> dict[str, Any]:  # fmt: skip
    """The job running continuously (``trigger``) while actions arrive at ``rate``/s with
    event time following the wall clock: first for the watermark delay + 30 s (until then
    the job only buffers actions: nothing is below the watermark yet), then for ``seconds``
    measured, then until the job has read them all. Sustained when the job reads the last
    action within a batch or two, and batches do not grow."""
    prefix = f"sus{int(rate)}."
    live = start_live_job(kafka, data_dir, users, prefix, f"bench-sustain-{int(rate)}", trigger,
                          partitions=2, live_disorder_ms=live_disorder_ms)  # fmt: skip
    config, query = live.config, live.query
    batches: dict[int, dict[str, Any]] = {}
    topic = config.topic(contract.ACTIONS)
    actions = SteadyActions(kafka, topic, live.devices, live.day_start_ms)
    actions.run(rate, contract.WATERMARK_DELAY_MS / 1000 + 30)  # to the steady state
    _collect(query, batches)
    first_measured = max(batches, default=-1) + 1
    load_before = os.getloadavg()
    warm = len(actions.sent)
    started = time.monotonic()
    actions.run(rate, seconds)
    produced_s = time.monotonic() - started
    produced = len(actions.sent) - warm
    deadline = time.monotonic() + max(120.0, seconds)
    while _position(query, topic) - warm < produced and time.monotonic() < deadline:
        time.sleep(0.2)
    done_s = time.monotonic() - started
    _collect(query, batches)
    read = _position(query, topic) - warm
    load_after = os.getloadavg()
    live.stop()
    during = [b for b in batches.values() if b["batchId"] >= first_measured]
    durations = [b["durationMs"]["triggerExecution"] for b in during]
    return {
        "rate": rate, "seconds": seconds, "trigger": trigger, "users": users,
        "produced": produced, "produced_per_s": produced / produced_s, "read": read,
        "all_read": read >= produced, "read_by_s": done_s,
        "behind_after_last_s": done_s - produced_s,
        "achieved_per_s": min(read, produced) / done_s,
        "batch_ms_median": statistics.median(durations) if durations else None,
        "batch_rows_median": statistics.median(b["numInputRows"] for b in during) if during else 0,
        "batch_rows_per_s_median": statistics.median(
            b["numInputRows"] * 1000 / max(b["durationMs"]["triggerExecution"], 1) for b in during
        ) if during else 0,
        "batches": len(during), "load_before": load_before, "load_after": load_after,
        "live_disorder_ms": live_disorder_ms,
    }  # fmt: skip


def _collect(query: Any, batches: dict[int, dict[str, Any]]) -> None:
    """Merge the query's recent progress (Spark keeps the last 100) into ``batches``."""
    for progress in query.recentProgress:
        batches[progress["batchId"]] = progress


def _position(query: Any, topic: str) -> int:
    """Records of ``topic`` (its offsets, summed over partitions) the query has read."""
    progress = query.lastProgress
    if progress is None:
        return 0
    for source in progress["sources"]:
        end = source["endOffset"]
        offsets = json.loads(end) if isinstance(end, str) else end
        if offsets and topic in offsets:
            return sum(int(o) for o in offsets[topic].values())
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--latency-rate",
        type=float,
        default=0.0,
        help="actions/s of the steady-rate latency run (0: no latency run)",
    )
    parser.add_argument("--latency-seconds", type=float, default=60.0)
    parser.add_argument(
        "--latency-warmup",
        type=float,
        default=60.0,
        help="seconds of actions before the measured ones (the job's first batches)",
    )
    parser.add_argument("--trigger", default="1 second", help="latency run's trigger interval")
    parser.add_argument(
        "--latency-speed",
        type=float,
        default=1.0,
        help="event time per wall-clock time in the latency run (4: a window is final every 15 s)",
    )
    parser.add_argument(
        "--watermark-delay-ms",
        type=int,
        default=contract.WATERMARK_DELAY_MS,
        help="the job's watermark_delay_ms in the latency run",
    )
    parser.add_argument(
        "--live-disorder-ms",
        type=int,
        default=1_000,
        help="the job's live_disorder_ms in the latency and sustain runs",
    )
    parser.add_argument(
        "--no-live",
        action="store_true",
        help="latency and sustain runs without the live topics (live=false)",
    )
    parser.add_argument(
        "--sustain-rates",
        default="",
        help="comma-separated actions/s of steady-rate throughput runs (empty: none)",
    )
    parser.add_argument("--sustain-seconds", type=float, default=60.0)
    parser.add_argument("--sustain-trigger", default="1 second")
    args = parser.parse_args()
    live_disorder = None if args.no_live else args.live_disorder_ms
    with running_platform() as platform, tempfile.TemporaryDirectory() as tmp:
        cfg = platform.config
        kafka = KafkaSettings(
            bootstrap_servers=cfg.bootstrap_servers, registry_url=cfg.registry_url
        )
        get_spark(SparkSettings(master="local[2]", shuffle_partitions=2, ui_enabled=False,
                                data_dir=Path(tmp) / "spark"))  # fmt: skip
        for rate in [float(r) for r in args.sustain_rates.split(",") if r.strip()]:
            sustained = sustain_run(kafka, Path(tmp) / f"sustain{int(rate)}", args.users, rate,
                                    args.sustain_seconds, args.sustain_trigger,
                                    live_disorder)  # fmt: skip
            print("sustain", json.dumps(sustained, indent=2))
            save(f"tv_jobs_sustain_{int(rate)}", sustained)
        if args.latency_rate > 0:
            latency = latency_run(
                kafka, Path(tmp) / "latency", args.users, args.latency_rate,
                args.latency_seconds, args.trigger, args.latency_speed, args.watermark_delay_ms,
                live_disorder, args.latency_warmup,
            )  # fmt: skip
            print("latency", json.dumps(latency, indent=2))
            save("tv_jobs_latency", {"users": args.users, **latency})
        if args.rounds == 0:
            return
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
    stream_processing = med(r["batches_excl_planning_s"] for r in results["streaming"])
    batch_wall = med(r["wall_s"] for r in results["batch"])
    same = all(
        s["counts"] == b["counts"]
        for s, b in zip(results["streaming"], results["batch"], strict=True)
    )
    return {
        "streaming_actions_per_s_batches": actions / stream_batches,
        "streaming_actions_per_s_wall": actions / stream_wall,
        "streaming_actions_per_s_excl_planning": actions / stream_processing,
        "batch_actions_per_s": actions / batch_wall,
        "ratio_streaming_batches_to_batch": batch_wall / stream_batches,
        "same_output_counts": same,
    }


if __name__ == "__main__":
    main()
