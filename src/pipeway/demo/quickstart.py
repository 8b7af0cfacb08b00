"""The quickstart demo: TV viewer actions produced as Avro through the registry and read back.

This is the seed of the digital TV demo: the same ``tv.actions`` record shape, produced with
pipeway's serde (Confluent wire format, schema registered under ``<topic>-value``) and
consumed back with decoding, so a run shows every piece of the foundation working together.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient
from pydantic import BaseModel

from pipeway.errors import PipewayError
from pipeway.kafka.topics import ensure_topic
from pipeway.serde import AvroDeserializer, AvroSerializer, RegistryClient, SerializationContext

ACTION_SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Action",
        "namespace": "pipeway.demo.tv",
        "doc": "A viewer action on a device: start (1), stop (2) or switch (3) of channel.",
        "fields": [
            {"name": "user_id", "type": "int"},
            {"name": "device_id", "type": "string"},
            {"name": "channel_id", "type": "int"},
            {"name": "action", "type": "int"},
            {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        ],
    }
)
ACTION_NAMES = {1: "start", 2: "stop", 3: "switch"}
Tick = Callable[[int], None]
PARTITIONS = 3
# librdkafka's own log lines (e.g. a retry while the broker loads a coordinator) go through
# Python logging instead of stderr, so the demo output stays readable.
CLIENT_LOG = logging.getLogger("pipeway.demo.librdkafka")


class DemoError(PipewayError):
    """The demo could not produce or read back its records."""


class ProduceSummary(BaseModel):
    topic: str
    start_offsets: dict[int, int]
    subject: str
    schema_id: int
    records: int
    seconds: float


class ConsumeSummary(BaseModel):
    records: int
    seconds: float
    by_action: dict[str, int]
    by_channel: dict[int, int]
    distinct_users: int


def generate_actions(count: int, seed: int = 7) -> Iterator[dict[str, object]]:
    """Reproducible viewer actions over 200 users and 12 channels, a second apart."""
    rng = random.Random(seed)
    start_ms = int(time.time() * 1000) - count * 1000
    for i in range(count):
        user = rng.randint(1, 200)
        yield {
            "user_id": user,
            "device_id": f"dev-{user}-{rng.randint(1, 3)}",
            "channel_id": rng.randint(1, 12),
            "action": rng.choices((1, 2, 3), weights=(3, 2, 5))[0],
            "ts": start_ms + i * 1000,
        }


def produce_actions(
    bootstrap: str, registry_url: str, topic: str, count: int, tick: Tick | None = None
) -> ProduceSummary:
    """Produce ``count`` actions as Confluent-wire Avro (acks=all, idempotent)."""
    start_offsets = prepare_topic(bootstrap, topic)
    registry = RegistryClient(registry_url)
    serialize = AvroSerializer(registry, ACTION_SCHEMA)
    ctx = SerializationContext(topic, "value")
    producer = Producer(
        {
            "logger": CLIENT_LOG,
            "bootstrap.servers": bootstrap,
            "acks": "all",
            "enable.idempotence": True,
            "linger.ms": 20,
        }
    )
    started = time.monotonic()
    for n, action in enumerate(generate_actions(count), 1):
        producer.produce(topic, key=str(action["user_id"]).encode(), value=serialize(action, ctx))
        if n % 1000 == 0:
            producer.poll(0)
            if tick:
                tick(1000)
    if producer.flush(30) != 0:
        raise DemoError(f"records to {topic} were still undelivered after 30 s")
    subject = f"{topic}-value"
    return ProduceSummary(
        topic=topic,
        start_offsets=start_offsets,
        subject=subject,
        schema_id=registry.get_latest(subject).id,
        records=count,
        seconds=time.monotonic() - started,
    )


def prepare_topic(bootstrap: str, topic: str) -> dict[int, int]:
    """Create ``topic`` if needed; return each partition's end offset before this run."""
    ensure_topic(AdminClient({"bootstrap.servers": bootstrap}), topic, PARTITIONS)
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "pipeway-demo-offsets"})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        return {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), 10)[1] for p in partitions
        }
    finally:
        consumer.close()


def consume_actions(
    bootstrap: str,
    registry_url: str,
    topic: str,
    start_offsets: dict[int, int],
    expected: int,
    timeout_s: float = 60.0,
    tick: Tick | None = None,
) -> ConsumeSummary:
    """Read back the ``expected`` records produced after ``start_offsets`` and decode them."""
    deserialize = AvroDeserializer(RegistryClient(registry_url))
    ctx = SerializationContext(topic, "value")
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"pipeway-demo-{topic}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.assign([TopicPartition(topic, p, o) for p, o in start_offsets.items()])
    actions: Counter[str] = Counter()
    channels: Counter[int] = Counter()
    users: set[int] = set()
    started = time.monotonic()
    try:
        while sum(actions.values()) < expected and time.monotonic() - started < timeout_s:
            for msg in consumer.consume(1000, timeout=1.0):
                error = msg.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        continue
                    raise DemoError(f"reading {topic} failed: {error}")
                record = deserialize(msg.value(), ctx)
                actions[ACTION_NAMES[record["action"]]] += 1
                channels[record["channel_id"]] += 1
                users.add(record["user_id"])
            if tick:
                tick(sum(actions.values()))
    finally:
        consumer.close()
    return ConsumeSummary(
        records=sum(actions.values()),
        seconds=time.monotonic() - started,
        by_action=dict(actions),
        by_channel=dict(sorted(channels.items())),
        distinct_users=len(users),
    )
