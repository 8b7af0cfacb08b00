"""The source runner against a real broker and registry: delivery, offsets, errors, DLQ."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer as ConfluentAvroDeserializer
from confluent_kafka.serialization import MessageField
from confluent_kafka.serialization import SerializationContext as ConfluentContext

from pipeway.connect.runtime.contract import TaskId, WorkerSettings
from pipeway.connect.runtime.metrics import prometheus_text
from pipeway.connect.runtime.offsets import OffsetStore
from pipeway.connect.runtime.runners import create_runner
from pipeway.connect.runtime.source_runner import SourceTaskRunner
from pipeway.testing.services import unique_name

from .helpers import CountConnector, CountSettings, consume, runtime, wait_for

pytestmark = pytest.mark.integration

Make = Callable[..., SourceTaskRunner]


@pytest.fixture
def make_runner(worker: WorkerSettings, offsets: OffsetStore) -> Iterator[Make]:
    runners: list[SourceTaskRunner] = []

    def make(name: str, topic: str, store: OffsetStore = offsets, **keys: Any) -> SourceTaskRunner:
        settings_keys = {k: v for k, v in keys.items() if k in CountSettings.model_fields}
        runtime_keys = {k: v for k, v in keys.items() if k not in settings_keys}
        runner = create_runner(
            TaskId(name, 0),
            CountConnector,
            CountSettings(topic=topic, **settings_keys),
            runtime(name, **runtime_keys),
            {},
            {},
            worker,
            store,
        )
        assert isinstance(runner, SourceTaskRunner)
        runners.append(runner)
        return runner

    yield make
    for runner in runners:
        runner.stop(10)


def committed_n(store: OffsetStore, name: str, topic: str) -> int | None:
    offset = store.offset(name, {"counter": topic})
    return None if offset is None else int(offset["n"])


def test_records_land_as_avro_and_offsets_commit(
    make_runner: Make,
    offsets: OffsetStore,
    unique_topic: str,
    kafka_bootstrap: str,
    registry_url: str,
) -> None:
    name = unique_name("src")
    runner = make_runner(name, unique_topic, count=50, batch=7)
    runner.start()
    wait_for(lambda: committed_n(offsets, name, unique_topic) == 50, what="offset n=50")
    runner.stop()
    assert runner.status().state == "UNASSIGNED"
    messages = consume(kafka_bootstrap, unique_topic, 50)
    deserialize = ConfluentAvroDeserializer(SchemaRegistryClient({"url": registry_url}))
    ctx = ConfluentContext(unique_topic, MessageField.VALUE)
    values = [deserialize(m.value(), ctx) for m in messages]
    assert [v["n"] for v in values] == list(range(1, 51))
    key_ctx = ConfluentContext(unique_topic, MessageField.KEY)
    assert [deserialize(m.key(), key_ctx) for m in messages] == [str(n) for n in range(1, 51)]
    assert offsets.offsets_of(name) == [
        {"partition": {"counter": unique_topic}, "offset": {"n": 50}}
    ]
    task = runner._task
    assert task is not None and task.committed, "task.commit() called after commits"  # type: ignore[attr-defined]
    metrics = runner.metrics()
    assert metrics["records_polled_total"] == 50
    assert metrics["records_written_total"] == 50
    assert metrics["errors_total"] == 0
    text = prometheus_text({runner.task_id: metrics})
    assert f'pipeway_connect_task_records_written_total{{connector="{name}",task="0"}} 50' in text


def test_restart_resumes_from_committed_offset(
    make_runner: Make,
    offsets: OffsetStore,
    unique_topic: str,
    kafka_bootstrap: str,
    offset_topic: str,
    registry_url: str,
) -> None:
    name = unique_name("src")
    first = make_runner(name, unique_topic, count=30)
    first.start()
    wait_for(lambda: committed_n(offsets, name, unique_topic) == 30)
    first.stop()
    reopened = OffsetStore(kafka_bootstrap, offset_topic)  # another worker reading the topic
    reopened.start()
    assert committed_n(reopened, name, unique_topic) == 30
    second = make_runner(name, unique_topic, store=reopened, count=45)
    second.start()
    wait_for(lambda: committed_n(reopened, name, unique_topic) == 45)
    second.stop()
    reopened.close()
    messages = consume(kafka_bootstrap, unique_topic, 45)
    deserialize = ConfluentAvroDeserializer(SchemaRegistryClient({"url": registry_url}))
    ctx = ConfluentContext(unique_topic, MessageField.KEY)
    assert [deserialize(m.key(), ctx) for m in messages] == [str(n) for n in range(1, 46)]


def test_refused_record_fails_task_without_commit(
    make_runner: Make, offsets: OffsetStore, make_topic: Callable[..., str]
) -> None:
    topic = make_topic(config={"max.message.bytes": "1000"})
    name = unique_name("src")
    runner = make_runner(name, topic, count=20, big_at=10)
    runner.start()
    wait_for(lambda: runner.status().state == "FAILED", what="FAILED")
    trace = runner.status().trace or ""
    assert "DeliveryError" in trace and "too large" in trace.lower()
    assert offsets.offsets_of(name) == []
    assert runner.metrics()["last_error"]


def test_tolerated_errors_go_to_dlq_with_headers(
    make_runner: Make, offsets: OffsetStore, make_topic: Callable[..., str], kafka_bootstrap: str
) -> None:
    topic = make_topic(config={"max.message.bytes": "1000"})
    dlq = unique_name("dlq")
    name = unique_name("src")
    # one record per produce batch: the broker refuses a whole batch that is too large
    runner = make_runner(
        name,
        topic,
        count=20,
        big_at=10,
        bad_at=15,
        batch=1,
        poll_sleep_ms=30,
        **{
            "errors.tolerance": "all",
            "errors.deadletterqueue.topic.name": dlq,
            "errors.log.enable": True,
        },
    )
    runner.start()
    wait_for(lambda: committed_n(offsets, name, topic) == 20, what="all offsets committed")
    dead = sorted(consume(kafka_bootstrap, dlq, 2), key=lambda m: m.key())
    assert len(dead) == 2
    by_stage = {dict(m.headers())["__connect.errors.stage"]: m for m in dead}
    produce_failure = dict(by_stage[b"KAFKA_PRODUCE"].headers())
    assert produce_failure["__connect.errors.topic"] == topic.encode()
    assert produce_failure["__connect.errors.connector.name"] == name.encode()
    assert produce_failure["__connect.errors.task.id"] == b"0"
    assert produce_failure["__connect.errors.exception.class.name"].endswith(b"DeliveryError")
    assert b"too large" in produce_failure["__connect.errors.exception.message"].lower()
    assert b"DeliveryError" in produce_failure["__connect.errors.exception.stacktrace"]
    assert by_stage[b"KAFKA_PRODUCE"].value()[0] == 0  # the Avro bytes Kafka refused
    convert_failure = by_stage[b"VALUE_CONVERTER"]
    assert orjson.loads(convert_failure.value()) == {"n": "not a long", "pad": ""}
    convert_headers = dict(convert_failure.headers())
    assert orjson.loads(convert_headers["__connect.errors.source.offset"]) == {"n": 15}
    assert b"Traceback" in convert_headers["__connect.errors.exception.stacktrace"]
    assert convert_headers["__connect.errors.class.name"].endswith(b".AvroSerializer")
    metrics = runner.metrics()
    assert metrics["errors_total"] == 2 and metrics["dlq_total"] == 2
    assert metrics["records_written_total"] == 18


def test_conversion_error_without_tolerance_fails(
    make_runner: Make, offsets: OffsetStore, unique_topic: str
) -> None:
    name = unique_name("src")
    runner = make_runner(name, unique_topic, count=5, bad_at=3, batch=1)
    runner.start()
    wait_for(lambda: runner.status().state == "FAILED")
    trace = runner.status().trace or ""
    assert "ToleranceExceeded" in trace and "VALUE_CONVERTER" in trace
    assert committed_n(offsets, name, unique_topic) in (None, 1, 2)


def test_pause_and_resume(make_runner: Make, unique_topic: str) -> None:
    runner = make_runner(unique_name("src"), unique_topic, count=10**9, batch=1, poll_sleep_ms=5)
    runner.start()
    wait_for(lambda: runner.metrics()["records_polled_total"] > 5)
    runner.pause()
    assert runner.status().state == "PAUSED"
    wait_for(
        lambda: (
            runner.metrics()["records_written_total"] == runner.metrics()["records_polled_total"]
        )
    )
    polled = runner.metrics()["records_polled_total"]
    time.sleep(0.3)
    assert runner.metrics()["records_polled_total"] == polled
    runner.resume()
    assert runner.status().state == "RUNNING"
    wait_for(lambda: runner.metrics()["records_polled_total"] > polled + 5)
