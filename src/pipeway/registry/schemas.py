"""Parsing, canonical text and fingerprints of Avro and JSON schemas.

Two texts are kept per schema:

* ``text`` is what the registry stores and serves: the submitted JSON re-serialised without
  whitespace (or the normalized form when the client asked for ``normalize=true``).
* ``normalized`` is the identity form used to decide "same schema" (same id, already
  registered, lookup): for Avro the parsed schema written back by Apache avro (so
  ``{"type": "long"}`` equals ``"long"`` and redundant namespaces disappear) with sorted keys;
  for JSON Schema the document with sorted keys. This mirrors Confluent, which compares parsed
  canonical strings rather than raw text.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import avro.name
import avro.schema
import jsonschema
import jsonschema.exceptions
import jsonschema.validators

from pipeway.registry.exceptions import InvalidSchemaError

AVRO = "AVRO"
JSON = "JSON"
PROTOBUF = "PROTOBUF"
SUPPORTED_TYPES: tuple[str, ...] = (AVRO, JSON)


@dataclass(frozen=True, slots=True)
class SchemaReference:
    """A named dependency on ``subject`` at ``version`` (Confluent's ``references`` entry)."""

    name: str
    subject: str
    version: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "subject": self.subject, "version": self.version}


@dataclass(frozen=True, slots=True)
class ReferencedSchema:
    """What a reference resolves to: the referenced version's type, text and own references."""

    schema_type: str
    text: str
    references: tuple[SchemaReference, ...]


Resolver = Callable[[SchemaReference], ReferencedSchema]


@dataclass(frozen=True, slots=True)
class ParsedSchema:
    """A validated schema with its served text, identity form and fingerprint."""

    schema_type: str
    text: str
    normalized: str
    references: tuple[SchemaReference, ...]
    fingerprint: str
    obj: Any  # avro.schema.Schema for AVRO, the JSON document for JSON


def compact_json(value: Any, sort_keys: bool = False) -> str:
    """JSON without insignificant whitespace (the stored form of every schema)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=sort_keys)


def fingerprint_of(schema_type: str, normalized: str, refs: Iterable[SchemaReference]) -> str:
    """Identity of a schema: type, identity text and references."""
    digest = hashlib.sha256(f"{schema_type}\n{normalized}\n".encode())
    digest.update(compact_json([r.to_json() for r in refs]).encode())
    return digest.hexdigest()


def parse_schema(
    schema_type: str,
    text: str,
    references: tuple[SchemaReference, ...],
    resolve: Resolver,
    normalize: bool = False,
) -> ParsedSchema:
    """Validate ``text`` as ``schema_type``; raises :class:`InvalidSchemaError` with the reason."""
    if schema_type not in SUPPORTED_TYPES:
        raise InvalidSchemaError(f"Invalid schema type {schema_type}; supported: AVRO, JSON")
    document = _load_json(text)
    if schema_type == AVRO:
        obj, normalized = _parse_avro(document, references, resolve)
    else:
        obj, normalized = _parse_json_schema(document, references, resolve)
    served = normalized if normalize else compact_json(document)
    return ParsedSchema(
        schema_type=schema_type,
        text=served,
        normalized=normalized,
        references=references,
        fingerprint=fingerprint_of(schema_type, normalized, references),
        obj=obj,
    )


def _load_json(text: str) -> Any:
    if not text or not text.strip():
        raise InvalidSchemaError("Empty schema")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InvalidSchemaError(f"Invalid schema: not valid JSON: {exc}") from exc


def _parse_avro(
    document: Any, references: tuple[SchemaReference, ...], resolve: Resolver
) -> tuple[avro.schema.Schema, str]:
    """Parse with referenced named types pre-registered, as Confluent does for Avro refs."""
    names = avro.name.Names()
    _register_avro_references(references, resolve, names, set())
    referenced = dict(names.names)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unknown logicalType: falls back, as Java does
            parsed = avro.schema.make_avsc_object(document, names)
    except Exception as exc:  # the parser raises many exception types on bad input
        raise InvalidSchemaError(f"Invalid schema: {exc}") from exc
    out_names = avro.name.Names()
    out_names.names = dict(referenced)  # referenced types stay references, never inlined
    return parsed, compact_json(parsed.to_json(out_names), sort_keys=True)


def _register_avro_references(
    references: Iterable[SchemaReference],
    resolve: Resolver,
    names: avro.name.Names,
    seen: set[tuple[str, int]],
) -> None:
    """Depth first: a referenced schema's own references are defined before it."""
    for ref in references:
        if (ref.subject, ref.version) in seen:
            continue
        seen.add((ref.subject, ref.version))
        target = resolve(ref)
        if target.schema_type != AVRO:
            raise InvalidSchemaError(f"Invalid schema: reference {ref.name} is not an Avro schema")
        _register_avro_references(target.references, resolve, names, seen)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                avro.schema.make_avsc_object(json.loads(target.text), names)
        except Exception as exc:  # as above: any parser failure makes the reference invalid
            raise InvalidSchemaError(f"Invalid schema: reference {ref.name}: {exc}") from exc


def _parse_json_schema(
    document: Any, references: tuple[SchemaReference, ...], resolve: Resolver
) -> tuple[Any, str]:
    """Check against the draft's meta-schema (draft-07 unless ``$schema`` says otherwise)."""
    if not isinstance(document, (dict, bool)):
        raise InvalidSchemaError("Invalid schema: a JSON schema must be an object or a boolean")
    for ref in references:
        resolve(ref)  # every reference must exist
    validator = jsonschema.validators.validator_for(
        document, default=jsonschema.validators.Draft7Validator
    )
    try:
        validator.check_schema(document)
    except jsonschema.exceptions.SchemaError as exc:
        raise InvalidSchemaError(f"Invalid schema: {exc.message}") from exc
    return document, compact_json(document, sort_keys=True)
