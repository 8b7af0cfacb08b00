from __future__ import annotations

from typing import Any

import pytest

from pipeway.connect.plugins import load_connector
from pipeway.connect.sources.datagen import DatagenConnector, DatagenSettings, DatagenTask
from pipeway.connect.sources.datagen.task import MAX_BATCH

from .conftest import FakeClock, FakeContext, make_task

FAST = {"quickstart": "users", "random.seed": 7, "events.per.second": 0}


def drain(task: DatagenTask, count: int) -> list[Any]:
    records: list[Any] = []
    while len(records) < count:
        batch = task.poll()
        assert batch, "the task stopped producing"
        records.extend(batch)
    return records[:count]


def test_records_carry_topic_key_schemas_and_offsets(clock: FakeClock) -> None:
    task = make_task({**FAST, "kafka.topic": "users"}, clock, task_id=2)
    first, second = task.poll()[:2]
    assert first.topic == "users"
    assert first.key == first.value["userid"]
    assert first.key_schema == "string"
    assert first.value_schema is second.value_schema  # the same object, cached by identity
    assert "arg.properties" not in str(first.value_schema)
    assert first.source_partition == {"task.id": 2}
    assert first.source_offset == {"iteration": 1, "seed": 7}
    assert second.source_offset["iteration"] == 2
    assert first.timestamp == 1_700_000_000_000
    assert dict(first.headers) == {"task.id": b"2", "current.iteration": b"0"}


def test_explicit_keyfield_and_no_key(clock: FakeClock) -> None:
    keyed = make_task({**FAST, "quickstart": "orders", "schema.keyfield": "address"}, clock)
    record = keyed.poll()[0]
    assert record.key == record.value["address"]
    assert isinstance(record.key_schema, dict) and record.key_schema["type"] == "record"
    schema = '{"type": "record", "name": "x", "fields": [{"name": "a", "type": "int"}]}'
    unkeyed = make_task({"schema.string": schema, "events.per.second": 0}, clock)
    assert unkeyed.poll()[0].key is None


def test_same_seed_same_records_and_tasks_differ(clock: FakeClock) -> None:
    values = [r.value for r in drain(make_task(FAST, clock), 50)]
    again = [r.value for r in drain(make_task(FAST, clock), 50)]
    other_task = [r.value for r in drain(make_task(FAST, clock, task_id=1), 50)]
    other_seed = [r.value for r in drain(make_task({**FAST, "random.seed": 8}, clock), 50)]
    assert values == again
    assert values != other_task
    assert values != other_seed


@pytest.mark.parametrize("committed", [1, 37, 1500])
def test_restart_continues_the_sequence(clock: FakeClock, committed: int) -> None:
    config = {**FAST, "quickstart": "orders"}
    uninterrupted = [r.value for r in drain(make_task(config, clock), committed + 30)]
    context = FakeContext()
    first_life = drain(make_task(config, clock, context=context), committed)
    context.commit(first_life[-1].source_partition, first_life[-1].source_offset)
    resumed = drain(make_task(config, clock, context=context), 30)
    assert [r.value for r in resumed] == uninterrupted[committed:]
    assert resumed[0].source_offset["iteration"] == committed + 1


def test_unseeded_task_resumes_with_the_seed_in_its_offset(clock: FakeClock) -> None:
    config = {"quickstart": "users", "events.per.second": 0}
    context = FakeContext()
    first_life = drain(make_task(config, clock, context=context), 10)
    seed = first_life[-1].source_offset["seed"]
    context.commit(first_life[-1].source_partition, first_life[-1].source_offset)
    resumed = drain(make_task(config, clock, context=context), 5)
    assert resumed[0].source_offset == {"iteration": 11, "seed": seed}
    reference = drain(make_task({**config, "random.seed": seed}, clock), 15)
    assert [r.value for r in resumed] == [r.value for r in reference[10:]]


def test_iterations_then_empty_polls(clock: FakeClock) -> None:
    task = make_task({**FAST, "iterations": 25}, clock)
    assert len(task.poll()) == 25
    before = clock.now
    assert task.poll() == [] and task.poll() == []
    assert clock.now - before == pytest.approx(2.0)  # each empty poll waits a second, no spin


def test_iterations_count_across_restarts(clock: FakeClock) -> None:
    context = FakeContext()
    first = drain(make_task({**FAST, "iterations": 10}, clock, context=context), 6)
    context.commit(first[-1].source_partition, first[-1].source_offset)
    assert len(make_task({**FAST, "iterations": 10}, clock, context=context).poll()) == 4


def test_as_fast_as_possible_returns_full_batches(clock: FakeClock) -> None:
    task = make_task(FAST, clock)
    assert len(task.poll()) == MAX_BATCH
    assert clock.sleeps == []


def test_events_per_second_is_honoured(clock: FakeClock) -> None:
    task = make_task({**FAST, "events.per.second": 200}, clock)
    start, produced = clock.now, 0
    while clock.now - start < 10.0:
        produced += len(task.poll())
        clock.now += 0.05  # the runtime's own work between polls
    assert produced == pytest.approx(2000, rel=0.02)


def test_max_interval_spreads_records_uniformly(clock: FakeClock) -> None:
    task = make_task({"quickstart": "users", "random.seed": 1, "max.interval": 100}, clock)
    start, produced = clock.now, 0
    while clock.now - start < 60.0:
        produced += len(task.poll())
    assert produced == pytest.approx(60 / 0.05, rel=0.05)  # mean gap max.interval / 2


def test_a_poll_never_blocks_more_than_a_second(clock: FakeClock) -> None:
    task = make_task({**FAST, "events.per.second": 0.2}, clock)
    task.poll()
    assert task.poll() == []
    assert clock.sleeps and max(clock.sleeps) <= 1.0
    results = [task.poll() for _ in range(4)]
    assert sum(len(r) for r in results) == 1


def test_a_stalled_runtime_gets_at_most_a_second_of_backlog(clock: FakeClock) -> None:
    task = make_task({**FAST, "events.per.second": 100}, clock)
    task.poll()
    clock.now += 30.0
    assert len(task.poll()) <= 101


def test_connector_plugin_and_task_configs() -> None:
    assert load_connector("datagen") is DatagenConnector
    settings = DatagenSettings.model_validate({"kafka.topic": "t", "quickstart": "users"})
    connector = DatagenConnector("gen", settings)
    assert connector.task_configs(3) == [{"task.id": 0}, {"task.id": 1}, {"task.id": 2}]
    assert DatagenConnector.settings_class is DatagenSettings
    assert DatagenConnector.task_class is DatagenTask
