"""The custom connector example of docs/connectors/custom.md: its tasks on their own, then
through the real runtime and a real worker against the session's Kafka and registry."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from confluent_kafka import Message
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext
from pipeway_example_fs.connector import JsonLinesSink, LineFileSource
from pipeway_example_fs.settings import JsonLinesSinkSettings, LineFileSettings
from pipeway_example_fs.sink import JsonLinesSinkTask
from pipeway_example_fs.source import LineFileTask
from pydantic import ValidationError

from pipeway.connect.api import SinkRecord
from pipeway.connect.exceptions import RecordError
from pipeway.connect.plugins import load_connector
from pipeway.connect.runtime.contract import TaskId, WorkerSettings
from pipeway.connect.runtime.offsets import OffsetStore
from pipeway.connect.runtime.runners import create_runner
from pipeway.connect.settings import RuntimeSettings
from pipeway.connect.worker.server import BackgroundWorker
from pipeway.testing.services import unique_name
from pipeway.testing.waiting import read_topic as consume
from pipeway.testing.waiting import wait_for

SOURCE_CLASS = "pipeway_example_fs.connector.LineFileSource"
SINK_CLASS = "pipeway_example_fs.connector:JsonLinesSink"


# --- helpers ------------------------------------------------------------------------------


class InTestContext:
    """What the runtime gives a task, with offsets kept in a dict."""

    def __init__(self, offsets: Mapping[tuple[Any, ...], Mapping[str, Any]] | None = None):
        self.connector_name = "lines"
        self.task_id = 0
        self.offsets = dict(offsets or {})

    def offset(self, partition: Mapping[str, Any]) -> Mapping[str, Any] | None:
        return self.offsets.get(tuple(sorted(partition.items())))


def write_lines(path: Path, first: int, last: int, tail: str = "") -> None:
    with path.open("a", encoding="utf-8") as f:
        f.writelines(f"line {n}\n" for n in range(first, last + 1))
        f.write(tail)


def source_settings(folder: Path, topic: str, **keys: Any) -> LineFileSettings:
    return LineFileSettings.model_validate(
        {"path": str(folder), "topic": topic, "poll.interval.ms": 10, **keys}
    )


def drain(task: LineFileTask) -> list[Any]:
    records: list[Any] = []
    while batch := task.poll():
        records += batch
    return records


def decode(registry_url: str, topic: str, messages: list[Message]) -> list[tuple[str, Any]]:
    deserialize = AvroDeserializer(SchemaRegistryClient({"url": registry_url}))
    key_ctx = SerializationContext(topic, MessageField.KEY)
    value_ctx = SerializationContext(topic, MessageField.VALUE)
    return [(deserialize(m.key(), key_ctx), deserialize(m.value(), value_ctx)) for m in messages]


# --- the tasks on their own (no services) -------------------------------------------------


def test_settings_use_dotted_keys_and_reject_unknown_ones(tmp_path: Path) -> None:
    settings = source_settings(tmp_path, "lines", **{"file.pattern": "*.log", "batch.size": 5})
    assert (settings.file_pattern, settings.batch_size) == ("*.log", 5)
    with pytest.raises(ValidationError, match="batch_size"):
        source_settings(tmp_path, "lines", batch_size_typo=1)
    with pytest.raises(ValidationError, match="is not a folder"):
        source_settings(tmp_path / "missing", "lines")


def test_source_task_reads_lines_in_batches_and_resumes_from_offsets(tmp_path: Path) -> None:
    write_lines(tmp_path / "a.txt", 1, 7, tail="half a li")
    write_lines(tmp_path / "ignored.log", 1, 3)
    settings = source_settings(tmp_path, "lines", **{"batch.size": 3})
    task = LineFileTask(settings, {}, InTestContext())
    task.start()
    first = list(task.poll())
    assert [r.value["line_no"] for r in first] == [1, 2, 3]
    records = first + drain(task)
    assert [r.value for r in records][-1] == {"file": "a.txt", "line_no": 7, "text": "line 7"}
    assert len(records) == 7, "the unterminated line waits for its newline"
    assert {r.key for r in records} == {"a.txt"}
    assert records[-1].source_partition == {"file": "a.txt"}
    size_without_tail = len("".join(f"line {n}\n" for n in range(1, 8)).encode())
    assert records[-1].source_offset == {"position": size_without_tail, "line_no": 7}
    task.stop()

    # a new task with the committed offsets continues exactly where the first left off
    write_lines(tmp_path / "a.txt", 0, -1, tail="ne\n")
    committed = {(("file", "a.txt"),): records[-1].source_offset}
    resumed = LineFileTask(settings, {}, InTestContext(committed))
    resumed.start()
    [record] = drain(resumed)
    assert record.value == {"file": "a.txt", "line_no": 8, "text": "half a line"}


def test_tasks_split_files_between_them(tmp_path: Path) -> None:
    for n in range(12):
        write_lines(tmp_path / f"f{n}.txt", 1, 1)
    settings = source_settings(tmp_path, "lines")
    configs = LineFileSource("lines", settings).task_configs(3)
    assert len(configs) == 3
    seen: list[str] = []
    for config in configs:
        task = LineFileTask(settings, config, InTestContext())
        task.start()
        seen += [r.value["file"] for r in drain(task)]
    assert sorted(seen) == sorted(f"f{n}.txt" for n in range(12))


def test_sink_task_writes_on_flush_and_refuses_bad_records(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    task = JsonLinesSinkTask(JsonLinesSinkSettings(file=out), {}, InTestContext())
    task.start()
    good = SinkRecord("t", 0, 0, "k", {"n": 1})
    bad = SinkRecord("t", 0, 1, "k", {"blob": b"\x00"})
    task.put([good])
    assert out.read_text() == "", "put only buffers"
    with pytest.raises(RecordError) as raised:
        task.put([bad])
    assert raised.value.record is bad
    task.flush()
    task.stop()
    [line] = out.read_text().splitlines()
    assert json.loads(line) == {
        "topic": "t",
        "partition": 0,
        "offset": 0,
        "timestamp": None,
        "key": "k",
        "value": {"n": 1},
    }


def test_connector_class_loads_by_python_path() -> None:
    assert load_connector(SOURCE_CLASS) is LineFileSource
    assert load_connector(SINK_CLASS) is JsonLinesSink


# --- through the real runtime and a real worker -------------------------------------------


@pytest.fixture
def worker(kafka_bootstrap: str, registry_url: str, request: pytest.FixtureRequest) -> Any:
    prefix = unique_name(f"connect-{request.node.name}")
    return WorkerSettings.model_validate(
        {
            "bootstrap.servers": kafka_bootstrap,
            "schema.registry.url": registry_url,
            "group.id": prefix,
            "config.storage.topic": f"{prefix}-configs",
            "status.storage.topic": f"{prefix}-status",
            "offset.storage.topic": f"{prefix}-offsets",
            "offset.flush.interval.ms": 100,
            "rest.port": 0,
        }
    )


@pytest.fixture
def offset_topic() -> str:
    return unique_name("connect-offsets")


@pytest.fixture
def offsets(kafka_bootstrap: str, offset_topic: str) -> Iterator[OffsetStore]:
    store = OffsetStore(kafka_bootstrap, offset_topic)
    store.start()
    yield store
    store.close()


def run_source(
    name: str, folder: Path, topic: str, worker: WorkerSettings, store: OffsetStore
) -> Any:
    connector_cls = load_connector(SOURCE_CLASS)
    settings = connector_cls.settings_class.model_validate({"path": str(folder), "topic": topic})
    runtime = RuntimeSettings.model_validate({"name": name, "connector.class": SOURCE_CLASS})
    task_config = connector_cls(name, settings).task_configs(1)[0]
    runner = create_runner(
        TaskId(name, 0), connector_cls, settings, runtime, {}, task_config, worker, store
    )
    runner.start()
    return runner


def committed_line(store: OffsetStore, name: str, file: str) -> int:
    offset = store.offset(name, {"file": file})
    return 0 if offset is None else int(offset["line_no"])


@pytest.mark.integration
def test_runtime_delivers_avro_and_restart_resumes_without_duplicates(
    tmp_path: Path,
    worker: WorkerSettings,
    offsets: OffsetStore,
    offset_topic: str,
    unique_topic: str,
    kafka_bootstrap: str,
    registry_url: str,
) -> None:
    name = unique_name("lines")
    write_lines(tmp_path / "a.txt", 1, 20)
    write_lines(tmp_path / "b.txt", 1, 5, tail="unfinished")
    first = run_source(name, tmp_path, unique_topic, worker, offsets)
    try:
        wait_for(lambda: committed_line(offsets, name, "a.txt") == 20, what="a.txt committed")
        wait_for(lambda: committed_line(offsets, name, "b.txt") == 5, what="b.txt committed")
    finally:
        first.stop(10)

    write_lines(tmp_path / "a.txt", 21, 30)
    write_lines(tmp_path / "b.txt", 0, -1, tail="\n")
    reopened = OffsetStore(kafka_bootstrap, offset_topic)  # as a restarted worker would
    reopened.start()
    second = run_source(name, tmp_path, unique_topic, worker, reopened)
    try:
        wait_for(lambda: committed_line(reopened, name, "a.txt") == 30, what="a.txt resumed")
        wait_for(lambda: committed_line(reopened, name, "b.txt") == 6, what="b.txt resumed")
    finally:
        second.stop(10)
        reopened.close()

    messages = consume(kafka_bootstrap, unique_topic, 37, timeout_s=10)
    assert len(messages) == 36, "every line exactly once"
    by_file: dict[str, list[Any]] = {}
    for key, value in decode(registry_url, unique_topic, messages):
        assert key == value["file"]
        by_file.setdefault(key, []).append((value["line_no"], value["text"]))
    assert by_file["a.txt"] == [(n, f"line {n}") for n in range(1, 31)]
    assert by_file["b.txt"] == [*((n, f"line {n}") for n in range(1, 6)), (6, "unfinished")]


@pytest.mark.integration
def test_worker_runs_both_connectors_by_python_path(
    tmp_path: Path, worker: WorkerSettings, unique_topic: str
) -> None:
    folder, out = tmp_path / "in", tmp_path / "out.jsonl"
    folder.mkdir()
    write_lines(folder / "a.txt", 1, 10)
    background = BackgroundWorker(worker).start()
    url = background.url
    try:
        for name, config in {
            "lines": {"connector.class": SOURCE_CLASS, "path": str(folder), "topic": unique_topic},
            "jsonl": {"connector.class": SINK_CLASS, "topics": unique_topic, "file": str(out)},
        }.items():
            answer = httpx.put(f"{url}/connectors/{name}/config", json=config, timeout=30)
            assert answer.status_code in (200, 201), answer.text

        def written() -> list[dict[str, Any]]:
            return [json.loads(line) for line in out.read_text().splitlines()]

        wait_for(lambda: len(written()) == 10, what="10 lines in the sink file")
        restart = httpx.post(
            f"{url}/connectors/lines/restart", params={"includeTasks": "true"}, timeout=30
        )
        assert restart.status_code in (202, 204), restart.text
        write_lines(folder / "a.txt", 11, 15)
        wait_for(lambda: len(written()) >= 15, what="15 lines in the sink file")
        time.sleep(1)  # a duplicate would arrive within this
        values = [doc["value"] for doc in written()]
        assert [v["line_no"] for v in values] == list(range(1, 16))
        assert values[-1] == {"file": "a.txt", "line_no": 15, "text": "line 15"}
        bad = httpx.put(
            f"{url}/connectors/bad/config",
            json={"connector.class": SOURCE_CLASS, "path": str(folder), "topik": "x"},
            timeout=30,
        )
        assert bad.status_code == 400 and "topik" in bad.text, bad.text
    finally:
        background.stop()
