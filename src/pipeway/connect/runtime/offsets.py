"""Source offsets in a compacted Kafka topic, laid out exactly as Kafka Connect stores them.

Each record's key is the JSON array ``["<connector name>", {source partition}]`` and its value
the JSON offset object (``null`` is a tombstone that resets the partition), both without a
schema envelope, so Kafka Connect tooling and pipeway can read each other's offsets. All
records of one connector go to one partition (chosen from the connector name) so its offsets
stay ordered. The store reads the topic to its end at start and keeps the latest value per
key in memory; ``commit`` writes (idempotent, acks=all), waits for the acknowledgement and
only then updates that view.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Mapping
from typing import Any

import orjson
from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    KafkaException,
    Message,
    Producer,
    TopicPartition,
)
from confluent_kafka.admin import AdminClient

from pipeway.connect.runtime.exceptions import OffsetCommitError
from pipeway.kafka.topics import ensure_topic

logger = logging.getLogger(__name__)

PartitionKey = tuple[tuple[str, Any], ...]
"""A source partition made hashable: its items sorted by key (nested lists become tuples)."""

DEFAULT_PARTITIONS = 5
_TIMEOUT_S = 30.0
_LEADER_ERRORS = frozenset(
    (
        KafkaError.NOT_LEADER_FOR_PARTITION,
        KafkaError.LEADER_NOT_AVAILABLE,
        KafkaError.UNKNOWN_TOPIC_OR_PART,
        KafkaError._UNKNOWN_PARTITION,
    )
)


def partition_key(partition: Mapping[str, Any]) -> PartitionKey:
    """The hashable form of a source partition (what ``SourceTask.commit`` receives)."""
    return tuple(sorted((k, _freeze(v)) for k, v in partition.items()))


def offset_key(connector: str, partition: Mapping[str, Any]) -> bytes:
    """The Kafka Connect offset key: ``["<connector>",{partition}]`` as compact JSON."""
    return orjson.dumps([connector, partition])


def parse_offset_key(data: bytes) -> tuple[str, dict[str, Any]]:
    """Split an offset key into (connector, partition).

    Raises:
        ValueError: the key is not ``[name, {partition}]`` JSON.
    """
    decoded = orjson.loads(data)
    if (
        not isinstance(decoded, list)
        or len(decoded) != 2
        or not isinstance(decoded[0], str)
        or not isinstance(decoded[1], dict)
    ):
        raise ValueError(f"not a Kafka Connect offset key: {data[:200]!r}")
    return decoded[0], decoded[1]


def storage_partition(connector: str, partitions: int) -> int:
    """The offset topic partition of ``connector`` (stable across processes)."""
    return zlib.crc32(connector.encode("utf-8")) % partitions


def _watermarks(consumer: Consumer, tp: TopicPartition) -> tuple[int, int]:
    """(low, high) of a partition, waiting out a new topic's leader election."""
    deadline = time.monotonic() + _TIMEOUT_S
    while True:
        try:
            low, high = consumer.get_watermark_offsets(tp, timeout=_TIMEOUT_S)
            return int(low), int(high)
        except KafkaException as exc:
            error = exc.args[0]
            waiting = error.retriable() or error.code() in _LEADER_ERRORS
            if not waiting or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _freeze(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return value


class OffsetStore:
    """The offsets of every source connector, backed by ``offset.storage.topic``.

    Thread safe: runners of several tasks commit concurrently.
    """

    def __init__(
        self,
        bootstrap_servers: str,
        topic: str,
        *,
        partitions: int = DEFAULT_PARTITIONS,
        replication_factor: int = 1,
        client_config: Mapping[str, Any] | None = None,
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.topic = topic
        self._wanted_partitions = partitions
        self._replication = replication_factor
        self._client_config = dict(client_config or {})
        self._partitions = 0
        self._lock = threading.Lock()
        self._offsets: dict[str, dict[PartitionKey, tuple[dict[str, Any], dict[str, Any]]]] = {}
        self._producer: Producer | None = None

    def start(self) -> None:
        """Create the topic when missing, then read it to its end."""
        self._partitions = self._ensure_topic()
        conf = {**self._client_config, "bootstrap.servers": self.bootstrap_servers}
        self._producer = Producer(
            {**conf, "enable.idempotence": True, "acks": "all", "linger.ms": 0}
        )
        self.read_to_end()
        logger.info(
            "offset store ready topic=%s partitions=%d connectors=%d",
            self.topic,
            self._partitions,
            len(self._offsets),
        )

    def close(self) -> None:
        if self._producer is not None:
            self._producer.flush(_TIMEOUT_S)
            self._producer = None

    def offset(self, connector: str, partition: Mapping[str, Any]) -> dict[str, Any] | None:
        """The committed offset of one source partition, or None."""
        with self._lock:
            entry = self._offsets.get(connector, {}).get(partition_key(partition))
        return None if entry is None else entry[1]

    def offsets_of(self, connector: str) -> list[dict[str, Any]]:
        """``[{"partition": {...}, "offset": {...}}]`` as ``GET /connectors/{name}/offsets``."""
        with self._lock:
            entries = list(self._offsets.get(connector, {}).values())
        return [{"partition": p, "offset": o} for p, o in entries]

    def commit(
        self,
        connector: str,
        offsets: Mapping[PartitionKey, tuple[Mapping[str, Any], Mapping[str, Any] | None]],
    ) -> None:
        """Write ``{partition_key: (partition, offset or None)}`` and wait for Kafka.

        Raises:
            OffsetCommitError: Kafka did not acknowledge every record.
        """
        if not offsets:
            return
        producer = self._require_producer()
        target = storage_partition(connector, self._partitions)
        errors: list[str] = []

        def delivered(err: KafkaError | None, _msg: Message) -> None:
            if err is not None:
                errors.append(err.str())

        for partition, offset in offsets.values():
            value = None if offset is None else orjson.dumps(offset)
            record_key = offset_key(connector, partition)
            producer.produce(self.topic, value, record_key, partition=target, on_delivery=delivered)
        remaining = producer.flush(_TIMEOUT_S)
        if errors or remaining:
            reason = "; ".join(errors) or f"{remaining} records not acknowledged in time"
            raise OffsetCommitError(f"connector {connector!r}", reason)
        with self._lock:
            for key, (partition, offset) in offsets.items():
                self._apply(connector, key, dict(partition), offset)

    def reset(self, connector: str) -> None:
        """Write tombstones for every partition of ``connector`` (its tasks must be stopped)."""
        with self._lock:
            entries = dict(self._offsets.get(connector, {}))
        self.commit(connector, {k: (p, None) for k, (p, _o) in entries.items()})

    def read_to_end(self) -> None:
        """Load every record up to the current end of the topic (e.g. other workers' commits)."""
        consumer = Consumer(
            {
                **self._client_config,
                "bootstrap.servers": self.bootstrap_servers,
                "group.id": f"{self.topic}-reader",
                "enable.auto.commit": False,
                "enable.partition.eof": False,
            }
        )
        try:
            self._consume_to_end(consumer)
        finally:
            consumer.close()

    def _consume_to_end(self, consumer: Consumer) -> None:
        ends: dict[int, int] = {}
        for p in range(self._partitions):
            low, high = _watermarks(consumer, TopicPartition(self.topic, p))
            if high > low:
                ends[p] = high
        assigned = [TopicPartition(self.topic, p, OFFSET_BEGINNING) for p in ends]
        consumer.assign(assigned)
        while ends:
            for msg in consumer.consume(500, timeout=1.0):
                if msg.error():
                    raise KafkaException(msg.error())
                self._load(msg)
            for tp in consumer.position([TopicPartition(self.topic, p) for p in ends]):
                if tp.offset >= ends[tp.partition]:
                    del ends[tp.partition]

    def _load(self, msg: Message) -> None:
        try:
            connector, partition = parse_offset_key(msg.key() or b"")
            value = msg.value()
            offset = None if value is None else orjson.loads(value)
        except (ValueError, orjson.JSONDecodeError) as exc:
            logger.warning(
                "skipping malformed offset record topic=%s offset=%d error=%s",
                self.topic,
                msg.offset(),
                exc,
            )
            return
        with self._lock:
            self._apply(connector, partition_key(partition), partition, offset)

    def _apply(
        self,
        connector: str,
        key: PartitionKey,
        partition: dict[str, Any],
        offset: Mapping[str, Any] | None,
    ) -> None:
        entries = self._offsets.setdefault(connector, {})
        if offset is None:
            entries.pop(key, None)
        else:
            entries[key] = (partition, dict(offset))

    def _require_producer(self) -> Producer:
        if self._producer is None:
            raise OffsetCommitError(self.topic, "the offset store is not started")
        return self._producer

    def _ensure_topic(self) -> int:
        """Create the compacted topic if missing; return its partition count."""
        admin = AdminClient({**self._client_config, "bootstrap.servers": self.bootstrap_servers})
        return ensure_topic(
            admin,
            self.topic,
            self._wanted_partitions,
            self._replication,
            {"cleanup.policy": "compact"},
        )
