"""Produce throughput: Kafka's ProducerPerformance next to pipeway's Avro produce path.

Both send 1,000,000 records of about 200 bytes with acks=all to the same broker and the same
producer settings (batch size, linger, compression), once at Kafka's defaults and once at a
tuned setting. pipeway's path is the real one: each record is a Python dict encoded as Avro in
Confluent wire format (schema registered in pipeway's registry) by ``pipeway.serde``, then
produced with confluent-kafka. The records are then consumed back and decoded.

Run: ``.venv/bin/python -m bench.produce --records 1000000``
"""

from __future__ import annotations

import argparse
import random
import re
import string
import subprocess
import time
from dataclasses import dataclass

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

from bench.common import running_platform, save
from pipeway.kafka.topics import ensure_topic
from pipeway.platform import artifacts
from pipeway.platform.prereqs import java_executable
from pipeway.serde import AvroDeserializer, AvroSerializer, RegistryClient, SerializationContext

SCHEMA = """{
  "type": "record", "name": "ViewerEvent", "namespace": "pipeway.bench",
  "fields": [
    {"name": "user_id", "type": "long"},
    {"name": "device_id", "type": "string"},
    {"name": "channel_id", "type": "int"},
    {"name": "action", "type": "int"},
    {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "session_id", "type": "string"},
    {"name": "city", "type": "string"},
    {"name": "app_version", "type": "string"},
    {"name": "signal_dbm", "type": "double"},
    {"name": "note", "type": "string"}
  ]
}"""


@dataclass(frozen=True)
class Setting:
    """Producer settings applied identically to both clients."""

    name: str
    batch_size: int
    linger_ms: int
    compression: str

    def java_props(self) -> list[str]:
        return [
            f"batch.size={self.batch_size}",
            f"linger.ms={self.linger_ms}",
            f"compression.type={self.compression}",
        ]

    def librdkafka(self) -> dict[str, object]:
        return {
            "batch.size": self.batch_size,
            "linger.ms": self.linger_ms,
            "compression.type": self.compression,
        }


# Kafka 4 producer defaults (batch.size 16 KiB, linger.ms 5, no compression); the tuned
# batching of ../shared/jvm-notes.md; and the same with lz4, as a production producer runs.
SETTINGS = (
    Setting("kafka-defaults", 16384, 5, "none"),
    Setting("tuned", 1048576, 20, "none"),
    Setting("tuned-lz4", 1048576, 20, "lz4"),
)


def make_records(count: int, seed: int = 11) -> list[dict[str, object]]:
    """Distinct records that encode to about 200 bytes each."""
    rng = random.Random(seed)
    letters = string.ascii_letters + string.digits
    now = int(time.time() * 1000)
    return [
        {
            "user_id": rng.randint(1, 5_000_000),
            "device_id": f"dev-{rng.randint(1, 10**9):010d}",
            "channel_id": rng.randint(1, 400),
            "action": rng.randint(1, 3),
            "ts": now + i,
            "session_id": "".join(rng.choices(letters, k=36)),
            "city": rng.choice(("Lisbon", "Oslo", "Madrid", "Lyon", "Turin")),
            "app_version": f"{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)}",
            "signal_dbm": -rng.random() * 100,
            "note": "".join(rng.choices(letters, k=105)),
        }
        for i in range(count)
    ]


def create_topic(bootstrap: str, topic: str, partitions: int) -> None:
    ensure_topic(AdminClient({"bootstrap.servers": bootstrap}), topic, partitions)


def run_java(bootstrap: str, topic: str, records: int, setting: Setting) -> float:
    """Records/s reported by Kafka's own ProducerPerformance."""
    cmd = [
        str(java_executable()),
        "-Xmx1G",
        "-cp",
        artifacts.classpath("kafka"),
        "org.apache.kafka.tools.ProducerPerformance",
        "--topic",
        topic,
        "--num-records",
        str(records),
        "--record-size",
        "200",
        "--throughput",
        "-1",
        "--producer-props",
        f"bootstrap.servers={bootstrap}",
        "acks=all",
        *setting.java_props(),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    final = [line for line in out.splitlines() if f"{records} records sent" in line][-1]
    match = re.search(r"([\d.]+) records/sec", final)
    if not match:
        raise RuntimeError(f"unexpected ProducerPerformance output: {final}")
    return float(match.group(1))


def run_pipeway(
    bootstrap: str,
    registry_url: str,
    topic: str,
    rows: list[dict[str, object]],
    total: int,
    setting: Setting,
) -> tuple[float, int]:
    """Records/s of serde Avro encoding + confluent-kafka produce, acks=all, until all acked."""
    serialize = AvroSerializer(RegistryClient(registry_url), SCHEMA)
    ctx = SerializationContext(topic, "value")
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "acks": "all",
            "enable.idempotence": True,
            "queue.buffering.max.messages": 2_000_000,
            "queue.buffering.max.kbytes": 2_097_151,
            **setting.librdkafka(),
        }
    )
    produce, poll, n_rows = producer.produce, producer.poll, len(rows)
    size = len(serialize(rows[0], ctx))
    started = time.perf_counter()
    for i in range(total):
        value = serialize(rows[i % n_rows], ctx)
        try:
            produce(topic, value)
        except BufferError:
            poll(0.05)
            produce(topic, value)
        if i & 0x3FFF == 0:
            poll(0)
    if producer.flush(120):
        raise RuntimeError("pipeway producer did not deliver every record in 120 s")
    return total / (time.perf_counter() - started), size


