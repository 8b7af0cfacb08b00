"""Parsing Avro schemas with fastavro, including named types imported through references.

Parsing is the expensive part of Avro handling; callers parse once per schema (id) and keep
the parsed form. Everything fastavro raises while parsing becomes a
:class:`~pipeway.serde.exceptions.SchemaParseError` that says which schema was at fault.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import fastavro
import orjson
from fastavro.schema import SchemaParseException, UnknownType, expand_schema
from fastavro.schema import to_parsing_canonical_form as _canonical

from pipeway.serde.exceptions import SchemaParseError
from pipeway.serde.registry_models import RegisteredSchema, SchemaReference, SchemaRegistry

logger = logging.getLogger(__name__)

ParsedSchema = Any
"""A schema as returned by ``fastavro.parse_schema`` (str, list or dict)."""

NamedSchemas = dict[str, Any]

PRIMITIVE_TYPES = frozenset(
    {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
)
_NAMED_TYPES = frozenset({"record", "error", "enum", "fixed"})


def load_schema_json(schema_str: str) -> Any:
    """Decode a schema string; a bare primitive name such as ``string`` is accepted too.

    Raises:
        SchemaParseError: the text is not JSON.
    """
    text = schema_str.strip()
    if text in PRIMITIVE_TYPES:
        return text
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise SchemaParseError(f"schema is not valid JSON: {exc}") from exc


def registrable_schema_str(schema_str: str) -> str:
    """Return the text to register: a bare primitive such as ``int`` becomes ``"int"``.

    Registries only accept JSON, while Avro tooling often writes primitives unquoted.
    """
    text = schema_str.strip()
    return f'"{text}"' if text in PRIMITIVE_TYPES else schema_str


def parse_schema_str(
    schema_str: str,
    named_schemas: NamedSchemas | None = None,
    *,
    schema_id: int | None = None,
    subject: str | None = None,
) -> ParsedSchema:
    """Parse a schema string with fastavro.

    Args:
        schema_str: the schema JSON.
        named_schemas: types already defined (by referenced schemas); extended in place.
        schema_id: registry id of the schema, for the error message.
        subject: registry subject of the schema, for the error message.

    Returns:
        The parsed schema.

    Raises:
        SchemaParseError: the schema is invalid or uses a type nobody defines.
    """
    raw = load_schema_json(schema_str)
    try:
        return fastavro.parse_schema(raw, named_schemas=named_schemas)
    except UnknownType as exc:
        reason = (
            f"unknown type '{exc.name}'; if it is defined in another subject, "
            "pass it in the schema references"
        )
        raise SchemaParseError(reason, schema_id, subject) from exc
    except (SchemaParseException, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise SchemaParseError(str(exc) or type(exc).__name__, schema_id, subject) from exc


def parse_with_references(
    schema_str: str,
    references: Sequence[SchemaReference],
    registry: SchemaRegistry | None,
    *,
    schema_id: int | None = None,
) -> ParsedSchema:
    """Parse a schema after loading the named types its references point to.

    Raises:
        SchemaParseError: a schema is invalid, or references exist but no registry is given.
    """
    named: NamedSchemas = {}
    if references:
        if registry is None:
            raise SchemaParseError("the schema has references but no registry to resolve them")
        _load_references(references, registry, named, set())
    return parse_schema_str(schema_str, named, schema_id=schema_id)


def parse_registered(schema: RegisteredSchema, registry: SchemaRegistry) -> ParsedSchema:
    """Parse a schema fetched from the registry, resolving its references through it.

    Raises:
        SchemaParseError: the schema is not Avro or cannot be parsed.
    """
    if schema.schema_type.upper() != "AVRO":
        raise SchemaParseError(
            f"schema type is {schema.schema_type}, not AVRO; use the matching converter",
            schema.id,
            schema.subject,
        )
    return parse_with_references(
        schema.schema_str, schema.references, registry, schema_id=schema.id
    )


def _load_references(
    references: Sequence[SchemaReference],
    registry: SchemaRegistry,
    named: NamedSchemas,
    seen: set[tuple[str, int]],
) -> None:
    """Define every referenced type in ``named``, dependencies first, each exactly once."""
    for ref in references:
        key = (ref.subject, ref.version)
        if key in seen:
            continue
        seen.add(key)
        referenced = registry.get_version(ref.subject, ref.version)
        _load_references(referenced.references, registry, named, seen)
        parse_schema_str(referenced.schema_str, named, subject=ref.subject)
        logger.debug("loaded reference %s from %s v%d", ref.name, ref.subject, ref.version)


def full_name(parsed: ParsedSchema) -> str | None:
    """Return the fully-qualified name of a record/enum/fixed schema, else ``None``."""
    if isinstance(parsed, dict) and parsed.get("type") in _NAMED_TYPES:
        return str(parsed["name"])
    return None


def is_raw_bytes(parsed: ParsedSchema) -> bool:
    """Tell whether the top-level type is ``bytes``.

    Confluent's serializers (Java and confluent-kafka) write such values unframed, without
    the Avro length prefix, so pipeway has to as well to stay byte-compatible.
    """
    return parsed == "bytes" or (isinstance(parsed, dict) and parsed.get("type") == "bytes")


def same_schema(left: ParsedSchema, right: ParsedSchema) -> bool:
    """Compare two parsed schemas by Parsing Canonical Form (named types expanded)."""
    try:
        return bool(_canonical(expand_schema(left)) == _canonical(expand_schema(right)))
    except (SchemaParseException, UnknownType, ValueError, TypeError, KeyError):
        return False
