from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from pipeway.connect.transforms.debezium import ExtractNewRecordState
from pipeway.connect.transforms.exceptions import TransformConfigError

from .support import source, untouched, valid

ROW = {
    "type": "record",
    "name": "Value",
    "fields": [{"name": "id", "type": "int"}, {"name": "name", "type": ["null", "string"]}],
}
ENVELOPE: dict[str, Any] = {
    "type": "record",
    "name": "Envelope",
    "namespace": "srv.shop.customers",
    "fields": [
        {"name": "before", "type": ["null", ROW], "default": None},
        {"name": "after", "type": ["null", "Value"], "default": None},
        {
            "name": "source",
            "type": {
                "type": "record",
                "name": "Source",
                "namespace": "io.debezium.connector.mysql",
                "fields": [
                    {"name": "db", "type": "string"},
                    {"name": "table", "type": ["null", "string"], "default": None},
                    {"name": "ts_ms", "type": "long"},
                    {"name": "file", "type": "string"},
                ],
            },
        },
        {"name": "op", "type": "string"},
        {"name": "ts_ms", "type": ["null", "long"], "default": None},
    ],
}
SOURCE = {"db": "shop", "table": "customers", "ts_ms": 1000, "file": "binlog.000003"}


def event(op: str, before: Any = None, after: Any = None) -> dict[str, Any]:
    return {"before": before, "after": after, "source": SOURCE, "op": op, "ts_ms": 2000}


def record(value: Any, schema: Any = ENVELOPE) -> Any:
    return source(value, schema=schema, topic="srv.shop.customers", key={"id": 1})


def test_unwraps_after_with_row_schema() -> None:
    t = ExtractNewRecordState({})
    out = untouched(record(event("c", after={"id": 1, "name": "ada"})), t.apply)
    assert out.value == {"id": 1, "name": "ada"}
    assert out.value_schema["name"] == "srv.shop.customers.Value"
    assert valid(out.value, out.value_schema)
    again = t.apply(record(event("u", {"id": 1, "name": "a"}, {"id": 1, "name": "b"})))
    assert again.value_schema is out.value_schema


def test_default_drops_deletes_tombstones_and_truncates() -> None:
    t = ExtractNewRecordState({})
    assert t.apply(record(event("d", before={"id": 1, "name": "ada"}))) is None
    assert t.apply(dataclasses.replace(record(None), value=None)) is None
    assert t.apply(record(event("t"))) is None


def test_rewrite_marks_deleted() -> None:
    t = ExtractNewRecordState({"delete.handling.mode": "rewrite", "drop.tombstones": "false"})
    deleted = t.apply(record(event("d", before={"id": 1, "name": "ada"})))
    assert deleted.value == {"id": 1, "name": "ada", "__deleted": "true"}
    assert valid(deleted.value, deleted.value_schema)
    kept = t.apply(record(event("r", after={"id": 2, "name": None})))
    assert kept.value["__deleted"] == "false"
    assert kept.value_schema is deleted.value_schema
    tombstone = dataclasses.replace(record(None), value=None)
    assert t.apply(tombstone) is tombstone


def test_none_mode_keeps_delete_as_null_value() -> None:
    t = ExtractNewRecordState({"delete.tombstone.handling.mode": "tombstone"})
    out = t.apply(record(event("d", before={"id": 1, "name": "ada"})))
    assert out.value is None
    assert out.value_schema[0] == "null"
    assert valid(out.value, out.value_schema)


def test_add_fields_and_headers() -> None:
    props = {
        "add.fields": "op,table,source.ts_ms,ts_ms,db:database,missing",
        "add.headers": "op,db",
    }
    t = ExtractNewRecordState(props)
    out = untouched(record(event("c", after={"id": 1, "name": "ada"})), t.apply)
    assert out.value == {
        "id": 1,
        "name": "ada",
        "__op": "c",
        "__table": "customers",
        "__source_ts_ms": 1000,
        "__ts_ms": 2000,
        "__database": "shop",
    }
    assert valid(out.value, out.value_schema)
    assert out.headers == [("__op", b"c"), ("__db", b"shop")]
    prefixed = ExtractNewRecordState({"add.fields": "op", "add.fields.prefix": "cdc_"})
    assert prefixed.apply(record(event("c", after={"id": 1, "name": None}))).value["cdc_op"] == "c"


def test_tombstone_gets_op_header_when_kept() -> None:
    t = ExtractNewRecordState({"drop.tombstones": "false", "add.headers": "op"})
    out = t.apply(dataclasses.replace(record(None), value=None))
    assert out.headers == [("__op", b"d")]


def test_route_by_field() -> None:
    t = ExtractNewRecordState({"route.by.field": "name"})
    assert t.apply(record(event("c", after={"id": 1, "name": "vip"}))).topic == "vip"
    assert t.apply(record(event("c", after={"id": 1, "name": None}))).topic == "srv.shop.customers"


def test_schemaless_envelope_and_non_envelopes() -> None:
    t = ExtractNewRecordState({"add.fields": "op,source.ts_ms"})
    out = t.apply(record(event("u", after={"id": 1}), schema=None))
    assert out.value == {"id": 1, "__op": "u", "__source_ts_ms": 1000}
    heartbeat = source(
        {"ts_ms": 1},
        schema={
            "type": "record",
            "name": "Heartbeat",
            "fields": [{"name": "ts_ms", "type": "long"}],
        },
    )
    assert t.apply(heartbeat) is heartbeat
    plain = source({"x": 1}, schema=None)
    assert t.apply(plain) is plain


def test_config_errors() -> None:
    with pytest.raises(TransformConfigError) as info:
        ExtractNewRecordState({"delete.handling.mode": "soft", "add.fields": "a:b:c"})
    assert set(info.value.errors) == {"delete.handling.mode", "add.fields"}
    with pytest.raises(TransformConfigError) as info:
        ExtractNewRecordState(
            {"drop.tombstones": "false", "delete.tombstone.handling.mode": "drop"}
        )
    assert list(info.value.errors) == ["delete.tombstone.handling.mode"]
