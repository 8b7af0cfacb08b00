"""Creating the topics pipeway writes to when they are missing.

The platform broker auto-creates topics, but a cluster usually does not, and an auto-created
offset topic would not be compacted; so the runtime creates what it needs explicitly. The
existence check lists all topics: a metadata request naming one topic can itself trigger the
broker's auto-creation.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

logger = logging.getLogger(__name__)

TIMEOUT_S = 30.0


def ensure_topic(
    admin: AdminClient,
    name: str,
    partitions: int = 1,
    replication_factor: int = 1,
    config: Mapping[str, str] | None = None,
) -> int:
    """Create ``name`` unless it exists; return its partition count.

    Raises:
        KafkaException: the broker refused to create it (other than "already exists").
    """
    existing = admin.list_topics(timeout=TIMEOUT_S).topics.get(name)
    if existing is not None and existing.error is None:
        return len(existing.partitions)
    new = NewTopic(
        name,
        num_partitions=partitions,
        replication_factor=replication_factor,
        config=dict(config or {}),
    )
    try:
        admin.create_topics([new])[name].result(timeout=TIMEOUT_S)
    except KafkaException as exc:
        if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
            raise
        return _partition_count(admin, name, partitions)
    logger.info("created topic=%s partitions=%d", name, partitions)
    wait_for_leaders(admin, name)
    return partitions


def wait_for_leaders(admin: AdminClient, name: str, timeout_s: float = TIMEOUT_S) -> None:
    """Wait until every partition of a new topic has a leader (else reads fail at first)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = admin.list_topics(timeout=TIMEOUT_S).topics.get(name)
        partitions = found.partitions.values() if found is not None and not found.error else []
        if partitions and all(p.leader >= 0 and p.error is None for p in partitions):
            return
        time.sleep(0.05)
    logger.warning("topic has partitions without a leader topic=%s timeout_s=%s", name, timeout_s)


def _partition_count(admin: AdminClient, name: str, default: int) -> int:
    found = admin.list_topics(timeout=TIMEOUT_S).topics.get(name)
    return len(found.partitions) if found is not None and found.partitions else default
