"""Dead letter queue end to end, through a real worker and a sink loaded by its Python path.

A topic holds valid Confluent-wire Avro records and two records that are not Avro at all.
``tests.integration.connect.e2e.helpers.CollectingSink`` (a user class, loaded by path) reads it:

- with ``errors.tolerance=all`` the bad records land in the DLQ topic, byte for byte, with
  Kafka Connect's ``__connect.errors.*`` headers, the good ones reach the sink and the
  connector stays RUNNING;
- with ``errors.tolerance=none`` the task is FAILED with the trace in ``/status``, and the
  worker keeps serving its REST API (and the other connector keeps running).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from confluent_kafka import Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from tests.integration.connect.e2e.helpers import (
    create_connector,
    headers,
    read_until,
    status,
    wait_for,
    wait_running,
)
from tests.integration.connect.worker.conftest import SpawnWorker

pytestmark = pytest.mark.integration

SINK = "tests.integration.connect.e2e.helpers.CollectingSink"
SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "Reading",
        "namespace": "e2e",
        "fields": [{"name": "n", "type": "long"}, {"name": "label", "type": "string"}],
    }
)
BAD = [b"not avro at all", b"\x00\xff\xff\xff\xffgarbage"]


def _produce(bootstrap: str, registry_url: str, topic: str) -> None:
    """Offsets 0-1 good, 2 bad, 3 good, 4 bad, 5 good."""
    serialize = AvroSerializer(SchemaRegistryClient({"url": registry_url}), SCHEMA)
    ctx = SerializationContext(topic, MessageField.VALUE)
    good = iter(serialize({"n": n, "label": f"r{n}"}, ctx) for n in range(4))
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    for value in [next(good), next(good), BAD[0], next(good), BAD[1], next(good)]:
        producer.produce(topic, value, headers=[("origin", b"test")])
        producer.flush(10)  # one by one: offsets as listed
    assert producer.flush(30) == 0


def test_dead_letter_queue_and_failing_task(
    spawn_worker: SpawnWorker,
    make_topic: Any,
    kafka_bootstrap: str,
    registry_url: str,
    tmp_path: Path,
) -> None:
    topic = make_topic()
    dlq = f"{topic}-dlq"
    _produce(kafka_bootstrap, registry_url, topic)
    url = spawn_worker().url
    collected = tmp_path / "collected.jsonl"
    create_connector(
        url,
        "dlq-sink",
        {
            "connector.class": SINK,
            "topics": topic,
            "path": str(collected),
            "errors.tolerance": "all",
            "errors.deadletterqueue.topic.name": dlq,
        },
    )

    dead = read_until(kafka_bootstrap, dlq, 2)
    assert [m.value() for m in dead] == BAD
    for msg, offset in zip(dead, (2, 4), strict=True):
        h = headers(msg)
        assert h["origin"] == "test", "the consumed headers are kept"
        assert h["__connect.errors.topic"] == topic
        assert h["__connect.errors.partition"] == "0"
        assert h["__connect.errors.offset"] == str(offset)
        assert h["__connect.errors.connector.name"] == "dlq-sink"
        assert h["__connect.errors.task.id"] == "0"
        assert h["__connect.errors.stage"] == "VALUE_CONVERTER"
        assert h["__connect.errors.class.name"]
        assert h["__connect.errors.exception.class.name"]
        assert h["__connect.errors.exception.message"]
        assert "Traceback" in h["__connect.errors.exception.stacktrace"]

    def sunk() -> list[Any]:
        lines = collected.read_text().splitlines() if collected.exists() else []
        return [json.loads(line) for line in lines] if len(lines) >= 4 else []

    assert wait_for(sunk, 30, "the good records in the sink") == [
        {"n": n, "label": f"r{n}"} for n in range(4)
    ]
    st = wait_running(url, "dlq-sink")
    assert "trace" not in st["tasks"][0]
    metrics = httpx.get(f"{url}/connectors/dlq-sink/tasks/0/metrics", timeout=10).json()
    assert metrics["metrics"]["dlq_total"] == 2 and metrics["metrics"]["errors_total"] == 2

    # the same records without tolerance: the task fails, the worker does not
    create_connector(
        url,
        "strict-sink",
        {"connector.class": SINK, "topics": topic, "path": str(tmp_path / "strict.jsonl")},
    )

    def failed() -> dict[str, Any] | None:
        task = status(url, "strict-sink")["tasks"]
        return task[0] if task and task[0]["state"] == "FAILED" else None

    task = wait_for(failed, 30, "strict-sink FAILED")
    assert "Traceback" in task["trace"] and "VALUE_CONVERTER" in task["trace"], task
    print(f"\nstrict-sink trace tail: {task['trace'][-300:]}")
    assert httpx.get(f"{url}/", timeout=5).status_code == 200
    assert set(httpx.get(f"{url}/connectors", timeout=5).json()) == {"dlq-sink", "strict-sink"}
    assert wait_running(url, "dlq-sink")
    assert len(read_until(kafka_bootstrap, dlq, 2)) == 2, "strict-sink wrote no DLQ record"
