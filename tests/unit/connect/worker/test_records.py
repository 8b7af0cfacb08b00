from __future__ import annotations

import pytest

from pipeway.connect.worker import records as r
from pipeway.connect.worker.config_state import ConfigState


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("connector-my-conn", r.ParsedKey(r.CONNECTOR, "my-conn")),
        ("target-state-a-b", r.ParsedKey(r.TARGET_STATE, "a-b")),
        ("task-my-conn-12", r.ParsedKey(r.TASK, "my-conn", 12)),
        ("commit-x", r.ParsedKey(r.COMMIT, "x")),
        ("restart-connector-x", r.ParsedKey(r.RESTART_CONNECTOR, "x")),
        ("restart-task-x-1", r.ParsedKey(r.RESTART_TASK, "x", 1)),
        ("status-connector-x", r.ParsedKey(r.STATUS_CONNECTOR, "x")),
        ("status-task-a-b-3", r.ParsedKey(r.STATUS_TASK, "a-b", 3)),
        ("session-key", None),
        ("task-nonumber", None),
    ],
)
def test_parse_key(key: str, expected: r.ParsedKey | None) -> None:
    assert r.parse_key(key) == expected


def test_values_are_connect_json() -> None:
    value = r.StatusValue(state="RUNNING", worker_id="h:1", generation=2)
    assert r.decode(r.encode(value)) == {"state": "RUNNING", "worker_id": "h:1", "generation": 2}
    assert r.encode(None) is None and r.decode(None) is None
    with pytest.raises(ValueError):
        r.decode(b"[1]")


def test_tasks_are_visible_only_after_commit() -> None:
    state = ConfigState()
    state.apply("connector-c", {"properties": {"a": "1"}})
    state.apply("task-c-0", {"properties": {"n": 0}})
    state.apply("task-c-1", {"properties": {"n": 1}})
    assert state.snapshot().connectors["c"].tasks == []
    state.apply("commit-c", {"tasks": 2})
    assert state.snapshot().connectors["c"].tasks == [{"n": 0}, {"n": 1}]


def test_commit_with_missing_task_configs_is_ignored() -> None:
    state = ConfigState()
    state.apply("connector-c", {"properties": {}})
    state.apply("task-c-0", {"properties": {}})
    state.apply("commit-c", {"tasks": 2})
    assert state.snapshot().connectors["c"].tasks == []


def test_target_state_v2_and_tombstone() -> None:
    state = ConfigState()
    state.apply("target-state-c", {"state": "PAUSED", "state.v2": "STOPPED"})
    state.apply("connector-c", {"properties": {"x": 1}})
    assert state.snapshot().connectors["c"].target == "STOPPED"
    state.apply("connector-c", None)
    assert state.snapshot().connectors == {}
    state.apply("connector-c", {"properties": {"x": 2}})
    assert state.snapshot().connectors["c"].target == "STARTED"


def test_malformed_records_are_skipped() -> None:
    state = ConfigState()
    state.apply("connector-c", {"nope": 1})
    state.apply("commit-c", {"tasks": -1})
    state.apply("unrelated", {"x": 1})
    assert state.snapshot().connectors == {}


def test_restart_requests_are_sequenced() -> None:
    state = ConfigState()
    state.apply("connector-c", {"properties": {}})
    state.apply("restart-connector-c", {"include-tasks": True, "only-failed": False})
    state.apply("restart-task-c-2", {})
    first, second = state.snapshot().restarts
    assert first.include_tasks and not first.only_failed and first.task is None
    assert second.task == 2 and second.seq > first.seq
