"""Column types → Avro schemas (Debezium's mapping) and the per-table change event schemas.

Debezium describes values with Kafka Connect schemas; pipeway uses Avro directly and keeps
Debezium's semantic names as ``connect.name``/``connect.parameters`` properties (as
Confluent's AvroConverter writes them), so consumers see the same shapes. The one deliberate
difference: DECIMAL uses Avro's ``decimal`` logical type (bytes, precision, scale) rather
than only ``org.apache.kafka.connect.data.Decimal``; both names are attached.

A :class:`TableSchema` is built once per table definition and its dicts are reused for
every row: the runtime caches registered schemas by object identity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pipeway.connect.sources.mysql_cdc import values as conv
from pipeway.connect.sources.mysql_cdc.catalog import ColumnDef, TableDef
from pipeway.connect.sources.mysql_cdc.exceptions import UnsupportedColumnType
from pipeway.connect.sources.mysql_cdc.filters import CaptureFilter
from pipeway.connect.sources.mysql_cdc.settings import MySqlCdcSettings
from pipeway.connect.sources.mysql_cdc.source_info import source_schema, transaction_schema

STRING_TYPES = frozenset({"char", "varchar", "tinytext", "text", "mediumtext", "longtext"})
BYTES_TYPES = frozenset({"varbinary", "tinyblob", "blob", "mediumblob", "longblob"})
_INVALID_NAME_CHARS = re.compile(r"[^A-Za-z0-9_]")
_QUOTED = re.compile(r"'((?:[^']|'')*)'")


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """How one column becomes one Avro field, with a converter per reader (None: as is)."""

    column: str
    field: str
    avro_type: Any
    nullable: bool
    snapshot: conv.Converter | None
    binlog: conv.Converter | None
    native: NativeConv = ("same", 0)
    """What the native binlog decoder applies instead of ``binlog`` (see ``native_rows``)."""


def avro_name(text: str) -> str:
    """A valid Avro name: invalid characters become ``_``, a leading digit gets one."""
    name = _INVALID_NAME_CHARS.sub("_", text)
    return f"_{name}" if not name or name[0].isdigit() else name


def _semantic(avro_type: str, name: str, **params: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": avro_type, "connect.name": name}
    if params:
        schema["connect.parameters"] = {k: str(v) for k, v in params.items()}
    return schema


def _decimal(precision: int, scale: int) -> dict[str, Any]:
    return {
        "type": "bytes",
        "logicalType": "decimal",
        "precision": precision,
        "scale": scale,
        "connect.name": "org.apache.kafka.connect.data.Decimal",
        "connect.parameters": {"scale": str(scale), "connect.decimal.precision": str(precision)},
    }


def _allowed(column_type: str) -> tuple[str, ...]:
    """The members of ``enum('a','b')``/``set('a','b')`` in definition order."""
    return tuple(m.replace("''", "'") for m in _QUOTED.findall(column_type))


NativeConv = tuple[str, int]
"""The native decoder's name for a binlog conversion, with its parameter."""


def allowed_members(col: ColumnDef) -> tuple[str, ...]:
    """The members of an ENUM or SET column, in definition order."""
    return _allowed(col.column_type)


Mapped = tuple[Any, conv.Converter | None, conv.Converter | None, NativeConv]
"""(Avro type, snapshot converter, binlog converter, native conversion)."""

SAME: NativeConv = ("same", 0)


def _integer(col: ColumnDef, settings: MySqlCdcSettings) -> Mapped:
    int16 = {"type": "int", "connect.type": "int16"}
    t, unsigned = col.data_type, col.unsigned
    if t == "tinyint" or (t == "smallint" and not unsigned):
        return int16, None, None, SAME
    if t in ("smallint", "mediumint") or (t == "int" and not unsigned):
        return "int", None, None, SAME
    if t == "int" or not unsigned:  # INT UNSIGNED, BIGINT
        return "long", None, None, SAME
    if settings.bigint_unsigned_handling_mode == "precise":
        precise = conv.unsigned_bigint_precise
        return _decimal(20, 0), precise, precise, ("decimal_of_int", 0)
    wrap = conv.unsigned_bigint_long
    return "long", wrap, wrap, ("wrap_u64", 0)


