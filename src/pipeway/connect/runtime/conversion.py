"""Records ⇄ Kafka bytes with the connector's key and value converters.

Source side: :class:`SourceConverter` builds one serializer per (topic, key/value, schema
object) and caches it by the schema's identity, because tasks hand the same schema dict to
every record of a table; a record then costs a dict hit plus the encode, and the schema is
turned into a JSON string (and registered) only on a cache miss. A record without a schema
gets a primitive Avro schema inferred from its Python type (``string``, ``long``...) when the
converter needs one.

Sink side: :class:`SinkDecoder` turns consumed messages into :class:`SinkRecord` s with the
writer's schemas attached (see :mod:`.record_schemas`); values arrive as fastavro decodes
them (dicts, ``datetime``, ``Decimal``...). Headers go through ``header.converter``
(:mod:`.header_conversion`) on both sides.

Failures raise :class:`StageError` with stage ``KEY_CONVERTER``, ``VALUE_CONVERTER`` or
``HEADER_CONVERTER``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from confluent_kafka import Message

from pipeway.connect.api import AvroSchema, SinkRecord, SourceRecord
from pipeway.connect.runtime.exceptions import StageError
from pipeway.connect.runtime.header_conversion import HeaderConverter
from pipeway.connect.runtime.record_schemas import RegisteredSchemas, avro_from_connect
from pipeway.connect.settings import RuntimeSettings
from pipeway.serde import (
    AvroDeserializer,
    JsonDeserializer,
    MessageField,
    SchemaRegistry,
    SerializationContext,
    Serializer,
    converters_from_properties,
)

logger = logging.getLogger(__name__)

HEADER_KEY = "header.converter"

KEY_STAGE = "KEY_CONVERTER"
VALUE_STAGE = "VALUE_CONVERTER"
HEADER_STAGE = "HEADER_CONVERTER"

_PRIMITIVES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "long"),
    (float, "double"),
    (str, "string"),
    (bytes, "bytes"),
)


def converter_properties(
    runtime: RuntimeSettings, grouped_props: Mapping[str, Any]
) -> dict[str, Any]:
    """``key.converter`` / ``value.converter`` (their ``.*`` options) and ``header.converter``."""
    props = {k: v for k, v in grouped_props.items() if k.startswith(("key.", "value."))}
    props["key.converter"] = runtime.key_converter
    props["value.converter"] = runtime.value_converter
    props[HEADER_KEY] = runtime.header_converter
    return props


def class_name(obj: object) -> str:
    """The full class name of a converter (the DLQ ``class.name`` header)."""
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def infer_schema(obj: Any) -> str:
    """The primitive Avro schema of a schemaless key or value.

    Raises:
        TypeError: ``obj`` is not a primitive (a record needs an explicit schema).
    """
    for kind, name in _PRIMITIVES:
        if isinstance(obj, kind):
            return name
    raise TypeError(
        f"a {type(obj).__name__} needs a schema (key_schema/value_schema) for this converter"
    )


class _Encoder:
    """One cached serializer with its context; keeps the schema alive so its id stays unique."""

    __slots__ = ("by_type", "ctx", "needs_schema", "schema", "serializer")

    def __init__(
        self, schema: object, serializer: Serializer | None, ctx: SerializationContext
    ) -> None:
        self.schema = schema
        self.serializer = serializer
        self.ctx = ctx
        self.needs_schema = serializer is None
        self.by_type: dict[type, _Encoder] = {}


def _direct(encoder: _Encoder) -> Callable[[Any], Any] | None:
    """The serializer's bare encoder when it offers one (Avro with the native codec); on any
    error of it the caller retries the full serializer, which maps the error."""
    direct = getattr(encoder.serializer, "direct", None)
    if direct is None:
        return None
    try:
        return direct(encoder.ctx)
    except Exception:  # e.g. the registry: the full serializer reports it per record
        return None


class SourceConverter:
    """Serializes source records' keys and values for Kafka."""

    def __init__(self, properties: Mapping[str, Any], registry: SchemaRegistry | None) -> None:
        self._props = dict(properties)
        self._registry = registry
        self._cache: dict[tuple[str, str, int], _Encoder] = {}
        self._last: tuple[Any, ...] | None = None  # see _remember
        self.headers = HeaderConverter(str(self._props.get(HEADER_KEY, "simple")))

    def convert_headers(self, record: SourceRecord) -> list[tuple[str, bytes | None]] | None:
        """The record's headers as Kafka header bytes.

        Raises:
            StageError: a header value cannot be written (``HEADER_CONVERTER``).
        """
        if not record.headers:
            return None
        try:
            return self.headers.to_kafka(record.headers)
        except Exception as exc:
            raise StageError(HEADER_STAGE, exc, class_name(self.headers)) from exc

    def convert(self, record: SourceRecord) -> tuple[bytes | None, bytes | None]:
        """(key bytes, value bytes) of ``record``.

        Raises:
            StageError: the key (``KEY_CONVERTER``) or value (``VALUE_CONVERTER``) failed.
        """
        topic, key_schema, value_schema = record.topic, record.key_schema, record.value_schema
        last = self._last
        if (
            last is not None
            and last[0] is key_schema
            and last[1] is value_schema
            and last[2] == topic
        ):
            # the previous record's topic and schemas (a table's rows): skip the cache lookups
            return (
                self._fast(KEY_STAGE, last[7], last[3], record.key, last[4]),
                self._fast(VALUE_STAGE, last[8], last[5], record.value, last[6]),
            )
        key = self.encode(topic, "key", record.key, key_schema)
        value = self.encode(topic, "value", record.value, value_schema)
        self._remember(topic, key_schema, value_schema)
        return key, value

    def _remember(
        self, topic: str, key_schema: AvroSchema | None, value_schema: AvroSchema | None
    ) -> None:
        """Keep the encoders of this (topic, schemas) for the next record, when both are
        fixed by their schema (not inferred per value type)."""
        key_enc = self._cache.get((topic, "key", id(key_schema)))
        value_enc = self._cache.get((topic, "value", id(value_schema)))
        if (
            key_enc is None
            or value_enc is None
            or key_enc.needs_schema
            or value_enc.needs_schema
            or key_enc.schema is not key_schema
            or value_enc.schema is not value_schema
        ):
            self._last = None
            return
        self._last = (
            key_schema,
            value_schema,
            topic,
            key_enc.serializer,
            key_enc.ctx,
            value_enc.serializer,
            value_enc.ctx,
            _direct(key_enc),
            _direct(value_enc),
        )

    @classmethod
    def _fast(
        cls, stage: str, direct: Any, serializer: Any, obj: Any, ctx: SerializationContext
    ) -> Any:
        """``obj`` through the bare encoder when there is one, else the serializer."""
        if obj is None:
            return None
        if direct is not None:
            try:
                return direct(obj)
            except Exception:
                pass  # the full serializer: the same bytes (fallback) or the mapped error
        return cls._serialize(stage, serializer, obj, ctx)

    @staticmethod
    def _serialize(stage: str, serializer: Any, obj: Any, ctx: SerializationContext) -> Any:
        """The full serializer call, its failure as a StageError of ``stage``."""
        try:
            return serializer(obj, ctx)
        except Exception as exc:
            raise StageError(stage, exc, class_name(serializer)) from exc

    def encode(
        self, topic: str, field: MessageField, obj: Any, schema: AvroSchema | None
    ) -> bytes | None:
        if obj is None:
            return None
        encoder = self._cache.get((topic, field, id(schema)))
        if encoder is None or encoder.schema is not schema:
            encoder = self._encoder(topic, field, schema)
        if encoder.needs_schema:
            inferred = encoder.by_type.get(type(obj))
            if inferred is None:
                inferred = self._inferred_encoder(encoder, topic, field, obj)
            encoder = inferred
        try:
            return encoder.serializer(obj, encoder.ctx)  # type: ignore[misc]
        except Exception as exc:
            stage = KEY_STAGE if field == "key" else VALUE_STAGE
            name = class_name(encoder.serializer)
            raise StageError(stage, exc, name) from exc

    def _inferred_encoder(
        self, schemaless: _Encoder, topic: str, field: MessageField, obj: Any
    ) -> _Encoder:
        """The encoder of a primitive schema inferred from ``type(obj)``, cached by type."""
        try:
            schema = infer_schema(obj)
        except TypeError as exc:
            raise StageError(KEY_STAGE if field == "key" else VALUE_STAGE, exc) from exc
        encoder = self._encoder(topic, field, schema)
        schemaless.by_type[type(obj)] = encoder
        return encoder

    def _encoder(self, topic: str, field: MessageField, schema: AvroSchema | None) -> _Encoder:
        """Build (and cache) the serializer of one (topic, field, schema object)."""
        prefix = f"{field}.converter"
        schema_str = None
        if schema is not None:
            schema_str = schema if isinstance(schema, str) else orjson.dumps(schema).decode()
        try:
            pair = converters_from_properties(
                self._props, prefix, schema_str=schema_str, registry=self._registry_for(prefix)
            )
        except Exception as exc:
            raise StageError(KEY_STAGE if field == "key" else VALUE_STAGE, exc) from exc
        encoder = _Encoder(schema, pair.serializer, SerializationContext(topic, field))
        self._cache[(topic, field, id(schema))] = encoder
        logger.debug("new serializer topic=%s field=%s schema=%.200s", topic, field, schema_str)
        return encoder

    def _registry_for(self, prefix: str) -> SchemaRegistry | None:
        """The shared registry unless the connector names its own URL."""
        own = f"{prefix}.schema.registry.url" in self._props
        return None if own else self._registry


