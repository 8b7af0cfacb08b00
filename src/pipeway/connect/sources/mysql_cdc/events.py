"""Turning rows into Debezium change events: the per-row hot path, kept lean.

Everything that does not depend on the row (field lists, converters, the source template) is
prepared once per table schema or per binlog event; per row there is one dict for the row,
one for the envelope, one for ``source`` and one for the offset.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pipeway.connect.api import SourceRecord
from pipeway.connect.sources.mysql_cdc.schema_mapping import TableSchema
from pipeway.connect.sources.mysql_cdc.values import Converter

Row = dict[str, Any]


class RowEncoder:
    """Builds Avro row dicts of one table schema from either reader's raw rows."""

    __slots__ = (
        "_binlog_convs",
        "_names",
        "_snapshot_convs",
        "fields",
        "key_fields",
        "key_of",
        "schema",
    )

    def __init__(self, schema: TableSchema) -> None:
        self.schema = schema
        self.fields = tuple(f.field for f in schema.fields)
        self.key_fields = schema.key_fields
        self.key_of = _key_function(tuple(schema.key_fields))  # ``key`` without a method call
        self._names = tuple((f.field, f.column) for f in schema.fields)
        self._binlog_convs = _convs(schema, binlog=True)
        self._snapshot_convs = _convs(schema, binlog=False)

    def from_snapshot(self, row: Sequence[Any]) -> Row:
        """A row selected with the schema's columns, in order."""
        out = dict(zip(self.fields, row, strict=True))
        _apply(out, self._snapshot_convs)
        return out

    def from_binlog(self, raw: dict[str, Any]) -> Row:
        """A ``mysql-replication`` row ({"values": ..., "none_sources": ...} part)."""
        get = raw.get
        out = {field: get(column) for field, column in self._names}
        _apply(out, self._binlog_convs)
        return out

    def key(self, row: Row) -> Row | None:
        """The key of ``row`` (None for a table without a key)."""
        return self.key_of(row)


def _key_function(fields: tuple[str, ...]) -> Callable[[Row], Row | None]:
    """The key builder of a table, specialised for the common one-column key (per row)."""
    if not fields:
        return lambda row: None
    if len(fields) == 1:
        (name,) = fields
        return lambda row: {name: row[name]}
    return lambda row: {k: row[k] for k in fields}


def _convs(schema: TableSchema, binlog: bool) -> tuple[tuple[str, Converter], ...]:
    pairs = ((f.field, f.binlog if binlog else f.snapshot) for f in schema.fields)
    return tuple((name, c) for name, c in pairs if c is not None)


def _apply(out: Row, convs: tuple[tuple[str, Converter], ...]) -> None:
    for name, convert in convs:
        value = out[name]
        if value is not None:
            out[name] = convert(value)


def fix_empty_sets(out: Row, none_sources: dict[str, str] | None, schema: TableSchema) -> None:
    """An empty SET is ``''`` in Debezium; the binlog reader reports it as None."""
    if none_sources:
        for field, column in schema.set_fields:
            if none_sources.get(column) == "empty set":
                out[field] = ""


EncoderFor = Callable[[TableSchema], RowEncoder]


class EncoderCache:
    """One encoder per schema object (a new schema after DDL gets a new encoder)."""

    def __init__(self) -> None:
        self._encoders: dict[int, RowEncoder] = {}

    def __call__(self, schema: TableSchema) -> RowEncoder:
        encoder = self._encoders.get(id(schema))
        if encoder is None or encoder.schema is not schema:
            encoder = RowEncoder(schema)
            self._encoders[id(schema)] = encoder
        return encoder


def change_record(
    schema: TableSchema,
    key: Row | None,
    envelope: dict[str, Any],
    partition: dict[str, Any],
    offset: dict[str, Any],
) -> SourceRecord:
    # positional: the frozen dataclass builds noticeably faster than with keywords (per row)
    return SourceRecord(
        schema.topic, key, envelope, partition, offset, schema.key_schema, schema.value_schema
    )


def tombstone(
    schema: TableSchema, key: Row, partition: dict[str, Any], offset: dict[str, Any]
) -> SourceRecord:
    """The delete's follow-up with a null value, so compaction can drop the key."""
    return SourceRecord(
        topic=schema.topic,
        key=key,
        value=None,
        source_partition=partition,
        source_offset=offset,
        key_schema=schema.key_schema,
        value_schema=None,
    )