def run_java_consumer(bootstrap: str, topic: str, records: int) -> float:
    """Records/s reported by Kafka's own ConsumerPerformance (no decoding: raw bytes)."""
    cmd = [
        str(java_executable()),
        "-Xmx1G",
        "-cp",
        artifacts.classpath("kafka"),
        "org.apache.kafka.tools.ConsumerPerformance",
        "--bootstrap-server",
        bootstrap,
        "--topic",
        topic,
        "--num-records",
        str(records),
        "--group",
        f"bench-java-{topic}",
        "--hide-header",
        "--timeout",
        "60000",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    row = [line for line in out.splitlines() if line.count(",") >= 5][-1].split(",")
    return float(row[5])


def consume_decode(bootstrap: str, registry_url: str, topic: str, total: int) -> float:
    """Records/s to consume ``topic`` from the start and decode every value."""
    deserialize = AvroDeserializer(RegistryClient(registry_url))
    ctx = SerializationContext(topic, "value")
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"bench-{topic}",
            "enable.auto.commit": False,
            "fetch.max.bytes": 52428800,
        }
    )
    consumer.assign([TopicPartition(topic, 0, 0)])
    seen = 0
    started = time.perf_counter()
    while seen < total:
        for msg in consumer.consume(10000, timeout=1.0):
            if msg.error() and msg.error().code() != KafkaError._PARTITION_EOF:
                raise RuntimeError(str(msg.error()))
            deserialize(msg.value(), ctx)
            seen += 1
    rate = total / (time.perf_counter() - started)
    consumer.close()
    return rate


def median_of(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def bench_setting(
    bootstrap: str,
    registry: str,
    rows: list[dict[str, object]],
    setting: Setting,
    records: int,
    rounds: int,
) -> dict[str, object]:
    """Alternate Java and pipeway producers ``rounds`` times, then consume the last topics."""
    java_rates, py_rates, size = [], [], 0
    for r in range(rounds):
        jt, pt = f"bench-java-{setting.name}-{r}", f"bench-pw-{setting.name}-{r}"
        create_topic(bootstrap, jt, 1)
        create_topic(bootstrap, pt, 1)
        java_rates.append(run_java(bootstrap, jt, records, setting))
        rate, size = run_pipeway(bootstrap, registry, pt, rows, records, setting)
        py_rates.append(rate)
    java_consume = run_java_consumer(bootstrap, jt, records)
    py_consume = consume_decode(bootstrap, registry, pt, records)
    result = {
        "setting": setting.__dict__,
        "java_rec_s": java_rates,
        "pipeway_rec_s": py_rates,
        "avro_value_bytes": size,
        "ratio": median_of(py_rates) / median_of(java_rates),
        "java_consume_rec_s": java_consume,
        "pipeway_consume_decode_rec_s": py_consume,
        "consume_ratio": py_consume / java_consume,
    }
    print(
        f"{setting.name}: java={median_of(java_rates):,.0f}/s pipeway={median_of(py_rates):,.0f}/s"
        f" ratio={result['ratio']:.2f} | consume java={java_consume:,.0f}/s"
        f" pipeway+decode={py_consume:,.0f}/s ratio={result['consume_ratio']:.2f}"
        f" | value={size} B"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3, help="Alternating rounds per setting.")
    args = parser.parse_args()
    rows = make_records(min(args.records, 100_000))
    with running_platform() as platform:
        bootstrap, registry = platform.config.bootstrap_servers, platform.config.registry_url
        results = {
            s.name: bench_setting(bootstrap, registry, rows, s, args.records, args.rounds)
            for s in SETTINGS
        }
    save("produce", {"records": args.records, "results": results})


if __name__ == "__main__":
    main()