class SinkDecoder:
    """Deserializes consumed messages into sink records."""

    def __init__(self, properties: Mapping[str, Any], registry: SchemaRegistry | None) -> None:
        props = dict(properties)
        pairs = {}
        for prefix in ("key.converter", "value.converter"):
            own = f"{prefix}.schema.registry.url" in props
            pairs[prefix] = converters_from_properties(
                props, prefix, registry=None if own else registry
            )
        self._key = pairs["key.converter"].deserializer
        self._value = pairs["value.converter"].deserializer
        self.key_class = class_name(self._key)
        self.value_class = class_name(self._value)
        self._contexts: dict[str, tuple[SerializationContext, SerializationContext]] = {}
        self._key_decode = self._with_schema(self._key, registry)
        self._value_decode = self._with_schema(self._value, registry)
        self.headers = HeaderConverter(str(props.get(HEADER_KEY, "simple")))

    @staticmethod
    def _with_schema(
        deserializer: Any, registry: SchemaRegistry | None
    ) -> Callable[[bytes | None, SerializationContext], tuple[AvroSchema | None, Any]]:
        """A decode returning (writer schema as Avro, value) for this kind of converter."""
        if isinstance(deserializer, AvroDeserializer):
            # a connector's own registry URL: the deserializer holds that client
            schemas = RegisteredSchemas(getattr(deserializer, "_registry", None) or registry)

            def avro(data: bytes | None, ctx: SerializationContext) -> tuple[Any, Any]:
                value = deserializer(data, ctx)
                return schemas.of(data), value

            return avro
        if isinstance(deserializer, JsonDeserializer):

            def json(data: bytes | None, ctx: SerializationContext) -> tuple[Any, Any]:
                schema, value = deserializer.deserialize_with_schema(data, ctx)
                return (None if schema is None else avro_from_connect(dict(schema))), value

            return json
        return lambda data, ctx: (None, deserializer(data, ctx))

    def decode(self, msg: Message) -> SinkRecord:
        """The sink record of ``msg``.

        Raises:
            StageError: the key or value bytes do not decode.
        """
        topic = msg.topic() or ""
        contexts = self._contexts.get(topic)
        if contexts is None:
            contexts = (SerializationContext(topic, "key"), SerializationContext(topic, "value"))
            self._contexts[topic] = contexts
        try:
            key_schema, key = self._key_decode(msg.key(), contexts[0])
        except Exception as exc:
            raise StageError(KEY_STAGE, exc, self.key_class) from exc
        try:
            value_schema, value = self._value_decode(msg.value(), contexts[1])
        except Exception as exc:
            raise StageError(VALUE_STAGE, exc, self.value_class) from exc
        try:
            headers = self.headers.from_kafka(msg.headers())  # type: ignore[arg-type]
        except Exception as exc:
            raise StageError(HEADER_STAGE, exc, class_name(self.headers)) from exc
        kind, timestamp = msg.timestamp()
        return SinkRecord(
            topic=topic,
            kafka_partition=msg.partition() or 0,
            kafka_offset=msg.offset() or 0,
            key=key,
            value=value,
            key_schema=key_schema,
            value_schema=value_schema,
            headers=headers,
            timestamp=timestamp if kind else None,
        )
