"""Avro in Confluent wire format, byte-compatible with confluent-kafka and the Java serdes.

Layout of every message: magic byte 0, the 4-byte big-endian registry schema id, then the
Avro binary body (``fastavro.schemaless_writer``). A top-level ``bytes`` schema is written
unframed, as Confluent's serializers do.

Hot path: the registry is consulted once per subject (serializer) or once per schema id
(deserializer); after that a record costs one identity check or one dict hit, then the native
codec (``pipeway_avro_native``, see :mod:`pipeway.serde.native_codec`) when it is installed and
supports the schema, else fastavro. The native codec writes and reads exactly what fastavro
does; when it is unsure about a value it raises ``ValueError`` and fastavro handles that value,
so errors and edge cases stay fastavro's. Reader-schema resolution always uses fastavro.
Errors are described (field path via fastavro's validator) only after fastavro has failed.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Callable, Sequence
from io import BytesIO
from typing import Any

from fastavro import schemaless_reader, schemaless_writer

from pipeway.serde.avro_errors import mismatch_error
from pipeway.serde.avro_schema import (
    ParsedSchema,
    full_name,
    is_raw_bytes,
    parse_registered,
    parse_with_references,
    registrable_schema_str,
    same_schema,
)
from pipeway.serde.base import SerializationContext, field_of, topic_of
from pipeway.serde.exceptions import (
    DeserializationError,
    SchemaNotFoundError,
    SerdeConfigError,
    SerializationError,
    SubjectNotFoundError,
    UnknownSchemaIdError,
    WireFormatError,
)
from pipeway.serde.native_codec import build_codec
from pipeway.serde.registry_models import AVRO, SchemaReference, SchemaRegistry
from pipeway.serde.subject import SubjectNameStrategy, topic_name_strategy
from pipeway.serde.wire_format import HEADER_SIZE, MAGIC_BYTE, encode_header

logger = logging.getLogger(__name__)

_unpack_id = struct.Struct(">I").unpack_from


class _AvroWriter:
    """Encodes records of one schema id: precomputed header + native or fastavro body."""

    __slots__ = ("codec", "header", "schema", "schema_id")

    def __init__(self, schema_id: int, schema: ParsedSchema) -> None:
        self.schema_id = schema_id
        self.header = encode_header(schema_id)
        self.schema = schema
        self.codec = None if is_raw_bytes(schema) else build_codec(schema)

    def encode(self, obj: Any) -> bytes:
        codec = self.codec
        if codec is not None:
            try:
                return codec.encode(obj, self.header)
            except ValueError:
                pass  # fastavro decides: the same bytes, or its own error
        buf = BytesIO()
        buf.write(self.header)
        schemaless_writer(buf, self.schema, obj)
        return buf.getvalue()


class _RawBytesWriter(_AvroWriter):
    """Encodes a top-level ``bytes`` schema: header + the bytes themselves (Confluent rule)."""

    __slots__ = ()

    def encode(self, obj: Any) -> bytes:
        if isinstance(obj, str):
            obj = obj.encode("utf-8")
        elif not isinstance(obj, bytes | bytearray | memoryview):
            raise TypeError(f"expected bytes for a 'bytes' schema, got {type(obj).__name__}")
        return self.header + bytes(obj)


class AvroSerializer:
    """Serializes objects to Avro in Confluent wire format, registering schemas as needed."""

    def __init__(
        self,
        registry: SchemaRegistry,
        schema_str: str | None,
        subject_name_strategy: SubjectNameStrategy = topic_name_strategy,
        auto_register: bool = True,
        use_latest_version: bool = False,
        normalize: bool = False,
        references: Sequence[SchemaReference] | None = None,
    ) -> None:
        """Create a serializer for one writer schema.

        Args:
            registry: the schema registry (a :class:`RegistryClient` or compatible object).
            schema_str: the writer schema; may be ``None`` only with ``use_latest_version``.
            subject_name_strategy: derives the subject from the topic / record name.
            auto_register: register the schema if the subject does not have it yet;
                otherwise it must already be registered (looked up).
            use_latest_version: write with the subject's latest registered schema instead,
                resolved once per subject for the life of this serializer.
            normalize: ask the registry to normalize the schema on register / lookup.
            references: named types the schema imports from other subjects.

        Raises:
            SerdeConfigError: no schema and ``use_latest_version`` is off.
            SchemaParseError: the schema is invalid.
        """
        if schema_str is None and not use_latest_version:
            raise SerdeConfigError(
                "schema", "a writer schema is required unless use.latest.version is true"
            )
        self._registry = registry
        self._schema_str = registrable_schema_str(schema_str) if schema_str else None
        self._references = tuple(references or ())
        self._parsed = (
            parse_with_references(schema_str, self._references, registry) if schema_str else None
        )
        self._record_name = full_name(self._parsed)
        self._strategy = subject_name_strategy
        self._auto_register = auto_register
        self._use_latest = use_latest_version
        self._normalize = normalize
        self._writers: dict[tuple[str, str], _AvroWriter] = {}
        self._last: tuple[object, _AvroWriter | None] = (object(), None)

    def __call__(self, obj: Any, ctx: SerializationContext | None = None) -> bytes | None:
        """Serialize ``obj``; ``None`` (a tombstone) stays ``None``.

        Raises:
            SerializationError: ``obj`` does not match the schema, or no ``ctx`` was given.
            SchemaRegistryError: registering or looking up the schema failed.
            RegistryUnavailableError: the registry cannot be reached (retry later).
        """
        if obj is None:
            return None
        last_ctx, writer = self._last
        if last_ctx is not ctx or writer is None:
            writer = self._writer_for(ctx)
        try:
            return writer.encode(obj)
        except Exception as exc:
            raise mismatch_error(writer.schema, obj, ctx, exc) from exc

    def direct(self, ctx: SerializationContext) -> Callable[[Any], bytes] | None:
        """A bare encoder of ctx's subject for hot loops (None without the native codec).

        It skips the per-call checks and error mapping: when it raises, call the serializer
        itself, which gives the same bytes (fastavro) or the proper error.
        """
        writer = self._writer_for(ctx)
        codec, header = writer.codec, writer.header
        if codec is None or type(writer) is not _AvroWriter:
            return None
        encode = codec.encode
        return lambda obj: encode(obj, header)

    def _writer_for(self, ctx: SerializationContext | None) -> _AvroWriter:
        """Return the writer for ctx's subject, resolving it on first use."""
        if ctx is None:
            raise SerializationError(
                "a SerializationContext (topic and key/value) is required to pick the subject"
            )
        key = (ctx.topic, str(ctx.field))
        writer = self._writers.get(key)
        if writer is None:
            writer = self._resolve(ctx)
            self._writers[key] = writer
        self._last = (ctx, writer)
        return writer

    def _resolve(self, ctx: SerializationContext) -> _AvroWriter:
        """Ask the registry which schema id to write under ctx's subject."""
        subject = self._strategy(ctx, self._record_name)
        if self._use_latest:
            latest = self._registry.get_latest(subject)
            return _make_writer(latest.id, parse_registered(latest, self._registry))
        assert self._schema_str is not None  # guaranteed by __init__
        if self._auto_register:
            schema_id = self._registry.register(
                subject, self._schema_str, AVRO, self._references, self._normalize
            )
        else:
            schema_id = self._lookup(subject, ctx)
        logger.debug("writing subject %s with schema id %d", subject, schema_id)
        return _make_writer(schema_id, self._parsed)

    def _lookup(self, subject: str, ctx: SerializationContext) -> int:
        """Find the already-registered id of the schema, explaining a miss."""
        assert self._schema_str is not None
        try:
            schema_id, _version = self._registry.lookup(
                subject, self._schema_str, AVRO, self._references, self._normalize
            )
        except (SubjectNotFoundError, SchemaNotFoundError) as exc:
            raise SerializationError(
                f"the schema is not registered under subject '{subject}' and "
                "auto.register.schemas is false; register it first",
                ctx.topic,
                str(ctx.field),
            ) from exc
        return schema_id


