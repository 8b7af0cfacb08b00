"""JSON as Kafka Connect's JsonConverter writes it, with or without the schema envelope.

``schemas.enable=true`` wraps every value as ``{"schema": <connect schema>, "payload": ...}``
so that Connect sinks know the column types; ``false`` writes the bare payload. The
deserializer accepts both forms, so a consumer does not need to know how a topic was written.
"""

from __future__ import annotations

import base64
import logging
from decimal import Decimal
from typing import Any

import orjson

from pipeway.serde.base import SerializationContext, field_of, topic_of
from pipeway.serde.connect_payload import DecimalFormat, compile_decoder, compile_encoder
from pipeway.serde.connect_schema import ConnectSchema
from pipeway.serde.exceptions import ConnectDataError, DeserializationError, SerializationError

logger = logging.getLogger(__name__)

_ENVELOPE_KEYS = frozenset({"schema", "payload"})


class JsonSerializer:
    """Serializes objects to JSON, optionally inside JsonConverter's schema envelope."""

    def __init__(
        self,
        schemas_enable: bool = True,
        schema: ConnectSchema | None = None,
        decimal_format: DecimalFormat = "BASE64",
    ) -> None:
        """Create a serializer.

        Args:
            schemas_enable: wrap values in ``{"schema": ..., "payload": ...}``.
            schema: the Connect schema of the values (see
                :func:`~pipeway.serde.connect_schema.connect_schema_from_avro`). With a schema,
                values are checked against it and logical types encoded as Connect does;
                without one the envelope carries ``"schema": null``.
            decimal_format: ``BASE64`` (JsonConverter's default) or ``NUMERIC``.

        Raises:
            ConnectDataError: ``schema`` is malformed.
        """
        self._schemas_enable = schemas_enable
        self._encode = compile_encoder(schema, decimal_format) if schema is not None else None
        schema_json = orjson.dumps(schema) if schema is not None else b"null"
        self._prefix = b'{"schema":' + schema_json + b',"payload":'

    def __call__(self, obj: Any, ctx: SerializationContext | None = None) -> bytes | None:
        """Serialize ``obj``; ``None`` (a tombstone) stays ``None``.

        Raises:
            SerializationError: ``obj`` does not fit the schema or is not JSON-serializable.
        """
        if obj is None:
            return None
        try:
            payload = self._encode(obj) if self._encode is not None else obj
            body = orjson.dumps(payload, default=_json_default)
        except ConnectDataError as exc:
            path = exc.path or None
            raise SerializationError(exc.reason, topic_of(ctx), field_of(ctx), path) from exc
        except TypeError as exc:
            raise SerializationError(str(exc), topic_of(ctx), field_of(ctx)) from exc
        if self._schemas_enable:
            return self._prefix + body + b"}"
        return body


class JsonDeserializer:
    """Deserializes JSON written with or without JsonConverter's schema envelope."""

    def __init__(self, cache_size: int = 1000) -> None:
        """Create a deserializer.

        Args:
            cache_size: how many distinct envelope schemas keep a compiled decoder
                (JsonConverter's ``schemas.cache.size``).
        """
        self._cache_size = cache_size
        self._decoders: dict[bytes, Any] = {}

    def __call__(self, data: bytes | None, ctx: SerializationContext | None = None) -> Any:
        """Deserialize ``data`` into the payload; ``None`` (a tombstone) stays ``None``.

        Raises:
            DeserializationError: not JSON, or the payload does not fit the envelope schema.
        """
        return self.deserialize_with_schema(data, ctx)[1]

    def deserialize_with_schema(
        self, data: bytes | None, ctx: SerializationContext | None = None
    ) -> tuple[ConnectSchema | None, Any]:
        """Deserialize ``data`` and also return the envelope's Connect schema (or ``None``).

        Sinks use the schema to create tables or mappings before writing the payload.

        Raises:
            DeserializationError: not JSON, or the payload does not fit the envelope schema.
        """
        if data is None:
            return None, None
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            reason = f"not valid JSON: {exc}"
            raise DeserializationError(reason, topic_of(ctx), field_of(ctx)) from exc
        if not is_envelope(value):
            return None, value
        schema, payload = value["schema"], value["payload"]
        if schema is None:
            return None, payload
        try:
            return schema, self._decoder(schema)(payload)
        except ConnectDataError as exc:
            raise DeserializationError(str(exc), topic_of(ctx), field_of(ctx)) from exc

    def _decoder(self, schema: ConnectSchema) -> Any:
        """Return the compiled decoder of ``schema``, compiling it on first sight."""
        key = orjson.dumps(schema, option=orjson.OPT_SORT_KEYS)
        decoder = self._decoders.get(key)
        if decoder is None:
            if len(self._decoders) >= self._cache_size:
                self._decoders.clear()
            decoder = self._decoders[key] = compile_decoder(schema)
        return decoder


def is_envelope(value: Any) -> bool:
    """Tell whether a decoded JSON value is JsonConverter's ``{"schema", "payload"}`` envelope."""
    return (
        type(value) is dict
        and value.keys() == _ENVELOPE_KEYS
        and (value["schema"] is None or isinstance(value["schema"], dict))
    )


def _json_default(value: Any) -> Any:
    """Encode what orjson cannot: bytes as base64 (JsonConverter's rule), Decimal as a number."""
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Decimal):
        return orjson.Fragment(str(value)) if value.is_finite() else str(value)
    if isinstance(value, set | frozenset):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
