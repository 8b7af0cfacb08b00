from __future__ import annotations

import orjson

from pipeway.registry.records import (
    ClearSubjectRecord,
    ConfigRecord,
    DeleteSubjectRecord,
    ModeRecord,
    SchemaRecord,
    SchemaValue,
)
from pipeway.registry.state import RegistryState

INT = '"int"'
STRING = '{"type":"string"}'


def put(state: RegistryState, subject: str, version: int, schema_id: int, text: str) -> None:
    value = SchemaValue(subject, version, schema_id, "AVRO", text, ())
    state.apply(SchemaRecord(subject, version, value))


def test_versions_ids_and_bodies() -> None:
    state = RegistryState()
    put(state, "a", 1, 1, INT)
    put(state, "a", 2, 2, STRING)
    put(state, "b", 1, 1, INT)
    assert state.subject_names() == ["a", "b"]
    assert [e.version for e in state.versions("a")] == [1, 2]
    assert state.max_id == 2
    assert orjson.loads(state.schemas[1].body) == {"schema": INT}
    latest = state.version("a", None)
    assert latest is not None
    assert orjson.loads(latest.body) == {"subject": "a", "version": 2, "id": 2, "schema": STRING}
    assert [(e.subject, e.version) for e in state.usages(1)] == [("a", 1), ("b", 1)]


def test_same_schema_is_found_by_fingerprint() -> None:
    state = RegistryState()
    put(state, "a", 1, 1, STRING)
    fingerprint = state.schemas[1].fingerprint
    assert state.id_for_fingerprint(fingerprint) == 1
    found = state.find_in_subject("a", fingerprint)
    assert found is not None and found.version == 1
    assert state.find_in_subject("b", fingerprint) is None


def test_soft_delete_then_hard_delete() -> None:
    state = RegistryState()
    put(state, "a", 1, 1, INT)
    put(state, "a", 2, 2, STRING)
    state.apply(DeleteSubjectRecord("a", 2))
    assert state.subject_names() == []
    assert state.subject_names(include_deleted=True) == ["a"]
    assert state.version("a", 1) is None and state.version("a", 1, include_deleted=True)
    assert 1 in state.schemas  # soft-deleted schemas stay readable by id
    state.apply(SchemaRecord("a", 1, None))
    assert 1 not in state.schemas and state.versions("a", include_deleted=True)[0].version == 2
    state.apply(ClearSubjectRecord("a"))
    assert state.subjects == {} and state.schemas == {}
    assert state.max_id == 2  # ids are never handed out twice within a process


def test_record_reusing_an_id_for_another_schema_is_ignored() -> None:
    state = RegistryState()
    put(state, "a", 1, 1, INT)
    put(state, "b", 1, 1, STRING)
    assert state.versions("b") == []


def test_config_and_mode_fall_back_to_global_then_default() -> None:
    state = RegistryState(default_compatibility="BACKWARD")
    assert state.compatibility("s") == "BACKWARD" and state.mode("s") == "READWRITE"
    state.apply(ConfigRecord(None, "FULL"))
    state.apply(ModeRecord("s", "READONLY"))
    assert state.compatibility("s") == "FULL" and state.mode("s") == "READONLY"
    state.apply(ConfigRecord("s", "NONE"))
    assert state.compatibility("s") == "NONE"
    state.apply(ConfigRecord("s", None))
    state.apply(ModeRecord("s", None))
    assert state.compatibility("s") == "FULL" and state.mode("s") == "READWRITE"


def test_any_change_clears_the_response_cache() -> None:
    state = RegistryState()
    state.response_cache["k"] = (200, b"{}")
    state.apply(ModeRecord(None, "READWRITE"))
    assert state.response_cache == {}


def test_unparsable_stored_schema_is_kept_raw() -> None:
    state = RegistryState()
    put(state, "p", 1, 1, "syntax = 'proto3';")
    assert state.schemas[1].parsed is None
    assert orjson.loads(state.schemas[1].body) == {"schema": "syntax = 'proto3';"}
