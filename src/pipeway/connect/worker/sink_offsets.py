"""Offsets of sink connectors: the committed offsets of their consumer group.

Sink tasks commit to Kafka's consumer group ``connect-<name>`` (as Kafka Connect does), so
``GET /connectors/{name}/offsets`` reads them from there, in Connect's shape:
``{"partition": {"kafka_topic", "kafka_partition"}, "offset": {"kafka_offset"}}``.

The offsets are fetched with a consumer's ``committed()`` for the partitions of the
connector's ``topics``/``topics.regex`` (the consumer never joins the group). The admin API's
``list_consumer_group_offsets`` would need no topic list, but with confluent-kafka 2.16.1 it
crashes the process for a group that has never committed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from confluent_kafka import Consumer, KafkaException, TopicPartition

from pipeway.connect.runtime.runners import sink_group_id
from pipeway.connect.settings import RuntimeSettings
from pipeway.connect.worker.config_store import ConfigStore
from pipeway.connect.worker.exceptions import StoreUnavailable

TIMEOUT_S = 15.0


class SinkOffsets:
    def __init__(self, kafka: Mapping[str, Any], configs: ConfigStore) -> None:
        self._kafka = dict(kafka)
        self._configs = configs

    def offsets_of(self, connector: str) -> list[dict[str, Any]]:
        """Committed offsets of the connector's group (empty before its first commit).

        Raises:
            StoreUnavailable: Kafka did not answer.
        """
        entry = self._configs.snapshot().get(connector)
        if entry is None:
            return []
        group = sink_group_id(connector)
        consumer = Consumer({**self._kafka, "group.id": group, "enable.auto.commit": False})
        try:
            partitions = self._partitions(consumer, entry.config)
            committed = consumer.committed(partitions, timeout=TIMEOUT_S) if partitions else []
        except KafkaException as exc:
            raise StoreUnavailable(f"group {group}", str(exc.args[0])) from exc
        finally:
            consumer.close()
        return [
            {
                "partition": {"kafka_topic": tp.topic, "kafka_partition": tp.partition},
                "offset": {"kafka_offset": tp.offset},
            }
            for tp in committed
            if tp.offset >= 0
        ]

    @staticmethod
    def _partitions(consumer: Consumer, config: Mapping[str, Any]) -> list[TopicPartition]:
        topics = RuntimeSettings.model_validate(
            {"name": "x", "connector.class": "x", "topics": config.get("topics", [])}
        ).topics
        regex = config.get("topics.regex")
        metadata = consumer.list_topics(timeout=TIMEOUT_S)
        chosen = [
            name
            for name in metadata.topics
            if name in topics or (regex and re.fullmatch(str(regex), name))
        ]
        return [
            TopicPartition(name, p)
            for name in sorted(chosen)
            for p in metadata.topics[name].partitions
        ]
