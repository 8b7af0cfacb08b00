from __future__ import annotations

from collections.abc import Callable

import pytest
from confluent_kafka import Consumer, TopicPartition

from pipeway.connect.runtime.runners import sink_group_id
from pipeway.connect.worker.config_state import ConfigState
from pipeway.connect.worker.config_store import ConfigStore
from pipeway.connect.worker.sink_offsets import SinkOffsets
from pipeway.connect.worker.topic_log import MemoryRecordLog

pytestmark = pytest.mark.integration


def test_reads_the_sink_group_offsets(kafka_bootstrap: str, make_topic: Callable[..., str]) -> None:
    topic, other = make_topic(partitions=2), make_topic()
    state = ConfigState()
    configs = ConfigStore(state, MemoryRecordLog(state.apply))
    configs.put_connector("lake", {"topics": f"{topic},{other}"}, "STARTED")
    configs.put_connector("fresh", {"topics.regex": f"{topic}.*"}, "STARTED")
    reader = SinkOffsets({"bootstrap.servers": kafka_bootstrap}, configs)
    assert reader.offsets_of("fresh") == []  # never committed
    assert reader.offsets_of("unknown") == []

    consumer = Consumer({"bootstrap.servers": kafka_bootstrap, "group.id": sink_group_id("lake")})
    consumer.commit(offsets=[TopicPartition(topic, 1, 3)], asynchronous=False)
    consumer.close()
    assert reader.offsets_of("lake") == [
        {"partition": {"kafka_topic": topic, "kafka_partition": 1}, "offset": {"kafka_offset": 3}}
    ]
