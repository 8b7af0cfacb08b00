from __future__ import annotations

import orjson
import pytest

from pipeway.registry.records import (
    ClearSubjectRecord,
    ConfigRecord,
    DeleteSubjectRecord,
    ModeRecord,
    Record,
    SchemaRecord,
    SchemaValue,
    decode,
    encode,
)
from pipeway.registry.schemas import SchemaReference

VALUE = SchemaValue("s", 2, 7, "AVRO", '"string"', (SchemaReference("n", "o", 1),))


def test_keys_follow_confluent_layout() -> None:
    assert encode(SchemaRecord("s", 2, VALUE))[0] == (
        b'{"keytype":"SCHEMA","subject":"s","version":2,"magic":1}'
    )
    assert encode(ConfigRecord(None, "FULL")) == (
        b'{"keytype":"CONFIG","magic":0}',
        b'{"compatibilityLevel":"FULL"}',
    )
    assert encode(ModeRecord("s", "READONLY")) == (
        b'{"keytype":"MODE","subject":"s","magic":0}',
        b'{"mode":"READONLY"}',
    )
    assert encode(DeleteSubjectRecord("s", 3)) == (
        b'{"keytype":"DELETE_SUBJECT","subject":"s","magic":0}',
        b'{"subject":"s","version":3}',
    )


def test_schema_value_fields() -> None:
    value = orjson.loads(encode(SchemaRecord("s", 2, VALUE))[1] or b"")
    assert value == {
        "subject": "s",
        "version": 2,
        "id": 7,
        "schemaType": "AVRO",
        "references": [{"name": "n", "subject": "o", "version": 1}],
        "schema": '"string"',
        "deleted": False,
    }


@pytest.mark.parametrize(
    "record",
    [
        SchemaRecord("s", 2, VALUE),
        SchemaRecord("s", 2, None),
        ConfigRecord("s", "NONE"),
        ConfigRecord(None, None),
        ModeRecord(None, "IMPORT"),
        DeleteSubjectRecord("s", 4),
        ClearSubjectRecord("s"),
    ],
)
def test_round_trip(record: Record) -> None:
    assert decode(*encode(record)) == record


def test_confluent_written_value_without_type_is_avro() -> None:
    key = b'{"keytype":"SCHEMA","subject":"t","version":1,"magic":1}'
    value = b'{"subject":"t","version":1,"id":3,"schema":"\\"int\\"","deleted":false}'
    record = decode(key, value)
    assert isinstance(record, SchemaRecord) and record.value is not None
    assert record.value.schema_type == "AVRO" and record.value.references == ()


@pytest.mark.parametrize(
    ("key", "value"),
    [(b'{"keytype":"NOOP","magic":0}', None), (b"garbage", b"x"), (None, None), (b"[1]", None)],
)
def test_noop_unknown_and_garbage_are_skipped(key: bytes | None, value: bytes | None) -> None:
    assert decode(key, value) is None
