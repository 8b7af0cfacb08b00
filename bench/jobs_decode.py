"""Spark decode of Confluent-Avro topics: pipeway's read_avro next to plain Spark from_avro.

One run, one Spark session (``local[2]``), one private broker and registry. Two topics of
``--records`` records of ``bench.produce``'s 10-field record (~200 bytes):

- ``one-version``: every record written with schema v1;
- ``two-versions``: half with v1, half with v2 (v2 adds a field with a default).

Each measurement is a batch read of a whole topic forced with Spark's ``noop`` sink, in
records per second (median of ``--rounds``):

- ``kafka read``: the raw Kafka source, no decoding (the floor of any decode);
- ``spark from_avro`` (reference): ``from_avro(substring(value, 6), v1)``: Spark's own
  decoder with one fixed schema, no header check, no dead letters (only correct because the
  topic has one version);
- ``pipeway read_avro``: header checks, per-id writer branch into the latest schema, dead
  letter reasons and observed metrics, on both topics; and without the observed metrics
  (``records(observe=False)``) on the one-version topic;
- ``python udf (fastavro)``: the per-row Python alternative (``--udf-records`` records).

Run: ``.venv/bin/python -m bench.jobs_decode --records 500000 --rounds 3``
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

from confluent_kafka import Producer
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.avro.functions import from_avro

from bench.common import running_platform, save
from bench.produce import SCHEMA, create_topic, make_records
from pipeway.jobs import KafkaSettings, SparkSettings, get_spark, read_avro, read_kafka
from pipeway.serde import AvroSerializer, RegistryClient, SerializationContext

V2 = json.dumps(
    {
        **json.loads(SCHEMA),
        "fields": [
            *json.loads(SCHEMA)["fields"],
            {"name": "region", "type": "string", "default": "eu"},
        ],
    }
)


def produce(bootstrap: str, registry: RegistryClient, topic: str, rows: list[Any]) -> None:
    """Write ``rows``: the first half with v1, the rest with v2 when ``topic`` ends in -2v."""
    create_topic(bootstrap, topic, 1)
    v1, v2 = AvroSerializer(registry, SCHEMA), AvroSerializer(registry, V2)
    ctx = SerializationContext(topic, "value")
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, "batch.size": 1 << 20})
    half = len(rows) // 2 if topic.endswith("-2v") else len(rows)
    for i, row in enumerate(rows):
        value = v1(row, ctx) if i < half else v2({**row, "region": "us"}, ctx)
        while True:
            try:
                producer.produce(topic, value=value)
                break
            except BufferError:
                producer.poll(0.1)
    producer.flush(60)


def rates(frames: dict[str, tuple[Callable[[], DataFrame], int]], rounds: int) -> dict[str, float]:
    """Median records/s of forcing each frame with the noop sink.

    Variants take turns within each round (after one warm-up pass each), so JIT warm-up and
    load from other processes spread over all of them instead of favouring the last ones.
    """
    seen: dict[str, list[float]] = {name: [] for name in frames}
    for round_no in range(rounds + 1):
        for name, (frame, records) in frames.items():
            started = time.perf_counter()
            frame().write.format("noop").mode("overwrite").save()
            if round_no:  # round 0 warms up
                seen[name].append(records / (time.perf_counter() - started))
    return {name: statistics.median(values) for name, values in seen.items()}


def python_udf_decode(raw: DataFrame) -> DataFrame:
    """Per-row fastavro decode in a Python UDF (header stripped, writer = reader = v1)."""
    from fastavro import parse_schema, schemaless_reader

    parsed = parse_schema(json.loads(SCHEMA))
    fields = [
        T.StructField(f["name"], _spark_type(f["type"])) for f in json.loads(SCHEMA)["fields"]
    ]

    @F.udf(T.StructType(fields))  # type: ignore[misc]
    def decode(value: bytes) -> Any:
        return schemaless_reader(BytesIO(value[5:]), parsed, None)

    return raw.select(decode("value").alias("value"))


def _spark_type(avro: Any) -> T.DataType:
    if isinstance(avro, dict):
        return T.TimestampType()
    return {
        "long": T.LongType(),
        "int": T.IntegerType(),
        "string": T.StringType(),
        "double": T.DoubleType(),
    }[avro]


def run(records: int, udf_records: int, rounds: int) -> dict[str, Any]:
    rows = make_records(records)
    with running_platform() as platform, tempfile.TemporaryDirectory() as tmp:
        config = platform.config
        kafka = KafkaSettings(
            bootstrap_servers=config.bootstrap_servers, registry_url=config.registry_url
        )
        registry = RegistryClient(config.registry_url)
        one, two, small = "bench-jobs-1v", "bench-jobs-2v", "bench-jobs-udf-1v"
        registry.set_compatibility("BACKWARD")
        for topic, data in ((one, rows), (two, rows), (small, rows[:udf_records])):
            produce(config.bootstrap_servers, registry, topic, data)
        spark = get_spark(SparkSettings(master="local[2]", ui_enabled=False, data_dir=Path(tmp)))
        results = measure(spark, kafka, (one, two, small), records, udf_records, rounds)
    return {"records": records, "udf_records": udf_records, "rounds": rounds, **results}


def measure(
    spark: SparkSession,
    kafka: KafkaSettings,
    topics: tuple[str, str, str],
    records: int,
    udf_records: int,
    rounds: int,
) -> dict[str, float]:
    one, two, small = topics

    def raw(topic: str) -> DataFrame:
        return read_kafka(spark, topic, kafka, streaming=False)

    def plain_from_avro() -> DataFrame:
        payload = F.substring("value", 6, 2**31 - 1)
        return raw(one).select(from_avro(payload, SCHEMA).alias("value")).select("value.*")

    def pipeway(topic: str) -> Callable[[], DataFrame]:
        return lambda: read_avro(spark, topic, kafka, streaming=False, key_format="binary").values()

    return rates(
        {
            "kafka_read": (lambda: raw(one), records),
            "spark_from_avro_reference": (plain_from_avro, records),
            "pipeway_read_avro_one_version": (pipeway(one), records),
            "pipeway_read_avro_two_versions": (pipeway(two), records),
            "pipeway_read_avro_one_version_no_metrics": (
                lambda: (
                    read_avro(spark, one, kafka, streaming=False, key_format="binary")
                    .records(observe=False)
                    .select("value.*")
                ),
                records,
            ),
            "python_udf_fastavro": (
                lambda: python_udf_decode(raw(small)).select("value.*"),
                udf_records,
            ),
        },
        rounds,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=500_000)
    parser.add_argument("--udf-records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    result = run(args.records, args.udf_records, args.rounds)
    reference = result["spark_from_avro_reference"]
    for name, value in result.items():
        if isinstance(value, float):
            print(f"{name:34s} {value:12,.0f} rec/s  ({value / reference:.2f}x reference)")
    print(f"saved {save('jobs_decode', result)}")


if __name__ == "__main__":
    main()
