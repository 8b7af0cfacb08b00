"""Avro binary encoding of whole columns at once: one encoded record per row of an Arrow table.

A record's Avro encoding is its fields' encodings one after the other, so every field can be
encoded for all rows with numpy (zigzag varints, length-prefixed strings, little-endian
doubles) into a padded matrix, one row per record, and the used bytes of all the matrices
taken out in one pass, in row order. Row by row in Python (fastavro, or a
dict per row into the native codec) costs 4 to 12 µs a row; this costs well under 1 µs, which
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


class Block(NamedTuple):
    """One field's encoding for every row, left-aligned in a padded matrix: row ``i`` is
    ``data[i, :lengths[i]]`` (``lengths`` None: every row uses the full width)."""

    data: np.ndarray
    lengths: np.ndarray | None = None

    def used(self) -> np.ndarray:
        """Which bytes of :attr:`data` belong to the encoding."""
        rows, width = self.data.shape
        if self.lengths is None:
            return np.ones((rows, width), bool)
        return np.arange(width) < self.lengths[:, None]

    def row_lengths(self) -> np.ndarray:
        rows, width = self.data.shape
        return np.full(rows, width, np.int64) if self.lengths is None else self.lengths

    def flat(self) -> bytes:
        """All rows' encodings, one after the other."""
        return self.data[self.used()].tobytes()


def zigzag_varints(values: np.ndarray) -> Block:
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
    septets = np.empty((len(z), width), np.uint8)
    for k in range(width):
        septets[:, k] = (z >> np.uint64(7 * k)).astype(np.uint8) | 0x80  # continuation bit
    last = septets[np.arange(len(z)), lengths - 1]
    septets[np.arange(len(z)), lengths - 1] = last & 0x7F  # ... except on the last septet
    return Block(septets, None if width == 1 else lengths)


def fixed_width(values: np.ndarray, dtype: str) -> Block:
    """Little-endian fixed-width values (Avro ``float``, ``double``, ``boolean``)."""
    v = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    return Block(v.view(np.uint8).reshape(len(v), v.dtype.itemsize))


def length_prefixed(array: pa.Array) -> list[Block]:
    """Avro ``string``/``bytes``: the byte length as a varint, then the bytes (nulls empty)."""
    array = array.cast(pa.large_binary()).fill_null(b"")
    offsets_buffer, data_buffer = array.buffers()[1:3]
    offsets = np.frombuffer(offsets_buffer, np.int64)[array.offset : array.offset + len(array) + 1]
    raw = np.frombuffer(data_buffer, np.uint8) if data_buffer is not None else np.empty(0, np.uint8)
    lengths = np.diff(offsets)
    width = int(lengths.max()) if len(lengths) else 0
    if width == 0:
        return [zigzag_varints(lengths)]
    # gather every row's bytes into a row of the matrix; positions past the end repeat a byte
    # that the lengths then leave out
    index = np.minimum(offsets[:-1, None] + np.arange(width), max(len(raw) - 1, 0))
    return [zigzag_varints(lengths), Block(raw[index], lengths)]


def concatenated(blocks: list[Block]) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the rows' bytes of each block in order: (all rows' bytes, row lengths)."""
    data = np.concatenate([b.data for b in blocks], axis=1)
    used = np.concatenate([b.used() for b in blocks], axis=1)
    lengths = np.zeros(len(data), np.int64)
    for block in blocks:
        lengths += block.row_lengths()
    return data[used], lengths


def _masked(blocks: list[Block], present: np.ndarray) -> list[Block]:
    """``blocks`` encoding nothing in the rows where ``present`` is False."""
    return [Block(b.data, np.where(present, b.row_lengths(), 0)) for b in blocks]


Encode = Callable[[pa.Array], list[Block]]
_NULL = repr(["null"])  # the type key of a field of Avro type null


def _primitive(type_: str) -> Encode | None:
    if type_ in ("int", "long"):
        return lambda a: [zigzag_varints(a.fill_null(0).to_numpy(zero_copy_only=False))]
    if type_ in ("float", "double"):
        dtype = "f4" if type_ == "float" else "f8"
        return lambda a: [fixed_width(a.fill_null(0).to_numpy(zero_copy_only=False), dtype)]
    if type_ == "boolean":
        return lambda a: [fixed_width(a.fill_null(False).to_numpy(zero_copy_only=False), "u1")]
    if type_ in ("string", "bytes"):
        return length_prefixed
    if type_ == "null":
        return lambda a: []  # no bytes (see ColumnEncoder._blocks)
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
    type_key: str  # the field's type (its encoding depends on nothing else)


def _field(field: dict[str, Any], record: str) -> _Field:
    name, schema = field["name"], _base_type(field["type"])
    branches = schema if isinstance(schema, list) else [schema]
    kinds = [_base_type(b) for b in branches]
    if len(kinds) == 1 and isinstance(kinds[0], str) and _primitive(kinds[0]):
        return _Field(name, _primitive(kinds[0]), False, 0, repr(kinds))  # type: ignore[arg-type]
    if len(kinds) == 2 and "null" in kinds:
        other = kinds[1 - kinds.index("null")]
        encode = _primitive(other) if isinstance(other, str) else None
        if encode is not None:
            return _Field(name, encode, True, kinds.index("null"), repr(kinds))
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

    def encode(
        self,
        table: pa.Table | pa.RecordBatch,
        shared: dict[tuple[str, str], list[Block]] | None = None,
    ) -> pa.Array:
        """One binary value per row; ``table`` has a column per field, by name.

        ``shared`` keeps the fields' encodings for other encoders of the same table (a key
        record and its value share fields): pass one dict to each.
        """
        n = table.num_rows
        header = np.frombuffer(self.prefix, np.uint8)
        blocks = [Block(np.broadcast_to(header, (n, len(header))))]
        shared = {} if shared is None else shared
        for field in self.fields:
            key = (field.name, field.type_key)
            if key not in shared:
                shared[key] = self._blocks(field, table, n)
            blocks += shared[key]
        data, lengths = concatenated(blocks)
        offsets = np.zeros(n + 1, np.int64)
        np.cumsum(lengths, out=offsets[1:])
        buffers = [None, pa.py_buffer(offsets), pa.py_buffer(data)]
        return pa.Array.from_buffers(pa.large_binary(), n, buffers).cast(pa.binary())

    def _blocks(self, field: _Field, table: pa.Table | pa.RecordBatch, n: int) -> list[Block]:
        if field.type_key == _NULL:  # a null field is encoded as nothing, whatever the column
            return []
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
            return value
        present = column.is_valid().to_numpy(zero_copy_only=False)
        branch = np.where(present, 1 - field.null_branch, field.null_branch)
        return [zigzag_varints(branch), *_masked(value, present)]
