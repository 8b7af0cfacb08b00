"""Sharing tasks between workers with a Kafka consumer group (no home-made consensus).

Workers of one ``group.id`` join the consumer group ``<group.id>-assignments`` on the topic of
the same name (16 partitions, never written to). Kafka's group coordinator gives each live
worker a share of the partitions; a worker runs exactly the tasks that map to its partitions:

- task ``n`` of connector ``c`` maps to ``(crc32(c) + n) % 16``, so the tasks of one
  connector sit on consecutive, distinct partitions and spread over the workers;
- connector ``c`` itself (computing task configs, reporting its status) maps to
  ``crc32(c) % 16``, the partition of its task 0.

The ``cooperative-sticky`` assignor moves only the partitions that must move when a worker
joins or leaves, so running tasks elsewhere are not restarted. Revocations arrive (and
tasks stop, committing their offsets) before the partitions are given to another worker; a
worker that dies loses its partitions after ``session.timeout.ms``.

Rebalance callbacks run inside :meth:`GroupMembership.poll`, on the herder's thread.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Mapping
from typing import Any, Protocol

from confluent_kafka import Consumer, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient

from pipeway.connect.worker.exceptions import StoreUnavailable
from pipeway.kafka.topics import ensure_topic

log = logging.getLogger(__name__)

ASSIGNMENT_PARTITIONS = 16
SESSION_TIMEOUT_MS = 10_000
HEARTBEAT_INTERVAL_MS = 1_000


def _hash(connector: str) -> int:
    return zlib.crc32(connector.encode("utf-8"))


def task_partition(connector: str, task: int, partitions: int = ASSIGNMENT_PARTITIONS) -> int:
    return (_hash(connector) + task) % partitions


def connector_partition(connector: str, partitions: int = ASSIGNMENT_PARTITIONS) -> int:
    return _hash(connector) % partitions


def assignment_topic(group_id: str) -> str:
    return f"{group_id}-assignments"


class AssignmentListener(Protocol):
    def assigned(self, partitions: set[int]) -> None: ...

    def revoked(self, partitions: set[int]) -> None: ...


class GroupMembership:
    """This worker's membership of the assignment group."""

    def __init__(
        self, kafka: Mapping[str, Any], group_id: str, listener: AssignmentListener
    ) -> None:
        self._kafka = dict(kafka)
        self.topic = assignment_topic(group_id)
        self._listener = listener
        self._consumer: Consumer | None = None

    def start(self) -> None:
        """Create the topic when missing and subscribe (the group is joined in ``poll``).

        Raises:
            StoreUnavailable: Kafka is unreachable.
        """
        try:
            ensure_topic(AdminClient(self._kafka), self.topic, ASSIGNMENT_PARTITIONS)
        except KafkaException as exc:
            raise StoreUnavailable(self.topic, str(exc.args[0])) from exc
        self._consumer = Consumer(
            {
                **self._kafka,
                "group.id": self.topic,
                "partition.assignment.strategy": "cooperative-sticky",
                "session.timeout.ms": SESSION_TIMEOUT_MS,
                "heartbeat.interval.ms": HEARTBEAT_INTERVAL_MS,
                "enable.auto.commit": False,
                "auto.offset.reset": "latest",
            }
        )
        self._consumer.subscribe(
            [self.topic],
            on_assign=self._on_assign,
            on_revoke=self._on_revoke,
            on_lost=self._on_lost,
        )

    def poll(self, timeout_s: float) -> None:
        """Serve heartbeats and rebalance callbacks (the topic carries no messages)."""
        if self._consumer is not None:
            self._consumer.poll(timeout_s)

    def close(self) -> None:
        """Leave the group at once, so the others take the partitions without waiting."""
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.close()

    def _on_assign(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        parts = {tp.partition for tp in partitions}
        log.info("assigned partitions=%s", sorted(parts))
        self._listener.assigned(parts)

    def _on_revoke(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        parts = {tp.partition for tp in partitions}
        log.info("revoked partitions=%s", sorted(parts))
        self._listener.revoked(parts)

    def _on_lost(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        parts = {tp.partition for tp in partitions}
        log.warning("lost partitions=%s (session timed out)", sorted(parts))
        self._listener.revoked(parts)
