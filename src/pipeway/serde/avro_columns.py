"""Avro binary encoding of whole columns at once: one encoded record per row of an Arrow table.

A record's Avro encoding is its fields' encodings one after the other, so every field can be
encoded for all rows with numpy (zigzag varints, length-prefixed strings, little-endian
doubles) and the pieces interleaved by computed offsets. Row by row in Python (fastavro, or a
dict per row into the native codec) costs 4 to 12 µs a row; this costs about 2 µs, which is what
lets a streaming job hand Spark finished Kafka values instead of wide rows to encode.

Supported: records of ``null``, ``boolean``, ``int``, ``long``, ``float``, ``double``,
``string`` and ``bytes`` (logical types over them are their base type), and unions of
``null`` with one of those — the shape of flat output rows. Anything else is refused when the
encoder is built, so a schema change fails at job start rather than mid-stream.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa

from pipeway.serde.exceptions import SerializationError

_MAX_VARINT = 10  # bytes of a zigzag varint of a 64-bit value


class Piece(NamedTuple):
    """One field's encoding for every row: ``lengths[i]`` bytes of row ``i``, all rows'
    bytes concatenated in row order in ``data``."""

    lengths: np.ndarray
    data: np.ndarray


def zigzag_varints(values: np.ndarray) -> Piece:
    """Avro ``int``/``long`` encoding (zigzag, then base-128 varint) of every value."""
    v = np.asarray(values, dtype=np.int64)
    z = ((v << 1) ^ (v >> 63)).view(np.uint64)
    lengths = np.ones(len(z), np.int64)  # 7-bit groups: at least one
    for k in range(1, _MAX_VARINT):
        over = z >= np.uint64(1 << (7 * k))
        if not over.any():
            break
        lengths += over
    width = int(lengths.max()) if len(z) else 1
    groups = np.arange(width, dtype=np.uint64) * np.uint64(7)
    septets = ((z[:, None] >> groups) & np.uint64(0x7F)).astype(np.uint8)
    position = np.arange(width)
    septets[position < (lengths[:, None] - 1)] |= 0x80  # continuation bit: more follow
    return Piece(lengths, septets[position < lengths[:, None]])


def fixed_width(values: np.ndarray, dtype: str) -> Piece:
    """Little-endian fixed-width values (Avro ``float``, ``double``, ``boolean``)."""
    v = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    width = v.dtype.itemsize
    return Piece(np.full(len(v), width, np.int64), v.view(np.uint8))


def length_prefixed(array: pa.Array) -> Piece:
    """Avro ``string``/``bytes``: the byte length as a varint, then the bytes (nulls empty)."""
    array = array.cast(pa.large_binary()).fill_null(b"")
    validity, offsets_buffer, data_buffer = array.buffers()
    del validity
    offsets = np.frombuffer(offsets_buffer, np.int64)[array.offset : array.offset + len(array) + 1]
    raw = np.frombuffer(data_buffer, np.uint8) if data_buffer is not None else np.empty(0, np.uint8)
    lengths = np.diff(offsets)
    prefix = zigzag_varints(lengths)
    return interleave([prefix, Piece(lengths, raw[offsets[0] : offsets[-1]])])


def interleave(pieces: list[Piece]) -> Piece:
    """Concatenate, per row, the rows' bytes of each piece in order."""
    total = np.zeros(len(pieces[0].lengths), np.int64)
    for piece in pieces:
        total += piece.lengths
    starts = np.zeros(len(total) + 1, np.int64)
    np.cumsum(total, out=starts[1:])
    out = np.empty(int(starts[-1]), np.uint8)
    before = starts[:-1].copy()  # where each row's next piece begins
    for piece in pieces:
        if len(piece.data):
            within = np.zeros(len(piece.lengths) + 1, np.int64)
            np.cumsum(piece.lengths, out=within[1:])
            shift = np.repeat(before - within[:-1], piece.lengths)
            out[shift + np.arange(len(piece.data))] = piece.data
        before += piece.lengths
    return Piece(total, out)


def _masked(piece: Piece, present: np.ndarray) -> Piece:
    """Keep only the rows of ``piece`` where ``present`` (others encode to nothing)."""
    keep = np.repeat(present, piece.lengths)
    return Piece(np.where(present, piece.lengths, 0), piece.data[keep])


