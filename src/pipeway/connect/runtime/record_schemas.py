"""Writer schemas for sink records, so sinks can map types (index mappings, table columns).

Avro (Confluent wire format): the schema the writer registered, fetched once per schema id
from the registry (ids are immutable). JSON with ``schemas.enable``: the envelope's Kafka
Connect schema turned into the equivalent Avro schema, so a sink sees one schema language
whatever the converter. Other converters carry no schema: ``None``.
"""

from __future__ import annotations

import struct
from typing import Any

import orjson

from pipeway.connect.api import AvroSchema
from pipeway.serde import SchemaRegistry

_HEADER = struct.Struct(">bI")
_INTS = {"int8": "int", "int16": "int", "int32": "int", "int64": "long"}
_SIMPLE = {"float32": "float", "float64": "double", "boolean": "boolean", "string": "string"}
_SIMPLE |= {"bytes": "bytes"}
DECIMAL = "org.apache.kafka.connect.data.Decimal"
_LOGICAL = {
    "org.apache.kafka.connect.data.Date": {"type": "int", "logicalType": "date"},
    "org.apache.kafka.connect.data.Time": {"type": "int", "logicalType": "time-millis"},
    "org.apache.kafka.connect.data.Timestamp": {"type": "long", "logicalType": "timestamp-millis"},
}


class RegisteredSchemas:
    """Writer schemas by id, as JSON-decoded Avro, cached forever."""

    def __init__(self, registry: SchemaRegistry | None) -> None:
        self._registry = registry
        self._by_id: dict[int, AvroSchema] = {}

    def of(self, data: bytes | None) -> AvroSchema | None:
        """The writer schema of Confluent-framed ``data`` (None for a tombstone/unframed)."""
        if self._registry is None or data is None or len(data) < _HEADER.size or data[0] != 0:
            return None
        schema_id = _HEADER.unpack_from(data)[1]
        found = self._by_id.get(schema_id)
        if found is None:
            schema_str = self._registry.get_schema(schema_id).schema_str
            found = self._by_id[schema_id] = orjson.loads(schema_str)
        return found


def avro_from_connect(schema: dict[str, Any], name: str = "Record") -> AvroSchema:
    """The Avro schema equivalent to a Kafka Connect (JsonConverter envelope) schema."""
    avro = _required(schema, name)
    return ["null", avro] if schema.get("optional") else avro


def _required(schema: dict[str, Any], name: str) -> AvroSchema:
    kind, logical = schema.get("type", ""), schema.get("name")
    if logical == DECIMAL:
        scale = int((schema.get("parameters") or {}).get("scale", 0))
        return {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": scale}
    if logical in _LOGICAL:
        return dict(_LOGICAL[logical])
    if kind in _INTS:
        return _INTS[kind]
    if kind in _SIMPLE:
        return _SIMPLE[kind]
    if kind == "array":
        return {"type": "array", "items": avro_from_connect(schema["items"], f"{name}Item")}
    if kind == "map":
        return {"type": "map", "values": avro_from_connect(schema["values"], f"{name}Value")}
    if kind == "struct":
        record_name = str(logical or name)
        fields = [
            {"name": f["field"], "type": avro_from_connect(f, f"{record_name}_{f['field']}")}
            for f in schema.get("fields", [])
        ]
        return {"type": "record", "name": record_name.rsplit(".", 1)[-1], "fields": fields}
    raise ValueError(f"unknown Kafka Connect schema type {kind!r}")
