"""Decoding request bodies and parameters by hand (no pydantic on the request path).

A body that is not JSON is answered 400 and a body of the wrong shape 422, each with an
``error_code``, never a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from pipeway.registry.exceptions import HttpError, InvalidSchemaError, InvalidVersionError
from pipeway.registry.schemas import AVRO, SUPPORTED_TYPES, SchemaReference

MAX_VERSION = 2**31 - 1


@dataclass(frozen=True, slots=True)
class SchemaRequest:
    """Body of register, lookup and compatibility requests."""

    schema: str
    schema_type: str
    references: tuple[SchemaReference, ...]
    schema_id: int | None = None
    version: int | None = None


def json_body(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise HttpError(400, f"Unrecognized request body: not valid JSON ({exc})") from exc


def json_object(body: bytes) -> dict[str, Any]:
    value = json_body(body)
    if not isinstance(value, dict):
        raise HttpError(422, "Unrecognized request body: expected a JSON object")
    return value


def schema_request(body: bytes) -> SchemaRequest:
    """Parse ``{"schema", "schemaType", "references", "id", "version"}``."""
    data = json_object(body)
    schema = data.get("schema")
    if schema is None or schema == "":
        raise InvalidSchemaError("Empty schema")
    if not isinstance(schema, str):
        raise HttpError(422, "Unrecognized field type: 'schema' must be a string")
    schema_type = data.get("schemaType") or AVRO
    if not isinstance(schema_type, str) or schema_type.upper() not in SUPPORTED_TYPES:
        supported = ", ".join(SUPPORTED_TYPES)
        raise InvalidSchemaError(f"Invalid schema type {schema_type}; supported: {supported}")
    return SchemaRequest(
        schema=schema,
        schema_type=schema_type.upper(),
        references=_references(data.get("references")),
        schema_id=_optional_int(data, "id"),
        version=_optional_int(data, "version"),
    )


def _references(raw: Any) -> tuple[SchemaReference, ...]:
    if not raw:
        return ()
    if not isinstance(raw, list):
        raise HttpError(422, "Unrecognized field type: 'references' must be a list")
    refs = []
    for item in raw:
        if not isinstance(item, dict):
            raise HttpError(422, "Unrecognized field type: a reference must be an object")
        name, subject, version = item.get("name"), item.get("subject"), item.get("version")
        if not (isinstance(name, str) and isinstance(subject, str) and isinstance(version, int)):
            raise InvalidSchemaError("Invalid schema: a reference needs name, subject and version")
        refs.append(SchemaReference(name, subject, version))
    return tuple(refs)


def _optional_int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None or (key == "id" and value == -1) or (key == "version" and value in (0, -1)):
        return None  # Confluent's clients send -1/0 for "not set"
    if not isinstance(value, int) or isinstance(value, bool):
        raise HttpError(422, f"Unrecognized field type: '{key}' must be an integer")
    return value


def version_param(value: str) -> int | None:
    """``latest`` or ``-1`` give None; otherwise an int in [1, 2^31-1] (else 42202)."""
    text = value.strip()
    if text.lower() == "latest" or text == "-1":
        return None
    try:
        version = int(text)
    except ValueError:
        raise InvalidVersionError(value) from None
    if not 1 <= version <= MAX_VERSION:
        raise InvalidVersionError(value)
    return version


def flag(value: str | None) -> bool:
    """Query booleans as Confluent's clients send them (``true``, ``True``, ``1``)."""
    return value is not None and value.strip().lower() in ("true", "1", "yes")
