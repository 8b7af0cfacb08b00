"""Column-wise Avro encoding gives exactly fastavro's bytes, row by row."""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from fastavro import parse_schema, schemaless_reader, schemaless_writer

from pipeway.serde.avro_columns import ColumnEncoder, zigzag_varints
from pipeway.serde.exceptions import SerializationError
from pipeway.serde.wire_format import encode_header

SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "Row",
    "namespace": "t",
    "fields": [
        {"name": "i", "type": "int"},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "s", "type": "string"},
        {"name": "d", "type": "double"},
        {"name": "f", "type": "float"},
        {"name": "b", "type": "boolean"},
        {"name": "raw", "type": "bytes"},
        {"name": "maybe_s", "type": ["null", "string"]},
        {"name": "maybe_l", "type": ["long", "null"]},
        {"name": "maybe_d", "type": ["null", "double"]},
    ],
}

LONG_EDGES = [0, 1, -1, 63, -64, 64, -65, 2**31 - 1, -(2**31), 2**63 - 1, -(2**63)]


def fastavro_bytes(schema: dict[str, Any], rows: list[dict[str, Any]]) -> list[bytes]:
    parsed = parse_schema(schema)
    out = []
    for row in rows:
        buf = io.BytesIO()
        schemaless_writer(buf, parsed, row)
        out.append(buf.getvalue())
    return out


