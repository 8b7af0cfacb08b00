"""Every bundled datagen quickstart through the real runtime into Kafka, read back by
confluent-kafka's own Avro deserializer (proving the registered schemas and wire format)."""

from __future__ import annotations

from importlib import resources

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

from pipeway.connect.runtime.contract import TaskId, WorkerSettings
from pipeway.connect.runtime.offsets import OffsetStore
from pipeway.connect.runtime.runners import create_runner
from pipeway.connect.settings import RuntimeSettings
from pipeway.connect.sources.datagen.connector import DatagenConnector
from pipeway.testing.services import unique_name
from pipeway.testing.waiting import read_topic

pytestmark = pytest.mark.integration

QUICKSTARTS = sorted(
    p.name.removesuffix(".avsc")
    for p in (resources.files("pipeway.connect.sources.datagen") / "quickstarts").iterdir()
    if p.name.endswith(".avsc")
)
RECORDS = 40


@pytest.mark.parametrize("quickstart", QUICKSTARTS)
def test_quickstart_records_reach_kafka_as_registered_avro(
    quickstart: str,
    worker: WorkerSettings,
    offsets: OffsetStore,
    kafka_bootstrap: str,
    registry_url: str,
) -> None:
    name, topic = unique_name(f"dg-{quickstart}"), unique_name(f"datagen-{quickstart}")
    settings = DatagenConnector.settings_class.model_validate(
        {
            "kafka.topic": topic,
            "quickstart": quickstart,
            "iterations": RECORDS,
            "max.interval": 0,
            "random.seed": 5,
        }
    )
    runtime = RuntimeSettings.model_validate({"name": name, "connector.class": "datagen"})
    task_config = DatagenConnector(name, settings).task_configs(1)[0]
    runner = create_runner(
        TaskId(name, 0), DatagenConnector, settings, runtime, {}, task_config, worker, offsets
    )
    runner.start()
    try:
        messages = read_topic(kafka_bootstrap, topic, RECORDS)
    finally:
        runner.stop()
    assert runner.status().state != "FAILED", runner.status().trace
    deserialize = AvroDeserializer(SchemaRegistryClient({"url": registry_url}))
    ctx = SerializationContext(topic, MessageField.VALUE)
    values = [deserialize(m.value(), ctx) for m in messages]
    assert len(values) == RECORDS
    assert all(isinstance(v, dict) and v for v in values)
    subjects = SchemaRegistryClient({"url": registry_url}).get_subjects()
    assert f"{topic}-value" in subjects
