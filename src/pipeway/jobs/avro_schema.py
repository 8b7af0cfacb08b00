"""Avro schemas on both sides of Spark: deriving one from a DataFrame, checking reader/writer.

Derived schemas are proper named records (Debezium's ``<topic>.Value`` / ``<topic>.Key``
naming, nested records named inside their parent), nullable columns become ``["null", T]``
unions with a null default, so Java, Python and Go clients read them like any registered
schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from pyspark.sql import types as T

from pipeway.jobs.exceptions import UnsupportedSchemaError

AvroSchema = dict[str, Any] | list[Any] | str
TimestampPrecision = Literal["millis", "micros"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PRIMITIVES: dict[type[T.DataType], str] = {
    T.BooleanType: "boolean",
    T.ByteType: "int",
    T.ShortType: "int",
    T.IntegerType: "int",
    T.LongType: "long",
    T.FloatType: "float",
    T.DoubleType: "double",
    T.StringType: "string",
    T.BinaryType: "bytes",
}


def record_fullname(topic: str, part: Literal["Key", "Value"]) -> str:
    """``<topic>.Value``: a valid Avro full name for a topic's record (invalid chars → ``_``)."""
    parts = [_sanitize(p) for p in topic.split(".") if p]
    return ".".join([*parts, part])


def avro_schema_for(
    data_type: T.DataType,
    fullname: str,
    nullable: bool = False,
    timestamps: TimestampPrecision = "millis",
) -> AvroSchema:
    """The Avro schema of a Spark type; structs become records named ``fullname``.

    Raises:
        UnsupportedSchemaError: a type or field name has no Avro equivalent (the message
            names the field path and how to fix it).
    """
    schema = _convert(data_type, fullname, timestamps, path=fullname)
    return _nullable(schema) if nullable else schema


def schema_json(schema: AvroSchema) -> str:
    """Compact, stable JSON text of a schema (what is registered and given to Spark)."""
    return json.dumps(schema, separators=(",", ":"))


def missing_required_fields(writer: AvroSchema, reader: AvroSchema) -> list[str]:
    """Top-level reader fields without a default that the writer record does not have.

    Avro schema resolution fails on such records; naming the fields up front turns a vague
    decode error into an actionable dead letter reason.
    """
    if not (_is_record(writer) and _is_record(reader)):
        return []
    assert isinstance(writer, dict) and isinstance(reader, dict)
    present: set[str] = set()
    for field in writer["fields"]:
        present.add(field["name"])
    missing = []
    for field in reader["fields"]:
        names = {field["name"], *field.get("aliases", ())}
        if "default" not in field and not names & present:
            missing.append(field["name"])
    return missing


def is_nullable(schema: AvroSchema) -> bool:
    """True when ``schema`` is a union with ``null`` or ``null`` itself."""
    if isinstance(schema, list):
        return any(is_nullable(s) for s in schema)
    if isinstance(schema, dict):
        return schema.get("type") == "null"
    return schema == "null"


def _convert(dt: T.DataType, fullname: str, ts: TimestampPrecision, path: str) -> AvroSchema:
    for spark_type, avro in _PRIMITIVES.items():
        if isinstance(dt, spark_type):
            return avro
    if isinstance(dt, T.StructType):
        return _record(dt, fullname, ts, path)
    if isinstance(dt, T.ArrayType):
        items = _convert(dt.elementType, f"{fullname}_item", ts, f"{path}[]")
        return {"type": "array", "items": _nullable(items) if dt.containsNull else items}
    if isinstance(dt, T.MapType):
        return _map(dt, fullname, ts, path)
    logical = _logical(dt, ts)
    if logical is None:
        raise UnsupportedSchemaError(
            f"field '{path}' has Spark type {dt.simpleString()}, which has no Avro equivalent; "
            "cast it (e.g. to string or long) before writing"
        )
    return logical


def _record(dt: T.StructType, fullname: str, ts: TimestampPrecision, path: str) -> AvroSchema:
    namespace, _, name = fullname.rpartition(".")
    fields = []
    for f in dt.fields:
        if not _NAME.match(f.name):
            raise UnsupportedSchemaError(
                f"column '{path}.{f.name}' is not a valid Avro field name "
                "([A-Za-z_][A-Za-z0-9_]*); rename it with .alias() before writing"
            )
        child = _convert(f.dataType, f"{fullname}.{f.name}", ts, f"{path}.{f.name}")
        field: dict[str, Any] = {"name": f.name, "type": child}
        if f.nullable:
            field = {"name": f.name, "type": _nullable(child), "default": None}
        fields.append(field)
    record: dict[str, Any] = {"type": "record", "name": name, "fields": fields}
    if namespace:
        record["namespace"] = namespace
    return record


def _map(dt: T.MapType, fullname: str, ts: TimestampPrecision, path: str) -> AvroSchema:
    if not isinstance(dt.keyType, T.StringType):
        raise UnsupportedSchemaError(
            f"field '{path}' is a map with {dt.keyType.simpleString()} keys; Avro maps need "
            "string keys: cast the keys to string or use an array of structs"
        )
    values = _convert(dt.valueType, f"{fullname}_value", ts, f"{path}{{}}")
    return {"type": "map", "values": _nullable(values) if dt.valueContainsNull else values}


def _logical(dt: T.DataType, ts: TimestampPrecision) -> AvroSchema | None:
    if isinstance(dt, T.DateType):
        return {"type": "int", "logicalType": "date"}
    if isinstance(dt, T.TimestampType):
        return {"type": "long", "logicalType": f"timestamp-{ts}"}
    if isinstance(dt, T.TimestampNTZType):
        return {"type": "long", "logicalType": f"local-timestamp-{ts}"}
    if isinstance(dt, T.DecimalType):
        return {
            "type": "bytes",
            "logicalType": "decimal",
            "precision": dt.precision,
            "scale": dt.scale,
        }
    return None


def _nullable(schema: AvroSchema) -> AvroSchema:
    if is_nullable(schema):
        return schema
    if isinstance(schema, list):
        return ["null", *schema]
    return ["null", schema]


def _is_record(schema: AvroSchema) -> bool:
    return isinstance(schema, Mapping) and schema.get("type") == "record"


def _sanitize(part: str) -> str:
    clean = re.sub(r"[^A-Za-z0-9_]", "_", part)
    return clean if _NAME.match(clean) else f"_{clean}"
