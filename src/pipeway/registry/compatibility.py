"""Compatibility levels and the checks behind them.

Avro uses Apache avro's ``ReaderWriterCompatibilityChecker`` (the port of the Java checker that
Confluent uses). JSON Schema uses a deliberately simpler structural rule, documented in
docs/registry.md and in :func:`_json_reader_accepts`: it catches the common breaking changes
(type narrowed, required property added, property removed from a closed object, enum value
removed) rather than proving set inclusion of the two schemas.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

from pipeway.registry.exceptions import InvalidCompatibilityLevelError
from pipeway.registry.schemas import AVRO, ParsedSchema


class CompatibilityLevel(StrEnum):
    NONE = "NONE"
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"

    @classmethod
    def parse(cls, value: object) -> CompatibilityLevel:
        """Case-insensitive, like Confluent; anything else is error 42203."""
        if isinstance(value, str):
            try:
                return cls(value.strip().upper())
            except ValueError:
                pass
        raise InvalidCompatibilityLevelError()

    @property
    def transitive(self) -> bool:
        return self.value.endswith("_TRANSITIVE")

    @property
    def backward(self) -> bool:
        """The new schema must read data written with the old ones."""
        return self.value.startswith(("BACKWARD", "FULL"))

    @property
    def forward(self) -> bool:
        """Data written with the new schema must be readable with the old ones."""
        return self.value.startswith(("FORWARD", "FULL"))


def check_compatibility(
    level: CompatibilityLevel,
    new: ParsedSchema,
    previous: Sequence[tuple[int, ParsedSchema]],
) -> list[str]:
    """Messages describing every incompatibility of ``new`` (empty when compatible).

    ``previous`` holds ``(version, schema)`` oldest first; non-transitive levels only look at
    the latest one.
    """
    if level is CompatibilityLevel.NONE or not previous:
        return []
    targets = previous if level.transitive else previous[-1:]
    messages: list[str] = []
    for version, old in reversed(targets):
        found = _check_pair(level, new, old)
        if found:
            messages.extend(found)
            messages.append(f"{{oldSchemaVersion: {version}}}")
            messages.append(f"{{oldSchema: '{old.text}'}}")
    if messages:
        messages.append(f"{{compatibility: '{level.value}'}}")
    return messages


def _check_pair(level: CompatibilityLevel, new: ParsedSchema, old: ParsedSchema) -> list[str]:
    if new.schema_type != old.schema_type:
        return [
            "{errorType:'SCHEMA_TYPE_MISMATCH', description:'The new schema is of type "
            f"{new.schema_type} but the old one is {old.schema_type}'}}"
        ]
    found: list[str] = []
    if level.backward:
        found += _reader_accepts(reader=new, writer=old, reader_role="new")
    if level.forward:
        found += _reader_accepts(reader=old, writer=new, reader_role="old")
    return found


def _reader_accepts(reader: ParsedSchema, writer: ParsedSchema, reader_role: str) -> list[str]:
    if reader.schema_type == AVRO:
        return _avro_reader_accepts(reader, writer, reader_role)
    problems: Problems = []
    _json_reader_accepts(reader.obj, writer.obj, "#", problems)
    return [
        f"{{errorType:'{kind}', description:'{text} (reader: {reader_role} schema)'}}"
        for kind, text in problems
    ]


def _avro_reader_accepts(reader: ParsedSchema, writer: ParsedSchema, reader_role: str) -> list[str]:
    """Run Apache avro's checker; a fresh checker per pair (it memoizes by object identity)."""
    try:
        result = ReaderWriterCompatibilityChecker().get_compatibility(reader.obj, writer.obj)
    except Exception as exc:  # the checker raises on schema shapes it does not know
        return [f"{{errorType:'UNKNOWN', description:'{exc}'}}"]
    if result.compatibility is SchemaCompatibilityType.compatible:
        return []
    kinds = sorted({i.name.upper() for i in result.incompatibilities}) or ["INCOMPATIBLE"]
    location = ", ".join(sorted(result.locations))
    details = "; ".join(sorted(result.messages))
    return [
        f"{{errorType:'{'/'.join(kinds)}', description:'The {reader_role} schema (reader) "
        f"cannot read data written with the other schema at path '{location}': {details}'}}"
    ]


Problems = list[tuple[str, str]]  # (Confluent-style error type, description)
_JSON_NUMERIC = {"integer": {"integer"}, "number": {"integer", "number"}}


def _json_types(schema: dict[str, Any]) -> set[str] | None:
    declared = schema.get("type")
    if declared is None:
        return None
    return {declared} if isinstance(declared, str) else set(declared)


def _json_reader_accepts(reader: Any, writer: Any, path: str, out: Problems) -> None:
    """Can every document valid under ``writer`` be read with ``reader``? (simplified rule)

    Checked: declared types (``integer`` widens to ``number``), ``required`` properties,
    properties of closed objects (``additionalProperties: false``), ``enum`` values, and the
    same rules recursively in shared ``properties`` and array ``items``. ``$ref`` and
    combinators (``allOf``/``anyOf``/``oneOf``) are not interpreted.
    """
    if reader is True or reader == {} or not isinstance(reader, dict):
        return
    if not isinstance(writer, dict):
        out.append(("TYPE_NARROWED", f"at {path}: the reader restricts what the writer allows"))
        return
    _json_check_types(reader, writer, path, out)
    _json_check_enum(reader, writer, path, out)
    _json_check_object(reader, writer, path, out)
    if isinstance(reader.get("items"), dict) and isinstance(writer.get("items"), dict):
        _json_reader_accepts(reader["items"], writer["items"], f"{path}/items", out)


def _json_check_types(
    reader: dict[str, Any], writer: dict[str, Any], path: str, out: Problems
) -> None:
    reader_types, writer_types = _json_types(reader), _json_types(writer)
    if reader_types is None:
        return
    if writer_types is None:
        out.append(("TYPE_NARROWED", f"at {path}: the reader requires type {sorted(reader_types)}"))
        return
    accepted = set(reader_types)
    for name in reader_types:
        accepted |= _JSON_NUMERIC.get(name, set())
    if not writer_types <= accepted:
        out.append(
            (
                "TYPE_CHANGED",
                f"at {path}: type {sorted(writer_types)} is not readable as {sorted(reader_types)}",
            )
        )


def _json_check_enum(
    reader: dict[str, Any], writer: dict[str, Any], path: str, out: Problems
) -> None:
    if "enum" not in reader:
        return
    missing = [v for v in writer.get("enum", []) if v not in reader["enum"]]
    if "enum" not in writer or missing:
        out.append(("ENUM_ARRAY_NARROWED", f"at {path}: enum values {missing} are not accepted"))


def _json_check_object(
    reader: dict[str, Any], writer: dict[str, Any], path: str, out: Problems
) -> None:
    reader_props = reader.get("properties") or {}
    writer_props = writer.get("properties") or {}
    added_required = set(reader.get("required", [])) - set(writer.get("required", []))
    for name in sorted(added_required):
        out.append(("REQUIRED_PROPERTY_ADDED", f"at {path}: property '{name}' is now required"))
    if reader.get("additionalProperties") is False:
        for name in sorted(set(writer_props) - set(reader_props)):
            out.append(
                (
                    "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
                    f"at {path}: property '{name}' is not allowed by the reader",
                )
            )
    for name in sorted(set(reader_props) & set(writer_props)):
        _json_reader_accepts(
            reader_props[name], writer_props[name], f"{path}/properties/{name}", out
        )