def _decimal_column(col: ColumnDef, settings: MySqlCdcSettings) -> Mapped:
    mode = settings.decimal_handling_mode
    if mode == "double":
        return "double", conv.decimal_double, conv.decimal_double, ("decimal_double", 0)
    if mode == "string":
        return "string", conv.decimal_string, conv.decimal_string, ("decimal_string", 0)
    return _decimal(col.precision or 10, col.scale or 0), None, None, SAME


def _temporal(col: ColumnDef) -> Mapped:
    fsp = col.datetime_precision or 0
    if col.data_type == "date":
        schema = {"type": "int", "logicalType": "date", "connect.name": "io.debezium.time.Date"}
        return schema, conv.date_days, conv.date_days, ("date_days", 0)
    if col.data_type == "time":
        micro_time = _semantic("long", "io.debezium.time.MicroTime")
        micro_time["logicalType"] = "time-micros"
        if fsp:
            return micro_time, conv.time_micros, conv.binlog_time_micros, ("binlog_time_micros", 0)
        return micro_time, conv.time_micros, conv.time_micros, ("time_micros", 0)
    if col.data_type == "datetime":
        if fsp <= 3:
            schema = _semantic("long", "io.debezium.time.Timestamp")
            schema["logicalType"] = "timestamp-millis"
            return schema, conv.datetime_millis, conv.datetime_millis, ("datetime_millis", 0)
        schema = _semantic("long", "io.debezium.time.MicroTimestamp")
        schema["logicalType"] = "timestamp-micros"
        return schema, conv.datetime_micros, conv.datetime_micros, ("datetime_micros", 0)
    zoned = conv.zoned_timestamp(fsp)  # timestamp
    return _semantic("string", "io.debezium.time.ZonedTimestamp"), zoned, zoned, ("zoned", fsp)


def _bits(col: ColumnDef) -> Mapped:
    bits = col.precision or 1
    if bits == 1:
        return "boolean", conv.bit_boolean, conv.bit_boolean, ("bit_bool", 0)
    convert = conv.bits_little_endian(bits)
    schema = _semantic("bytes", "io.debezium.data.Bits", length=bits)
    return schema, convert, convert, ("bits", bits)


def _binary(col: ColumnDef) -> Mapped:
    if col.data_type == "binary":
        length = col.octet_length or col.char_length or 0
        pad = conv.padded_bytes(length)
        return "bytes", pad, pad, ("padded", length)
    return "bytes", conv.raw_bytes, conv.raw_bytes, ("raw_bytes", 0)


def _other(col: ColumnDef) -> Mapped | None:
    t = col.data_type
    if t in STRING_TYPES:
        return "string", None, None, SAME
    if t == "json":
        json_schema = _semantic("string", "io.debezium.data.Json")
        return json_schema, conv.json_string, conv.json_string, ("json", 0)
    if t == "enum":
        allowed = ",".join(_allowed(col.column_type))
        return _semantic("string", "io.debezium.data.Enum", allowed=allowed), None, None, SAME
    if t == "set":
        members = _allowed(col.column_type)
        to_text = conv.set_string(members)
        schema = _semantic("string", "io.debezium.data.EnumSet", allowed=",".join(members))
        return schema, to_text, to_text, ("set_string", 0)
    if t == "year":
        return _semantic("int", "io.debezium.time.Year"), None, None, SAME
    if t == "float":
        # FLOAT(M,D) is a double in Debezium; FLOAT and FLOAT(p<=24) a 4-byte float
        if "," in col.column_type:
            digits = col.scale or 0
            return "double", None, conv.rounded(digits), ("round", digits)
        return "float", None, None, SAME
    if t in ("double", "real"):
        return "double", None, None, SAME
    return None


