"""The sink runner against a real broker and registry: put, flush, commit, DLQ, pause."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

from pipeway.connect.runtime.contract import TaskId, WorkerSettings
from pipeway.connect.runtime.offsets import OffsetStore
from pipeway.connect.runtime.runners import create_runner, sink_group_id
from pipeway.connect.runtime.sink_runner import SinkTaskRunner
from pipeway.serde import AvroSerializer, RegistryClient, SerializationContext
from pipeway.testing.services import unique_name

from .helpers import (
    COUNT_SCHEMA,
    RecordingSinkConnector,
    RecordingSinkTask,
    SinkSettings,
    consume,
    produce,
    runtime,
    wait_for,
)

pytestmark = pytest.mark.integration

Make = Callable[..., SinkTaskRunner]


@pytest.fixture
def make_runner(worker: WorkerSettings, offsets: OffsetStore) -> Iterator[Make]:
    runners: list[SinkTaskRunner] = []

    def make(
        name: str, topic: str, settings: SinkSettings | None = None, **keys: Any
    ) -> SinkTaskRunner:
        runner = create_runner(
            TaskId(name, 0),
            RecordingSinkConnector,
            settings or SinkSettings(),
            runtime(name, topics=topic, **keys),
            {},
            {},
            worker,
            offsets,
        )
        assert isinstance(runner, SinkTaskRunner)
        runners.append(runner)
        return runner

    yield make
    for runner in runners:
        runner.stop(10)


def produce_counts(
    bootstrap: str,
    registry_url: str,
    topic: str,
    numbers: range,
    raw: dict[int, bytes] | None = None,
) -> None:
    serialize = AvroSerializer(RegistryClient(registry_url), orjson.dumps(COUNT_SCHEMA).decode())
    ctx = SerializationContext(topic, "value")
    raw = raw or {}
    values = [(None, raw.get(n) or serialize({"n": n, "pad": ""}, ctx)) for n in numbers]
    produce(bootstrap, topic, values)


def committed(bootstrap: str, connector: str, topic: str) -> int:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": sink_group_id(connector)})
    try:
        [tp] = consumer.committed([TopicPartition(topic, 0)], timeout=10)
        return int(tp.offset)
    finally:
        consumer.close()


def task_of(runner: SinkTaskRunner) -> RecordingSinkTask:
    task = wait_for(lambda: runner._task)
    assert isinstance(task, RecordingSinkTask)
    return task


def flushed_numbers(runner: SinkTaskRunner) -> list[int]:
    return [r.value["n"] for r in task_of(runner).flushed]


def test_delivers_and_commits_after_flush(
    make_runner: Make, make_topic: Callable[..., str], kafka_bootstrap: str, registry_url: str
) -> None:
    topic = make_topic()
    produce_counts(kafka_bootstrap, registry_url, topic, range(1, 41))
    name = unique_name("sink")
    runner = make_runner(name, topic)
    runner.start()
    wait_for(lambda: len(task_of(runner).flushed) == 40, what="40 flushed")
    wait_for(lambda: committed(kafka_bootstrap, name, topic) == 40, what="commit at 40")
    assert flushed_numbers(runner) == list(range(1, 41))
    record = task_of(runner).flushed[0]
    assert (record.topic, record.kafka_partition, record.kafka_offset) == (topic, 0, 0)
    metrics = runner.metrics()
    assert metrics["records_polled_total"] == 40
    assert metrics["records_written_total"] == 40
    wait_for(lambda: runner.metrics()["offset_lag"] == 0)


def test_failed_flush_commits_nothing_and_restart_redelivers(
    make_runner: Make, make_topic: Callable[..., str], kafka_bootstrap: str, registry_url: str
) -> None:
    topic = make_topic()
    produce_counts(kafka_bootstrap, registry_url, topic, range(1, 21))
    name = unique_name("sink")
    failing = make_runner(name, topic, SinkSettings(fail_flush=True))
    failing.start()
    wait_for(lambda: failing.status().state == "FAILED", what="FAILED")
    assert "flush failed on purpose" in (failing.status().trace or "")
    assert committed(kafka_bootstrap, name, topic) < 0  # nothing committed
    failing.stop()
    healthy = make_runner(name, topic)
    healthy.start()
    wait_for(lambda: len(task_of(healthy).flushed) == 20, what="redelivered")
    assert flushed_numbers(healthy) == list(range(1, 21))


def test_undecodable_input_goes_to_dlq(
    make_runner: Make, make_topic: Callable[..., str], kafka_bootstrap: str, registry_url: str
) -> None:
    topic = make_topic()
    produce_counts(kafka_bootstrap, registry_url, topic, range(1, 11), raw={5: b"not avro at all"})
    name = unique_name("sink")
    dlq = unique_name("dlq")
    runner = make_runner(
        name, topic, **{"errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq}
    )
    runner.start()
    wait_for(lambda: committed(kafka_bootstrap, name, topic) == 10, what="commit past bad")
    assert flushed_numbers(runner) == [1, 2, 3, 4, 6, 7, 8, 9, 10]
    [dead] = consume(kafka_bootstrap, dlq, 1)
    assert dead.value() == b"not avro at all"
    headers = dict(dead.headers())
    assert headers["__connect.errors.topic"] == topic.encode()
    assert headers["__connect.errors.partition"] == b"0"
    assert headers["__connect.errors.offset"] == b"4"
    assert headers["__connect.errors.stage"] == b"VALUE_CONVERTER"
    assert headers["__connect.errors.connector.name"] == name.encode()
    assert headers["__connect.errors.task.id"] == b"0"
    assert headers["__connect.errors.class.name"].endswith(b".AvroDeserializer")
    assert headers["__connect.errors.exception.class.name"].endswith(b".WireFormatError")
    assert b"magic byte" in headers["__connect.errors.exception.message"]
    assert b"Traceback" in headers["__connect.errors.exception.stacktrace"]
    metrics = runner.metrics()
    assert metrics["errors_total"] == 1 and metrics["dlq_total"] == 1


def test_undecodable_input_without_tolerance_fails(
    make_runner: Make, make_topic: Callable[..., str], kafka_bootstrap: str, registry_url: str
) -> None:
    topic = make_topic()
    produce_counts(kafka_bootstrap, registry_url, topic, range(1, 4), raw={2: b"junk"})
    name = unique_name("sink")
    runner = make_runner(name, topic)
    runner.start()
    wait_for(lambda: runner.status().state == "FAILED")
    trace = runner.status().trace or ""
    assert "ToleranceExceeded" in trace and "WireFormatError" in trace
    assert committed(kafka_bootstrap, name, topic) < 0


def test_put_record_error_and_retriable_put(
    make_runner: Make, make_topic: Callable[..., str], kafka_bootstrap: str, registry_url: str
) -> None:
    topic = make_topic()
    produce_counts(kafka_bootstrap, registry_url, topic, range(1, 11))
    name = unique_name("sink")
    dlq = unique_name("dlq")
    settings = SinkSettings(bad_value=7, retriable_puts=2)
    runner = make_runner(
        name,
        topic,
        settings,
        **{"errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq},
    )
    runner.start()
    wait_for(lambda: committed(kafka_bootstrap, name, topic) == 10, timeout_s=60)
    assert flushed_numbers(runner) == [1, 2, 3, 4, 5, 6, 8, 9, 10]
    [dead] = consume(kafka_bootstrap, dlq, 1)
    assert dict(dead.headers())["__connect.errors.stage"] == b"TASK_PUT"
    assert dict(dead.headers())["__connect.errors.offset"] == b"6"
    assert runner.metrics()["retries_total"] == 2


def test_pause_and_resume(
    make_runner: Make, make_topic: Callable[..., str], kafka_bootstrap: str, registry_url: str
) -> None:
    topic = make_topic()
    produce_counts(kafka_bootstrap, registry_url, topic, range(1, 6))
    runner = make_runner(unique_name("sink"), topic)
    runner.start()
    wait_for(lambda: len(task_of(runner).flushed) == 5)
    runner.pause()
    assert runner.status().state == "PAUSED"
    wait_for(lambda: runner._consumer_paused, what="consumer paused")  # pause is asynchronous
    produce_counts(kafka_bootstrap, registry_url, topic, range(6, 11))
    time.sleep(1.0)
    assert len(task_of(runner).flushed) == 5
    runner.resume()
    assert runner.status().state == "RUNNING"
    wait_for(lambda: len(task_of(runner).flushed) == 10)


def test_records_carry_writer_schemas_and_converted_headers(
    make_runner: Make, make_topic: Callable[..., str], kafka_bootstrap: str, registry_url: str
) -> None:
    """Avro values carry the registered writer schema, JSON-with-schema values the envelope's
    schema as Avro; headers are decoded by the default SimpleHeaderConverter."""
    avro_topic, json_topic = make_topic(), make_topic()
    serialize = AvroSerializer(RegistryClient(registry_url), orjson.dumps(COUNT_SCHEMA).decode())
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    value = serialize({"n": 1, "pad": ""}, SerializationContext(avro_topic, "value"))
    producer.produce(avro_topic, value, headers=[("attempt", b"3"), ("ok", b"true")])
    envelope = {
        "schema": {
            "type": "struct",
            "name": "Count",
            "fields": [{"field": "n", "type": "int64", "optional": False}],
        },
        "payload": {"n": 2},
    }
    producer.produce(json_topic, orjson.dumps(envelope), headers=[("who", b"me")])
    assert producer.flush(30) == 0

    avro_runner = make_runner(unique_name("sink"), avro_topic)
    json_runner = make_runner(unique_name("sink"), json_topic, **{"value.converter": "json"})
    for runner in (avro_runner, json_runner):
        runner.start()
    avro_record = wait_for(lambda: task_of(avro_runner).flushed)[0]
    json_record = wait_for(lambda: task_of(json_runner).flushed)[0]

    assert avro_record.value == {"n": 1, "pad": ""}
    assert avro_record.value_schema["name"] == COUNT_SCHEMA["name"]
    assert avro_record.value_schema["fields"] == COUNT_SCHEMA["fields"]
    assert avro_record.key_schema is None  # no key
    assert avro_record.headers == [("attempt", 3), ("ok", True)]
    assert json_record.value == {"n": 2}
    assert json_record.value_schema == {
        "type": "record",
        "name": "Count",
        "fields": [{"name": "n", "type": "long"}],
    }
    assert json_record.headers == [("who", "me")]
