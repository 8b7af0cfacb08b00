"""Turning fastavro's terse write errors into messages that name the offending field.

fastavro's writer says "an integer is required on field id"; its validator knows the full
path (``com.example.Order.id``) and the offending value. The validator is slow, so it only
runs after a write has already failed, never on the hot path.
"""

from __future__ import annotations

import logging
from typing import Any

from fastavro.validation import ValidationError, validate

from pipeway.serde.avro_schema import ParsedSchema
from pipeway.serde.base import SerializationContext, field_of, topic_of
from pipeway.serde.exceptions import SerializationError

logger = logging.getLogger(__name__)


def mismatch_error(
    schema: ParsedSchema, obj: Any, ctx: SerializationContext | None, exc: Exception
) -> SerializationError:
    """Describe why fastavro could not write ``obj``, naming the field when possible.

    Args:
        schema: the parsed writer schema.
        obj: the object that failed to serialize.
        ctx: topic and key/value, for the message.
        exc: what fastavro raised.

    Returns:
        The error to raise (chained from ``exc`` by the caller).
    """
    try:
        validate(obj, schema, raise_errors=True)
    except ValidationError as verr:
        if verr.errors:
            first = verr.errors[0]
            reason = (
                f"value {short_repr(first.datum)} does not match Avro type "
                f"{type_name(first.schema)}"
            )
            return SerializationError(reason, topic_of(ctx), field_of(ctx), first.field or None)
    except Exception:  # the validator itself choked; fall back to fastavro's message
        logger.debug("fastavro validation failed while describing an error", exc_info=True)
    return SerializationError(str(exc) or repr(exc), topic_of(ctx), field_of(ctx))


def type_name(schema: Any) -> str:
    """Name an Avro type briefly: ``string``, ``record com.ex.User``, ``union [null, long]``."""
    if isinstance(schema, str):
        return schema
    if isinstance(schema, list):
        return "union [" + ", ".join(type_name(s) for s in schema) + "]"
    if isinstance(schema, dict):
        kind = str(schema.get("type"))
        name = schema.get("name") or schema.get("logicalType")
        return f"{kind} {name}" if name else kind
    return repr(schema)


def short_repr(value: Any, limit: int = 80) -> str:
    """repr() truncated so error messages stay readable for big records."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