def map_column(col: ColumnDef, settings: MySqlCdcSettings, qualified: str) -> FieldMapping:
    """The Avro field of one column.

    Raises:
        UnsupportedColumnType: for spatial and other types without a Debezium mapping here.
    """
    t = col.data_type
    mapped: Mapped | None
    if t in ("tinyint", "smallint", "mediumint", "int", "integer", "bigint"):
        mapped = _integer(col, settings)
    elif t in ("decimal", "numeric"):
        mapped = _decimal_column(col, settings)
    elif t in ("date", "time", "datetime", "timestamp"):
        mapped = _temporal(col)
    elif t == "bit":
        mapped = _bits(col)
    elif t == "binary" or t in BYTES_TYPES:
        mapped = _binary(col)
    else:
        mapped = _other(col)
    if mapped is None:
        raise UnsupportedColumnType(f"{qualified}.{col.name}", col.column_type)
    avro_type, snapshot, binlog, native = mapped
    field = avro_name(col.name)
    return FieldMapping(col.name, field, avro_type, col.nullable, snapshot, binlog, native)


def _avro_field(mapping: FieldMapping) -> dict[str, Any]:
    if mapping.nullable:
        return {"name": mapping.field, "type": ["null", mapping.avro_type], "default": None}
    return {"name": mapping.field, "type": mapping.avro_type}


@dataclass(frozen=True, slots=True, eq=False)
class TableSchema:
    """Everything needed to turn rows of one table definition into change events."""

    table: TableDef
    topic: str
    fields: tuple[FieldMapping, ...]
    key_fields: tuple[str, ...]
    key_schema: dict[str, Any] | None
    value_schema: dict[str, Any]
    set_fields: tuple[tuple[str, str], ...]
    """(field, column) of SET columns: the binlog reader turns an empty SET into None."""


def build_table_schema(
    table: TableDef, settings: MySqlCdcSettings, capture: CaptureFilter
) -> TableSchema:
    """Key, row and envelope schemas of ``table`` (excluded columns left out)."""
    fields = tuple(
        map_column(c, settings, table.qualified)
        for c in table.columns
        if capture.column(table.db, table.table, c.name)
    )
    namespace = ".".join(avro_name(p) for p in (settings.topic_prefix, table.db, table.table))
    by_column = {f.column: f for f in fields}
    key_mappings = [by_column[c] for c in table.primary_key if c in by_column]
    key_schema = None
    if key_mappings and len(key_mappings) == len(table.primary_key):
        key_schema = _record("Key", namespace, [_avro_field(f) for f in key_mappings])
    row = _record("Value", namespace, [_avro_field(f) for f in fields])
    return TableSchema(
        table=table,
        topic=f"{settings.topic_prefix}.{table.db}.{table.table}",
        fields=fields,
        key_fields=tuple(f.field for f in key_mappings) if key_schema else (),
        key_schema=key_schema,
        value_schema=_envelope(namespace, row),
        set_fields=tuple((f.field, f.column) for f in fields if f.column in _set_columns(table)),
    )


def _set_columns(table: TableDef) -> set[str]:
    return {c.name for c in table.columns if c.data_type == "set"}


def _record(name: str, namespace: str, fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "record",
        "name": name,
        "namespace": namespace,
        "connect.name": f"{namespace}.{name}",
        "fields": fields,
    }


def _envelope(namespace: str, row: dict[str, Any]) -> dict[str, Any]:
    """Debezium's envelope: before/after rows, source, op, ts_ms, transaction."""
    return {
        "type": "record",
        "name": "Envelope",
        "namespace": namespace,
        "connect.name": f"{namespace}.Envelope",
        "fields": [
            {"name": "before", "type": ["null", row], "default": None},
            {"name": "after", "type": ["null", f"{namespace}.Value"], "default": None},
            {"name": "source", "type": source_schema()},
            {"name": "op", "type": "string"},
            {"name": "ts_ms", "type": ["null", "long"], "default": None},
            {"name": "transaction", "type": ["null", transaction_schema()], "default": None},
        ],
    }
