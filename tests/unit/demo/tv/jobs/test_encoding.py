"""The operator's session and view rows, encoded: the contract's values and keys, readable
by any Confluent Avro consumer."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from fastavro import parse_schema, schemaless_reader

from pipeway.demo.tv import contract
from pipeway.demo.tv.jobs.encoding import ENCODED_KINDS, ROW_KEYS, RowEncoders, key_schema
from pipeway.demo.tv.jobs.rows import table
from pipeway.demo.tv.schemas import schema
from pipeway.serde.wire_format import decode_header

IDS = {contract.SESSIONS: (11, 12), contract.SHOW_VIEWS: (21, 22), contract.AD_VIEWS: (31, 32)}


def decoded(data: bytes, writer: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    magic, schema_id = decode_header(data)
    assert magic == 0
    plain = {**writer, "fields": [_plain(f) for f in writer["fields"]]}
    return schema_id, schemaless_reader(io.BytesIO(data[5:]), parse_schema(plain), None)


def _plain(field: dict[str, Any]) -> dict[str, Any]:
    """Timestamps read back as the longs they were written from."""
    kind = field["type"]
    return {**field, "type": kind["type"]} if isinstance(kind, dict) else field


def test_sessions_carry_the_derived_fields_and_their_row_key() -> None:
    rows = table(
        "session",
        {
            "user_id": np.array([7, 8]),
            "device_id": np.array(["d-7", "d-8"], object),
            "channel_id": np.array([3, 4]),
            "start_ts": np.array([1_000, 5_000]),
            "end_ts": np.array([61_500, 9_000]),
            "end_reason": np.array([contract.END_STANDBY, "switch"], object),
        },
    )
    out = RowEncoders(IDS).encode("session", rows).to_pylist()
    value_schema = schema(contract.SESSIONS)
    schema_id, first = decoded(out[0]["avro_value"], value_schema)
    assert schema_id == 11 and out[0]["kind"] == "session"
    assert first["duration_ms"] == 60_500 and first["seconds"] == 60.5 and first["standby"]
    assert decoded(out[1]["avro_value"], value_schema)[1]["standby"] is False
    key_id, key = decoded(out[0]["avro_key"], key_schema(value_schema, ROW_KEYS[contract.SESSIONS]))
    assert (key_id, key) == (12, {"user_id": 7, "device_id": "d-7", "start_ts": 1_000})


def test_views_with_unknown_attributes_encode_them_as_null() -> None:
    rows = table(
        "show_view",
        {
            "user_id": np.array([7]),
            "device_id": np.array(["d-7"], object),
            "session_start_ts": np.array([0]),
            "channel_id": np.array([3]),
            "program_id": np.array([42]),
            "title": np.array(["News"], object),
            "show_start_ts": np.array([0]),
            "show_end_ts": np.array([1_800_000]),
            "start_ts": np.array([60_000]),
            "end_ts": np.array([90_250]),
            "view_ms": np.array([30_250]),
            "age_band": np.array([None], object),
            "city_id": np.array([5]),
        },
    )
    out = RowEncoders(IDS).encode("show_view", rows).to_pylist()
    schema_id, value = decoded(out[0]["avro_value"], schema(contract.SHOW_VIEWS))
    assert schema_id == 21
    assert value["seconds"] == 30.25 and value["title"] == "News" and value["city_id"] == 5
    assert value["age_band"] is None and value["gender"] is None and value["temp_c"] is None


@pytest.mark.parametrize("kind", sorted(ENCODED_KINDS))
def test_no_rows_encode_to_no_messages(kind: str) -> None:
    value_fields = [f["name"] for f in schema(ENCODED_KINDS[kind])["fields"]]
    derived = {"duration_ms", "seconds", "standby"}
    columns = {name: np.array([], object) for name in value_fields if name not in derived}
    out = RowEncoders(IDS).encode(kind, table(kind, columns))
    assert out.num_rows == 0 and out.column_names == ["kind", "avro_key", "avro_value"]
