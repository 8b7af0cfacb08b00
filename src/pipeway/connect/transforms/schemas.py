"""Avro schema surgery the transforms need: optionality, field lookup, self-contained copies.

Schemas are JSON-decoded Avro. A named type is defined once and then referenced by name, so
a piece cut out of a larger schema (``after`` of a Debezium envelope, the fields ValueToKey
copies) may point at a definition left behind; :func:`standalone` inlines those.
"""

from __future__ import annotations

from typing import Any

from pipeway.connect.api import AvroSchema
from pipeway.connect.transforms.exceptions import TransformError

PRIMITIVES = frozenset(("null", "boolean", "int", "long", "float", "double", "bytes", "string"))
NAMED = frozenset(("record", "error", "enum", "fixed"))


def split_optional(schema: AvroSchema) -> tuple[AvroSchema, bool]:
    """``["null", X]`` → (X, True); anything else → (schema, False)."""
    if isinstance(schema, list) and len(schema) == 2 and "null" in schema:
        return (schema[1] if schema[0] == "null" else schema[0]), True
    return schema, False


def make_optional(schema: AvroSchema) -> AvroSchema:
    """``["null", schema]`` unless the schema already accepts null."""
    if schema == "null" or (isinstance(schema, list) and "null" in schema):
        return schema
    return ["null", schema]


def optional_field(name: str, schema: AvroSchema) -> dict[str, Any]:
    """A field that may be absent: nullable with a null default."""
    return {"name": name, "type": make_optional(schema), "default": None}


def type_name(schema: AvroSchema) -> str:
    """The Avro type of a schema (``record``, ``long``…; ``union`` for a list)."""
    if isinstance(schema, list):
        return "union"
    if isinstance(schema, dict):
        inner = schema.get("type")
        return type_name(inner) if isinstance(inner, dict | list) else str(inner)
    return schema


def logical_type(schema: AvroSchema) -> str | None:
    return schema.get("logicalType") if isinstance(schema, dict) else None


def require_record(schema: AvroSchema, purpose: str) -> tuple[dict[str, Any], bool]:
    """The record schema (and whether it was optional), or a TransformError."""
    inner, optional = split_optional(schema)
    if isinstance(inner, dict) and inner.get("type") in ("record", "error"):
        return inner, optional
    raise TransformError(f"{purpose} needs a record schema, got {type_name(inner)!r}")


def field_map(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in record["fields"]}


def _fullname(name: str, namespace: str) -> str:
    return name if "." in name or not namespace else f"{namespace}.{name}"


def _namespace_of(fullname: str) -> str:
    return fullname.rpartition(".")[0]


def named_types(schema: AvroSchema, namespace: str = "") -> dict[str, dict[str, Any]]:
    """Every named type defined in ``schema`` by full name."""
    found: dict[str, dict[str, Any]] = {}
    _collect(schema, namespace, found)
    return found


def _collect(schema: Any, ns: str, found: dict[str, dict[str, Any]]) -> None:
    if isinstance(schema, list):
        for branch in schema:
            _collect(branch, ns, found)
    elif isinstance(schema, dict):
        kind = schema.get("type")
        if kind in NAMED:
            full = _fullname(schema["name"], schema.get("namespace", ns))
            found.setdefault(full, schema)
            for f in schema.get("fields", ()):
                _collect(f["type"], _namespace_of(full), found)
        elif kind == "array":
            _collect(schema["items"], ns, found)
        elif kind == "map":
            _collect(schema["values"], ns, found)
        elif isinstance(kind, dict | list):
            _collect(kind, ns, found)


def standalone(
    schema: AvroSchema,
    names: dict[str, dict[str, Any]],
    namespace: str = "",
    defined: set[str] | None = None,
) -> AvroSchema:
    """A copy of ``schema`` that defines every named type it uses (names become full names).

    Pass one ``defined`` set to several calls whose results go into one schema, so each
    named type is defined once, where it first appears.
    """
    return _inline(schema, names, namespace, set() if defined is None else defined)


def _inline(schema: Any, names: dict[str, dict[str, Any]], ns: str, defined: set[str]) -> Any:
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return schema
        full = _fullname(schema, ns)
        if full in defined or full not in names:
            return full
        return _inline(names[full], names, _namespace_of(full), defined)
    if isinstance(schema, list):
        return [_inline(b, names, ns, defined) for b in schema]
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    out = dict(schema)
    if kind in NAMED:
        full = _fullname(schema["name"], schema.get("namespace", ns))
        defined.add(full)
        out["name"] = full
        out.pop("namespace", None)
        if "fields" in schema:
            child_ns = _namespace_of(full)
            out["fields"] = [
                {**f, "type": _inline(f["type"], names, child_ns, defined)}
                for f in schema["fields"]
            ]
    elif kind == "array":
        out["items"] = _inline(schema["items"], names, ns, defined)
    elif kind == "map":
        out["values"] = _inline(schema["values"], names, ns, defined)
    elif isinstance(kind, dict | list):
        out["type"] = _inline(kind, names, ns, defined)
    return out


def with_fields(
    record: dict[str, Any], fields: list[dict[str, Any]], name: str | None = None
) -> dict[str, Any]:
    """A copy of a record schema with new fields (and optionally a new name)."""
    out = {k: v for k, v in record.items() if k != "fields"}
    if name is not None:
        out["name"] = name
    out["fields"] = fields
    return out


def record_namespace(record: dict[str, Any], namespace: str = "") -> str:
    """The namespace a record's fields resolve names in."""
    return _namespace_of(_fullname(record["name"], record.get("namespace", namespace)))


def resolve(schema: AvroSchema, names: dict[str, dict[str, Any]], namespace: str) -> AvroSchema:
    """The definition behind a named reference (the schema itself otherwise)."""
    if isinstance(schema, str) and schema not in PRIMITIVES:
        return names.get(_fullname(schema, namespace), schema)
    return schema
