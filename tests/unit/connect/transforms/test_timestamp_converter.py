from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from pipeway.connect.transforms.exceptions import TransformConfigError, TransformError
from pipeway.connect.transforms.timestamp_converter import (
    TimestampConverterKey,
    TimestampConverterValue,
)

from .support import CREATED_MS, ORDER_SCHEMA, order, source, untouched, valid

CREATED = datetime(2024, 3, 5, 14, 7, 9, 123000, tzinfo=UTC)
STRING_SCHEMA = {
    "type": "record",
    "name": "Event",
    "fields": [{"name": "at", "type": ["null", "string"], "default": None}],
}


def convert(props: dict[str, str], value: object = None, schema: object = None) -> object:
    t = TimestampConverterValue(props)
    record = source(order() if value is None else value, schema=schema or ORDER_SCHEMA)
    return untouched(record, t.apply)


@pytest.mark.parametrize(
    ("target", "extra", "expected", "avro"),
    [
        ("string", {"format": "yyyy-MM-dd'T'HH:mm:ss.SSSX"}, "2024-03-05T14:07:09.123Z", "string"),
        ("unix", {}, CREATED_MS, "long"),
        ("unix", {"unix.precision": "seconds"}, CREATED_MS // 1000, "long"),
        ("unix", {"unix.precision": "nanoseconds"}, CREATED_MS * 1_000_000, "long"),
        ("Date", {}, date(2024, 3, 5), {"type": "int", "logicalType": "date"}),
        ("Time", {}, time(14, 7, 9, 123000), {"type": "int", "logicalType": "time-millis"}),
        ("Timestamp", {}, CREATED, {"type": "long", "logicalType": "timestamp-millis"}),
    ],
)
def test_from_timestamp_field(
    target: str, extra: dict[str, str], expected: object, avro: object
) -> None:
    for created in (CREATED_MS, CREATED):  # fastavro may hand us either form
        props = {"field": "created", "target.type": target, **extra}
        out = convert(props, order(created=created))
        assert out.value["created"] == expected
        assert {f["name"]: f["type"] for f in out.value_schema["fields"]}["created"] == avro
        assert valid(out.value, out.value_schema)


def test_from_string_field_keeps_optional() -> None:
    props = {"field": "at", "target.type": "Timestamp", "format": "yyyy-MM-dd HH:mm:ss"}
    out = convert(props, {"at": "2024-03-05 14:07:09"}, STRING_SCHEMA)
    assert out.value == {"at": datetime(2024, 3, 5, 14, 7, 9, tzinfo=UTC)}
    assert out.value_schema["fields"][0]["type"][0] == "null"
    assert valid(out.value, out.value_schema)
    assert convert(props, {"at": None}, STRING_SCHEMA).value == {"at": None}
    with pytest.raises(TransformError, match="cannot convert"):
        convert(props, {"at": "yesterday"}, STRING_SCHEMA)


def test_schemaless_whole_value_and_key() -> None:
    t = TimestampConverterValue({"target.type": "string", "format": "yyyyMMdd"})
    assert t.apply(source(CREATED_MS, schema=None)).value == "20240305"
    assert t.apply(source(date(2024, 1, 2), schema=None)).value == "20240102"
    key_t = TimestampConverterKey({"target.type": "unix", "unix.precision": "microseconds"})
    assert key_t.apply(source(key=CREATED, key_schema=None)).key == CREATED_MS * 1000


def test_string_input_without_format_fails() -> None:
    t = TimestampConverterKey({"target.type": "unix"})
    with pytest.raises(TransformError, match="format"):
        t.apply(source(key="2024-03-05", key_schema="string"))
    out = t.apply(
        source(key=CREATED, key_schema={"type": "long", "logicalType": "timestamp-millis"})
    )
    assert (out.key, out.key_schema) == (CREATED_MS, "long")


def test_config_errors() -> None:
    with pytest.raises(TransformConfigError) as info:
        TimestampConverterValue({"target.type": "string"})
    assert list(info.value.errors) == ["format"]
    with pytest.raises(TransformConfigError) as info:
        TimestampConverterValue({"target.type": "date", "format": "yyyy-QQ"})
    assert set(info.value.errors) == {"target.type", "format"}