class _AvroReader:
    """Decodes bodies written with one schema id, optionally resolving to a reader schema.

    Without resolution the native codec decodes when available; resolution is fastavro's.
    """

    __slots__ = ("codec", "reader", "return_record_name", "writer")

    def __init__(
        self, writer: ParsedSchema, reader: ParsedSchema | None, return_record_name: bool
    ) -> None:
        self.writer = writer
        self.reader = reader
        self.return_record_name = return_record_name
        self.codec = (
            build_codec(writer, return_record_name=return_record_name)
            if reader is None and not is_raw_bytes(writer)
            else None
        )

    def decode(self, data: bytes) -> Any:
        codec = self.codec
        if codec is not None:
            try:
                return codec.decode(data, HEADER_SIZE)
            except ValueError:
                pass  # malformed: fastavro decodes again and raises its usual error
        fo = BytesIO(data)
        fo.seek(HEADER_SIZE)
        return schemaless_reader(fo, self.writer, self.reader, self.return_record_name)


class _RawBytesReader(_AvroReader):
    """Decodes a top-level ``bytes`` schema: the body is the value itself."""

    __slots__ = ()

    def decode(self, data: bytes) -> Any:
        return bytes(data[HEADER_SIZE:])


class AvroDeserializer:
    """Deserializes Confluent-framed Avro, fetching writer schemas by id from the registry."""

    def __init__(
        self,
        registry: SchemaRegistry,
        reader_schema: str | None = None,
        return_record_name: bool = False,
        reader_references: Sequence[SchemaReference] | None = None,
    ) -> None:
        """Create a deserializer.

        Args:
            registry: the schema registry (a :class:`RegistryClient` or compatible object).
            reader_schema: decode every message into this schema (Avro schema resolution:
                added fields get their defaults, removed ones are dropped). ``None`` decodes
                with the writer's schema.
            return_record_name: for unions of records, return ``(name, record)`` tuples.
            reader_references: named types the reader schema imports from other subjects.

        Raises:
            SchemaParseError: the reader schema is invalid.
        """
        self._registry = registry
        self._reader = (
            parse_with_references(reader_schema, tuple(reader_references or ()), registry)
            if reader_schema
            else None
        )
        self._return_record_name = return_record_name
        self._readers: dict[int, _AvroReader] = {}

    def __call__(self, data: bytes | None, ctx: SerializationContext | None = None) -> Any:
        """Deserialize ``data``; ``None`` (a tombstone) stays ``None``.

        Raises:
            WireFormatError: ``data`` does not start with magic byte 0 and a schema id.
            UnknownSchemaIdError: the registry does not know the schema id.
            DeserializationError: the body does not decode with the writer schema.
            RegistryUnavailableError: the registry cannot be reached (retry later).
        """
        if data is None:
            return None
        if len(data) < HEADER_SIZE or data[0] != MAGIC_BYTE:
            raise _framing_error(data, ctx)
        schema_id = _unpack_id(data, 1)[0]
        reader = self._readers.get(schema_id)
        if reader is None:
            reader = self._load(schema_id, ctx)
        try:
            return reader.decode(data)
        except Exception as exc:
            reason = f"body does not decode with schema id {schema_id}: {exc!r}"
            raise DeserializationError(reason, topic_of(ctx), field_of(ctx)) from exc

    def _load(self, schema_id: int, ctx: SerializationContext | None) -> _AvroReader:
        """Fetch and parse the writer schema of ``schema_id`` and cache its reader."""
        try:
            registered = self._registry.get_schema(schema_id)
        except SchemaNotFoundError as exc:
            raise UnknownSchemaIdError(schema_id, topic_of(ctx), field_of(ctx)) from exc
        writer = parse_registered(registered, self._registry)
        reader: _AvroReader
        if is_raw_bytes(writer):
            reader = _RawBytesReader(writer, None, self._return_record_name)
        else:
            resolve_to = None
            if self._reader is not None and not same_schema(writer, self._reader):
                resolve_to = self._reader
            reader = _AvroReader(writer, resolve_to, self._return_record_name)
        self._readers[schema_id] = reader
        logger.debug("cached reader for schema id %d", schema_id)
        return reader


def _make_writer(schema_id: int, parsed: ParsedSchema) -> _AvroWriter:
    """Pick the writer class for a schema (unframed for top-level ``bytes``)."""
    if is_raw_bytes(parsed):
        return _RawBytesWriter(schema_id, parsed)
    return _AvroWriter(schema_id, parsed)


def _framing_error(data: bytes, ctx: SerializationContext | None) -> WireFormatError:
    """Explain why ``data`` is not Confluent-framed."""
    if len(data) == 0:
        reason = "not Confluent wire format: the message is empty"
    elif data[0] != MAGIC_BYTE:
        reason = (
            f"not Confluent wire format (magic byte {data[0]}, expected {MAGIC_BYTE}); "
            "was it written by a schema-registry Avro serializer?"
        )
    else:
        reason = (
            f"not Confluent wire format (magic byte {data[0]}): {len(data)} bytes is "
            f"shorter than the {HEADER_SIZE}-byte header"
        )
    return WireFormatError(reason, topic_of(ctx), field_of(ctx))