Encode = Callable[[pa.Array], Piece]


def _primitive(type_: str) -> Encode | None:
    if type_ in ("int", "long"):
        return lambda a: zigzag_varints(a.fill_null(0).to_numpy(zero_copy_only=False))
    if type_ in ("float", "double"):
        dtype = "f4" if type_ == "float" else "f8"
        return lambda a: fixed_width(a.fill_null(0).to_numpy(zero_copy_only=False), dtype)
    if type_ == "boolean":
        return lambda a: fixed_width(a.fill_null(False).to_numpy(zero_copy_only=False), "u1")
    if type_ in ("string", "bytes"):
        return length_prefixed
    if type_ == "null":
        return lambda a: Piece(np.zeros(len(a), np.int64), np.empty(0, np.uint8))
    return None


def _base_type(schema: Any) -> Any:
    """``{"type": "long", "logicalType": ...}`` → ``"long"`` (logical types encode as their
    base type); other schemas unchanged."""
    if isinstance(schema, dict) and isinstance(schema.get("type"), str):
        return schema["type"]
    return schema


@dataclass(frozen=True)
class _Field:
    name: str
    encode: Encode
    nullable: bool
    null_branch: int  # the union index of null (0 or 1); unused when not nullable


def _field(field: dict[str, Any], record: str) -> _Field:
    name, schema = field["name"], _base_type(field["type"])
    branches = schema if isinstance(schema, list) else [schema]
    kinds = [_base_type(b) for b in branches]
    if len(kinds) == 1 and isinstance(kinds[0], str) and _primitive(kinds[0]):
        return _Field(name, _primitive(kinds[0]), False, 0)  # type: ignore[arg-type]
    if len(kinds) == 2 and "null" in kinds:
        other = kinds[1 - kinds.index("null")]
        encode = _primitive(other) if isinstance(other, str) else None
        if encode is not None:
            return _Field(name, encode, True, kinds.index("null"))
    raise SerializationError(
        f"column-wise Avro encoding supports primitive fields and unions of null with one "
        f"primitive, not {field['type']!r}",
        field_path=f"{record}.{name}",
    )


class ColumnEncoder:
    """Encodes the rows of Arrow tables as schemaless Avro records of one record schema,
    optionally behind a fixed prefix (the Confluent wire header of a registered schema)."""

    def __init__(self, schema: dict[str, Any], prefix: bytes = b"") -> None:
        if not isinstance(schema, dict) or schema.get("type") != "record":
            raise SerializationError("column-wise Avro encoding needs a record schema")
        record = str(schema.get("name", "record"))
        self.schema = schema
        self.prefix = prefix
        self.fields = [_field(f, record) for f in schema["fields"]]

    def encode(self, table: pa.Table | pa.RecordBatch) -> pa.Array:
        """One binary value per row; ``table`` has a column per field, by name."""
        n = table.num_rows
        pieces = [Piece(np.full(n, len(self.prefix), np.int64),
                        np.tile(np.frombuffer(self.prefix, np.uint8), n))]  # fmt: skip
        for field in self.fields:
            pieces += self._pieces(field, table, n)
        whole = interleave(pieces)
        offsets = np.zeros(n + 1, np.int64)
        np.cumsum(whole.lengths, out=offsets[1:])
        buffers = [None, pa.py_buffer(offsets), pa.py_buffer(whole.data)]
        return pa.Array.from_buffers(pa.large_binary(), n, buffers).cast(pa.binary())

    def _pieces(self, field: _Field, table: pa.Table | pa.RecordBatch, n: int) -> list[Piece]:
        if field.name not in table.column_names:
            if field.nullable:  # an absent nullable column: null in every row
                return [zigzag_varints(np.full(n, field.null_branch))]
            raise SerializationError("no column for a required field", field_path=field.name)
        column = table.column(field.name)
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        value = field.encode(column)
        if not field.nullable:
            if column.null_count:
                raise SerializationError(
                    f"{column.null_count} null value(s) in a field that is not nullable",
                    field_path=field.name,
                )
            return [value]
        present = column.is_valid().to_numpy(zero_copy_only=False)
        branch = np.where(present, 1 - field.null_branch, field.null_branch)
        return [zigzag_varints(branch), _masked(value, present)]
