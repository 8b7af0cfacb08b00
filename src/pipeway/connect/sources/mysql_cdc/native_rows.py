"""The compiled row decoder (``pipeway_binlog_native``), with the Python path as fallback.

``mysql-replication`` decodes rows in pure Python, lazily, when ``event.rows`` is first read;
the connector then converts each value to Debezium's representation (``values.py``). The
native decoder (built from ``native/binlog`` by ``scripts/build-native.sh``) does both in one
pass over the event's raw body, taken from the packet before ``rows`` is touched.

It only handles what it reproduces exactly: a table with a column it does not
(``UnsupportedColumn``: MySQL binary JSON, spatial types, charsets other than utf8/latin1/
ascii/binary, a binlog definition that no longer matches the catalog's) keeps the Python
path, and an event whose data it cannot decode exactly (``RowDecodeError``: e.g. a date
Python's ``datetime`` refuses) is decoded again by the Python path, so the outcome is always
the Python path's. ``PIPEWAY_BINLOG_NATIVE=0`` turns it off (read when a task starts).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from pymysqlreplication.row_event import PartialUpdateRowsEvent, UpdateRowsEvent

from pipeway.connect.sources.mysql_cdc.schema_mapping import TableSchema, allowed_members

log = logging.getLogger(__name__)

ENV_VAR = "PIPEWAY_BINLOG_NATIVE"

_native: Any
try:
    import pipeway_binlog_native as _native
except ImportError:  # not built: the Python path only
    _native = None

# mysql-replication's FIELD_TYPE codes whose metadata the decoder needs
_VARCHAR, _STRING, _BLOB, _ENUM, _SET, _BIT, _NEWDECIMAL = 15, 254, 252, 247, 248, 16, 246
_TEMPORAL_FSP = (17, 18, 19)  # TIMESTAMP2, DATETIME2, TIME2

Spec = tuple[int, int, bool, str | None, str, int, list[str] | None]


class NotNative(Exception):
    """This table is decoded by the Python path (the reason is the message)."""


def native_available() -> bool:
    """Tell whether the extension is installed (regardless of ``PIPEWAY_BINLOG_NATIVE``)."""
    return _native is not None


def native_enabled() -> bool:
    """Tell whether the native decoder is installed and not turned off."""
    return _native is not None and os.environ.get(ENV_VAR, "1").strip() != "0"


def _meta(col: Any) -> int:
    t = col.type
    if t in (_VARCHAR, _STRING):
        return int(col.max_length)
    if t == _BLOB:
        return int(col.length_size)
    if t in _TEMPORAL_FSP:
        return int(col.fsp)
    if t == _NEWDECIMAL:
        return int(col.precision) << 8 | int(col.decimals)
    if t == _BIT:
        return int(col.bits)
    if t in (_ENUM, _SET):
        return int(col.size)
    return 0


def column_spec(col: Any, mapping: Any, catalog: Any) -> Spec:
    """The native decoder's description of one table-map column (``mapping`` None: skip).

    Raises:
        NotNative: the Python path must decode this column.
    """
    kind, param = mapping.native if mapping is not None else ("skip", 0)
    names: list[str] | None = None
    if col.type == _ENUM and kind != "skip":
        names = list(col.enum_values) if col.enum_values else None
    elif col.type == _SET and kind != "skip":
        names = list(col.set_values) if col.set_values else None
        if names is None or catalog is None or tuple(names) != allowed_members(catalog):
            raise NotNative(f"SET {col.name}: binlog members differ from the catalog's")
    charset = col.character_set_name
    return (int(col.type), _meta(col), bool(col.unsigned), charset, kind, int(param), names)


def build_decoder(table: Any, schema: TableSchema) -> Any:
    """A ``RowDecoder`` for a table map (``pymysqlreplication.table.Table``) and a schema.

    Raises:
        NotNative: the Python path must decode this table.
    """
    if _native is None:
        raise NotNative("pipeway_binlog_native is not installed")
    by_column = {f.column: f for f in schema.fields}
    catalog = {c.name: c for c in schema.table.columns}
    index: dict[str, int] = {}
    specs = []
    for i, col in enumerate(table.columns):
        if not col.name:
            raise NotNative("the table map has no column names (binlog_row_metadata=FULL)")
        index[col.name] = i
        specs.append(column_spec(col, by_column.get(col.name), catalog.get(col.name)))
    fields = [(f.field, index.get(f.column)) for f in schema.fields]
    try:
        return _native.RowDecoder(specs, fields)
    except _native.UnsupportedColumn as exc:
        raise NotNative(str(exc)) from exc


def event_body(event: Any) -> tuple[bytes, int, int] | None:
    """The packet bytes and the range holding the row images of a not yet decoded event."""
    wrapper = event.packet
    if getattr(wrapper, "_BinLogPacketWrapper__data_buffer", b"") or not event.complete:
        return None
    packet = wrapper.packet
    data = packet._data
    start = packet._position
    end = start + event.event_size - wrapper.read_bytes
    if not isinstance(data, bytes) or end > len(data):
        return None
    return data, start, end


class NativeRows:
    """Decodes rows events natively where possible; None means "use the Python path"."""

    def __init__(self) -> None:
        self._by_table: dict[int, tuple[Any, TableSchema, Any]] = {}
        self._by_signature: dict[tuple[int, str], tuple[TableSchema, Any]] = {}
        self.native_events = 0
        """Row events decoded natively."""
        self.python_events = 0
        """Row events left to the Python path (unsupported table or data)."""

    def rows(self, event: Any, schema: TableSchema) -> list[Any] | None:
        """Row dicts (write/delete) or ``(before, after)`` pairs (update), or None."""
        rows = self._decode(event, schema)
        if rows is None:
            self.python_events += 1
        else:
            self.native_events += 1
        return rows

    def _decode(self, event: Any, schema: TableSchema) -> list[Any] | None:
        if isinstance(event, PartialUpdateRowsEvent):
            return None
        decoder = self._decoder(event, schema)
        if decoder is None or event.number_of_columns != len(event.columns):
            return None
        body = event_body(event)
        if body is None:
            return None
        data, start, end = body
        try:
            if isinstance(event, UpdateRowsEvent):
                return decoder.update_rows(
                    data, start, end, event.columns_present_bitmap, event.columns_present_bitmap2
                )
            return decoder.rows(data, start, end, event.columns_present_bitmap)
        except _native.RowDecodeError as exc:
            log.debug("native decode of %s.%s fell back: %s", event.schema, event.table, exc)
            return None

    def _decoder(self, event: Any, schema: TableSchema) -> Any:
        """The table's decoder, cached per table map object and per column signature (every
        transaction brings a new table map object for the same definition)."""
        table = event.table_map[event.table_id]
        cached = self._by_table.get(event.table_id)
        if cached is not None and cached[0] is table and cached[1] is schema:
            return cached[2]
        signature = (event.table_id, repr([sorted(c.data.items()) for c in table.columns]))
        known = self._by_signature.get(signature)
        if known is not None and known[0] is schema:
            decoder = known[1]
        else:
            try:
                decoder = build_decoder(table, schema)
            except NotNative as exc:
                log.info("table=%s.%s decoded in Python: %s", event.schema, event.table, exc)
                decoder = None
            self._by_signature[signature] = (schema, decoder)
        self._by_table[event.table_id] = (table, schema, decoder)
        return decoder
