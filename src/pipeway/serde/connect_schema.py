"""Kafka Connect schemas in JsonConverter's JSON form, and their derivation from Avro.

Connect sinks (JDBC, Elasticsearch, S3...) read ``{"schema": ..., "payload": ...}`` envelopes
whose schema uses Connect's types, not Avro's. The mapping follows Confluent's AvroConverter:
``int`` → ``int32``, ``long`` → ``int64``, ``float``/``double`` keep their names (which is
what JsonConverter writes for FLOAT32/FLOAT64), records → ``struct`` named by the record's
full name, ``["null", T]`` → ``T`` with ``optional: true``, and the Avro logical types
``decimal``, ``date``, ``time-millis``, ``timestamp-millis`` → Connect's logical types.
"""

from __future__ import annotations

import base64
from typing import Any

from fastavro.schema import expand_schema

from pipeway.serde.avro_schema import ParsedSchema, parse_schema_str
from pipeway.serde.exceptions import SchemaConversionError, SchemaParseError

ConnectSchema = dict[str, Any]

DECIMAL = "org.apache.kafka.connect.data.Decimal"
DATE = "org.apache.kafka.connect.data.Date"
TIME = "org.apache.kafka.connect.data.Time"
TIMESTAMP = "org.apache.kafka.connect.data.Timestamp"
DECIMAL_SCALE = "scale"
DECIMAL_PRECISION = "connect.decimal.precision"
ENUM_PARAMETER = "io.confluent.connect.avro.Enum"
FIXED_SIZE_PARAMETER = "connect.fixed.size"

PRIMITIVE_TYPES = frozenset(
    {"boolean", "int8", "int16", "int32", "int64", "float", "double", "bytes", "string"}
)
TYPE_ALIASES = {"float32": "float", "float64": "double"}
"""Names of Connect's ``Schema.Type`` enum, accepted when reading schemas written by hand."""

_AVRO_PRIMITIVES = {
    "boolean": "boolean",
    "int": "int32",
    "long": "int64",
    "float": "float",
    "double": "double",
    "bytes": "bytes",
    "string": "string",
}
_CONNECT_INT_HINTS = frozenset({"int8", "int16"})


def connect_schema_from_avro(schema: str | ParsedSchema) -> ConnectSchema:
    """Convert an Avro schema to the Connect schema JsonConverter puts in envelopes.

    Args:
        schema: an Avro schema string or a schema parsed by fastavro.

    Returns:
        The Connect schema as a JSON-ready dict.

    Raises:
        SchemaParseError: the Avro schema is invalid.
        SchemaConversionError: the schema uses a construct Connect JSON cannot express
            (a union of several non-null types, a recursive type, a bare ``null``).
    """
    parsed = parse_schema_str(schema) if isinstance(schema, str) else schema
    try:
        expanded = expand_schema(parsed)
    except RecursionError as exc:
        raise SchemaConversionError("recursive types have no Connect equivalent", "") from exc
    except Exception as exc:
        raise SchemaParseError(f"cannot expand named types: {exc}") from exc
    return _convert(expanded, "")


def connect_type(schema: ConnectSchema) -> str:
    """Return the JsonConverter type name of a Connect schema, resolving aliases."""
    kind = str(schema.get("type"))
    return TYPE_ALIASES.get(kind, kind)


def _convert(avro: Any, path: str) -> ConnectSchema:
    """Convert one (expanded) Avro type."""
    if isinstance(avro, str):
        return _primitive(avro, path)
    if isinstance(avro, list):
        return _union(avro, path)
    kind = avro.get("type")
    if "logicalType" in avro:
        logical = _logical(avro)
        if logical is not None:
            return logical
    if kind in ("record", "error"):
        return _struct(avro, path)
    if kind == "array":
        return _node("array", items=_convert(avro["items"], f"{path}[]"))
    if kind == "map":
        return _node("map", keys=_node("string"), values=_convert(avro["values"], f"{path}{{}}"))
    if kind == "enum":
        return _enum(avro)
    if kind == "fixed":
        params = {FIXED_SIZE_PARAMETER: str(avro["size"])}
        return _node("bytes", name=avro["name"], parameters=params)
    if kind == "int" and avro.get("connect.type") in _CONNECT_INT_HINTS:
        return _node(str(avro["connect.type"]))
    return _convert(kind, path)