def random_rows(n: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    words = ["", "a", "kanał", "日本語テレビ", "x" * 200, "tab\tnew\nline"]
    rows = []
    for k in range(n):
        long_value = LONG_EDGES[k] if k < len(LONG_EDGES) else int(rng.integers(-(2**62), 2**62))
        rows.append(
            {
                "i": int(rng.integers(-(2**31), 2**31)) if k % 3 else int(rng.integers(-70, 70)),
                "ts": long_value,
                "s": words[k % len(words)],
                "d": [0.0, -1.5, math.inf, 1e300][k % 4] if k % 5 == 0 else float(rng.normal()),
                "f": 0.5 * float(rng.integers(-1000, 1000)),
                "b": bool(k % 2),
                "raw": bytes(rng.integers(0, 256, size=k % 7, dtype=np.uint8)),
                "maybe_s": None if k % 4 == 0 else words[(k * 7) % len(words)],
                "maybe_l": None if k % 3 == 0 else long_value,
                "maybe_d": None if k % 2 else float(k) / 3,
            }
        )
    return rows


def arrow_table(rows: list[dict[str, Any]]) -> pa.Table:
    types = {"i": pa.int32(), "ts": pa.int64(), "s": pa.string(), "d": pa.float64(),
             "f": pa.float32(), "b": pa.bool_(), "raw": pa.binary(), "maybe_s": pa.string(),
             "maybe_l": pa.int64(), "maybe_d": pa.float64()}  # fmt: skip
    return pa.table({name: pa.array([r[name] for r in rows], t) for name, t in types.items()})


def test_every_row_encodes_exactly_as_fastavro() -> None:
    rows = random_rows(500, seed=7)
    encoded = ColumnEncoder(SCHEMA).encode(arrow_table(rows)).to_pylist()
    assert encoded == fastavro_bytes(SCHEMA, rows)


def test_the_prefix_leads_every_value_and_records_read_back() -> None:
    rows = random_rows(40, seed=3)
    header = encode_header(1234)
    values = ColumnEncoder(SCHEMA, prefix=header).encode(arrow_table(rows)).to_pylist()
    plain = [{"name": "ts", "type": "long"} if f["name"] == "ts" else f for f in SCHEMA["fields"]]
    parsed = parse_schema({**SCHEMA, "fields": plain})  # fastavro cannot read extreme dates
    for value, row in zip(values, rows, strict=True):
        assert value[:5] == header
        back = schemaless_reader(io.BytesIO(value[5:]), parsed, None)
        assert back == row


def test_sliced_and_chunked_columns_encode_their_own_rows() -> None:
    rows = random_rows(60, seed=11)
    table = arrow_table(rows)
    chunked = pa.concat_tables([table.slice(0, 25), table.slice(25)])
    assert chunked.column("s").num_chunks == 2
    encoder = ColumnEncoder(SCHEMA)
    assert encoder.encode(chunked).to_pylist() == fastavro_bytes(SCHEMA, rows)
    assert encoder.encode(table.slice(13, 20)).to_pylist() == fastavro_bytes(SCHEMA, rows[13:33])


def test_an_absent_nullable_column_is_null_in_every_row() -> None:
    rows = [{**r, "maybe_s": None} for r in random_rows(10, seed=5)]
    table = arrow_table(rows).drop_columns(["maybe_s"])
    assert ColumnEncoder(SCHEMA).encode(table).to_pylist() == fastavro_bytes(SCHEMA, rows)


def test_no_rows_no_values() -> None:
    table = arrow_table(random_rows(3, seed=1)).slice(0, 0)
    assert ColumnEncoder(SCHEMA).encode(table).to_pylist() == []


def test_varints_of_the_edges_match_fastavro() -> None:
    block = zigzag_varints(np.array(LONG_EDGES, np.int64))
    schema = {"type": "record", "name": "L", "fields": [{"name": "v", "type": "long"}]}
    expected = fastavro_bytes(schema, [{"v": v} for v in LONG_EDGES])
    assert block.row_lengths().tolist() == [len(e) for e in expected]
    assert block.flat() == b"".join(expected)


def test_null_in_a_required_field_is_refused_with_its_name() -> None:
    table = pa.table({"v": pa.array([1, None], pa.int64())})
    schema = {"type": "record", "name": "L", "fields": [{"name": "v", "type": "long"}]}
    with pytest.raises(SerializationError, match=r"'v'.*1 null value"):
        ColumnEncoder(schema).encode(table)


def test_a_missing_required_column_is_refused() -> None:
    schema = {"type": "record", "name": "L", "fields": [{"name": "v", "type": "long"}]}
    with pytest.raises(SerializationError, match="no column for a required field"):
        ColumnEncoder(schema).encode(pa.table({"w": [1]}))


@pytest.mark.parametrize(
    "field_type",
    [
        {"type": "array", "items": "long"},
        ["null", "long", "string"],
        {"type": "record", "name": "Inner", "fields": []},
        {"type": "enum", "name": "E", "symbols": ["A"]},
    ],
)
def test_unsupported_field_types_are_refused_when_built(field_type: Any) -> None:
    schema = {"type": "record", "name": "R", "fields": [{"name": "x", "type": field_type}]}
    with pytest.raises(SerializationError, match=r"R\.x.*primitive"):
        ColumnEncoder(schema)


def test_a_non_record_schema_is_refused() -> None:
    with pytest.raises(SerializationError, match="record schema"):
        ColumnEncoder({"type": "array", "items": "long"})  # type: ignore[arg-type]


def test_encoders_sharing_fields_encode_them_once_and_alike() -> None:
    rows = random_rows(30, seed=9)
    key = {"type": "record", "name": "K", "fields": [SCHEMA["fields"][2], SCHEMA["fields"][1]]}
    shared: dict[tuple[str, str], Any] = {}
    table = arrow_table(rows)
    keys = ColumnEncoder(key).encode(table, shared).to_pylist()
    assert set(shared) == {("s", "['string']"), ("ts", "['long']")}
    values = ColumnEncoder(SCHEMA).encode(table, shared).to_pylist()
    assert keys == fastavro_bytes(key, rows) and values == fastavro_bytes(SCHEMA, rows)


def test_a_null_typed_field_encodes_to_nothing_present_or_not() -> None:
    fields = [{"name": "v", "type": "long"}, {"name": "nothing", "type": "null"}]
    schema = {"type": "record", "name": "N", "fields": fields}
    rows = [{"v": 1, "nothing": None}, {"v": -300, "nothing": None}]
    with_column = pa.table({"v": [1, -300], "nothing": pa.nulls(2)})
    without = pa.table({"v": [1, -300]})
    expected = fastavro_bytes(schema, rows)
    assert ColumnEncoder(schema).encode(with_column).to_pylist() == expected
    assert ColumnEncoder(schema).encode(without).to_pylist() == expected
