"""Creating and checking the ``_schemas`` topic (one partition, compacted)."""

from __future__ import annotations

import logging
from typing import Any

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from pipeway.registry.exceptions import StoreUnavailableError
from pipeway.registry.settings import RegistrySettings

log = logging.getLogger(__name__)
TOPIC_CONFIG = {"cleanup.policy": "compact"}


def kafka_config(settings: RegistrySettings) -> dict[str, Any]:
    """Settings shared by every Kafka client of the registry."""
    return {
        "bootstrap.servers": settings.bootstrap_servers,
        "client.id": f"pipeway-registry-{settings.instance_id}",
        "logger": logging.getLogger("pipeway.registry.kafka"),
        **settings.kafka_config,
    }


def ensure_topic(settings: RegistrySettings) -> None:
    """Create the topic if missing; refuse one with more than one partition (order matters)."""
    admin = AdminClient(kafka_config(settings))
    try:
        metadata = admin.list_topics(timeout=settings.kafka_timeout_s)
    except KafkaException as exc:
        raise StoreUnavailableError(
            f"cannot reach Kafka at {settings.bootstrap_servers}: {exc.args[0]}"
        ) from exc
    existing = metadata.topics.get(settings.topic)
    if existing is None or existing.error is not None:
        _create(admin, settings)
        return
    if len(existing.partitions) != 1:
        raise StoreUnavailableError(
            f"topic {settings.topic} has {len(existing.partitions)} partitions; the registry "
            "needs exactly one so that every instance reads records in the same order"
        )


def _create(admin: AdminClient, settings: RegistrySettings) -> None:
    topic = NewTopic(
        settings.topic,
        num_partitions=1,
        replication_factor=settings.replication_factor,
        config=TOPIC_CONFIG,
    )
    future = admin.create_topics([topic], operation_timeout=settings.kafka_timeout_s)[
        settings.topic
    ]
    try:
        future.result(timeout=settings.kafka_timeout_s)
        log.info("created topic=%s config=%s", settings.topic, TOPIC_CONFIG)
    except KafkaException as exc:
        if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:  # another instance won
            raise StoreUnavailableError(f"cannot create topic {settings.topic}: {exc}") from exc
    except TimeoutError as exc:
        raise StoreUnavailableError(f"timed out creating topic {settings.topic}") from exc