def _primitive(avro: str, path: str) -> ConnectSchema:
    """Map an Avro primitive name; ``null`` alone and recursive names have no Connect type."""
    connect = _AVRO_PRIMITIVES.get(avro)
    if connect is not None:
        return _node(connect)
    if avro == "null":
        raise SchemaConversionError("a bare 'null' type has no Connect equivalent", path)
    # expand_schema inlines every named type except those that contain themselves
    raise SchemaConversionError(f"'{avro}' is recursive; Connect schemas cannot be", path)


def _union(branches: list[Any], path: str) -> ConnectSchema:
    """Map ``[null, T]`` (either order) to an optional ``T``."""
    others = [b for b in branches if b != "null"]
    if len(others) != 1:
        raise SchemaConversionError(
            f'union of {len(others)} non-null types; only ["null", T] maps to Connect '
            "(an optional T)",
            path,
        )
    converted = _convert(others[0], path)
    if len(others) != len(branches):
        converted["optional"] = True
    return converted


def _struct(avro: dict[str, Any], path: str) -> ConnectSchema:
    """Map a record to a struct whose fields carry their name under ``field``."""
    fields = [_field(f, f"{path}.{f['name']}" if path else f["name"]) for f in avro["fields"]]
    return _node("struct", fields=fields, name=avro["name"], doc=avro.get("doc"))


def _field(avro_field: dict[str, Any], path: str) -> ConnectSchema:
    """Convert one record field, with its doc and default."""
    converted = _convert(avro_field["type"], path)
    if avro_field.get("doc"):
        converted["doc"] = avro_field["doc"]
    if avro_field.get("default") is not None:
        converted["default"] = _default(converted, avro_field["default"])
    converted["field"] = avro_field["name"]
    return converted


def _enum(avro: dict[str, Any]) -> ConnectSchema:
    """Map an enum to a string carrying the enum name and symbols as parameters."""
    params = {ENUM_PARAMETER: avro["name"]}
    params.update({f"{ENUM_PARAMETER}.{symbol}": symbol for symbol in avro["symbols"]})
    return _node("string", name=avro["name"], doc=avro.get("doc"), parameters=params)


def _logical(avro: dict[str, Any]) -> ConnectSchema | None:
    """Map Avro logical types to Connect's; ``None`` for the others (use the base type)."""
    logical, base = avro["logicalType"], avro["type"]
    if logical == "decimal" and base in ("bytes", "fixed"):
        params = {DECIMAL_SCALE: str(avro.get("scale", 0))}
        if "precision" in avro:
            params[DECIMAL_PRECISION] = str(avro["precision"])
        return _node("bytes", name=DECIMAL, version=1, parameters=params)
    if logical == "date" and base == "int":
        return _node("int32", name=DATE, version=1)
    if logical == "time-millis" and base == "int":
        return _node("int32", name=TIME, version=1)
    if logical == "timestamp-millis" and base == "long":
        return _node("int64", name=TIMESTAMP, version=1)
    return None


def _default(connect: ConnectSchema, value: Any) -> Any:
    """Convert an Avro field default to JSON form (bytes: code points → base64)."""
    if connect_type(connect) == "bytes" and isinstance(value, str):
        return base64.b64encode(value.encode("latin-1")).decode("ascii")
    return value


def _node(kind: str, **extra: Any) -> ConnectSchema:
    """Build a schema node in JsonConverter's key order, dropping empty attributes."""
    node: ConnectSchema = {"type": kind}
    node.update({k: v for k, v in extra.items() if k in ("items", "keys", "values", "fields")})
    node["optional"] = False
    for key in ("name", "version", "doc", "parameters"):
        if extra.get(key) is not None:
            node[key] = extra[key]
    return node
