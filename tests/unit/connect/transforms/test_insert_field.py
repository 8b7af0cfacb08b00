from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from pipeway.connect.transforms.exceptions import TransformConfigError, TransformError
from pipeway.connect.transforms.insert_field import InsertFieldKey, InsertFieldValue

from .support import KEY_SCHEMA, ORDER_SCHEMA, sink, source, untouched, valid

PROPS = {
    "topic.field": "_topic",
    "partition.field": "_partition",
    "timestamp.field": "_ts",
    "static.field": "_origin!",
    "static.value": "eu-1",
}


def test_value_with_schema_adds_fields_and_schema() -> None:
    t = InsertFieldValue(PROPS)
    out = untouched(source(), t.apply)
    assert out.value["_topic"] == "shop.orders"
    assert out.value["_partition"] is None  # a source record has no partition yet
    assert out.value["_ts"] == datetime.fromtimestamp(1_700_000_000, UTC)
    assert out.value["_origin"] == "eu-1"
    fields = {f["name"]: f for f in out.value_schema["fields"]}
    assert fields["_topic"]["type"] == ["null", "string"]
    assert fields["_topic"]["default"] is None
    assert fields["_origin"]["type"] == "string"
    assert fields["_ts"]["type"] == ["null", {"type": "long", "logicalType": "timestamp-millis"}]
    assert valid(out.value, out.value_schema)


def test_schema_is_cached_per_input_schema() -> None:
    t = InsertFieldValue(PROPS)
    first, second = t.apply(source()), t.apply(source())
    assert first.value_schema is second.value_schema
    assert ORDER_SCHEMA["fields"][-1]["name"] == "tags"  # input schema untouched


def test_offset_on_sink_record_and_rejected_for_source() -> None:
    t = InsertFieldValue({"offset.field": "_offset", "partition.field": "_p"})
    out = t.apply(sink())
    assert (out.value["_offset"], out.value["_p"]) == (42, 2)
    assert valid(out.value, out.value_schema)
    with pytest.raises(TransformError, match="sink records"):
        t.apply(source())


def test_schemaless_value() -> None:
    t = InsertFieldValue(PROPS)
    out = untouched(source({"a": 1}, schema=None), t.apply)
    assert out.value == {
        "a": 1,
        "_topic": "shop.orders",
        "_ts": 1_700_000_000_000,
        "_origin": "eu-1",
    }
    assert out.value_schema is None


def test_key_variant() -> None:
    t = InsertFieldKey({"topic.field": "topic"})
    out = untouched(source(key={"id": 7}, key_schema=KEY_SCHEMA), t.apply)
    assert out.key == {"id": 7, "topic": "shop.orders"}
    assert out.value == source().value
    assert valid(out.key, out.key_schema)


def test_tombstone_passes() -> None:
    tombstone = dataclasses.replace(source(), value=None)
    assert InsertFieldValue(PROPS).apply(tombstone) is tombstone


def test_existing_field_and_non_record_fail() -> None:
    with pytest.raises(TransformError, match="already exists"):
        InsertFieldValue({"topic.field": "id"}).apply(source())
    with pytest.raises(TransformError, match="record schema"):
        InsertFieldValue({"topic.field": "t"}).apply(source({"a": 1}, schema="string"))
    with pytest.raises(TransformError, match="map/record"):
        InsertFieldValue({"topic.field": "t"}).apply(source("x", schema=None))


def test_config_errors_name_keys() -> None:
    with pytest.raises(TransformConfigError) as info:
        InsertFieldValue({"static.field": "x", "bogus": "1"})
    assert set(info.value.errors) == {"static.value", "bogus"}
    with pytest.raises(TransformConfigError, match="no field insertion"):
        InsertFieldValue({})
