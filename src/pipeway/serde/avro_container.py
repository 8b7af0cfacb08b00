"""Self-describing Avro: every message is a complete Avro object container file.

For consumers without access to the schema registry: the writer schema travels in every
message, at the cost of size (the schema JSON and a 16-byte sync marker per message) and
speed (the schema is parsed for every message read). Prefer :mod:`avro_confluent` when a
registry is available.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from io import BytesIO
from typing import Any

import fastavro

from pipeway.serde.avro_errors import mismatch_error
from pipeway.serde.avro_schema import parse_schema_str
from pipeway.serde.base import SerializationContext, field_of, topic_of
from pipeway.serde.exceptions import DeserializationError, SerdeConfigError

logger = logging.getLogger(__name__)

CONTAINER_MAGIC = b"Obj\x01"
CODECS = ("null", "deflate", "snappy", "bzip2", "xz", "zstandard", "lz4")


class AvroContainerSerializer:
    """Writes each object as a one-record Avro object container file."""

    def __init__(
        self,
        schema_str: str,
        codec: str = "null",
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        """Create a serializer.

        Args:
            schema_str: the Avro schema written into every message.
            codec: block compression: ``null``, ``deflate`` or, when their libraries are
                installed, ``snappy``, ``bzip2``, ``xz``, ``zstandard``, ``lz4``.
            metadata: extra file metadata entries written into each header.

        Raises:
            SchemaParseError: the schema is invalid.
            SerdeConfigError: the codec is unknown or its library is not installed.
        """
        self._schema = parse_schema_str(schema_str)
        check_codec(codec)
        self._codec = codec
        self._metadata = dict(metadata or {})

    def __call__(self, obj: Any, ctx: SerializationContext | None = None) -> bytes | None:
        """Serialize ``obj``; ``None`` (a tombstone) stays ``None``.

        Raises:
            SerializationError: ``obj`` does not match the schema.
        """
        if obj is None:
            return None
        buf = BytesIO()
        try:
            fastavro.writer(buf, self._schema, [obj], codec=self._codec, metadata=self._metadata)
        except Exception as exc:
            raise mismatch_error(self._schema, obj, ctx, exc) from exc
        return buf.getvalue()


class AvroContainerDeserializer:
    """Reads messages that are one-record Avro object container files."""

    def __init__(self, reader_schema: str | None = None, return_record_name: bool = False) -> None:
        """Create a deserializer.

        Args:
            reader_schema: resolve every record to this schema; ``None`` keeps the writer's.
            return_record_name: for unions of records, return ``(name, record)`` tuples.

        Raises:
            SchemaParseError: the reader schema is invalid.
        """
        self._reader = parse_schema_str(reader_schema) if reader_schema else None
        self._return_record_name = return_record_name

    def __call__(self, data: bytes | None, ctx: SerializationContext | None = None) -> Any:
        """Deserialize ``data``; ``None`` (a tombstone) stays ``None``.

        Raises:
            DeserializationError: not a container file, corrupt, or not exactly one record.
        """
        if data is None:
            return None
        if bytes(data[:4]) != CONTAINER_MAGIC:
            raise DeserializationError(
                f"not an Avro object container file (starts with {bytes(data[:4])!r}, "
                f"expected {CONTAINER_MAGIC!r}); is the topic in Confluent wire format?",
                topic_of(ctx),
                field_of(ctx),
            )
        records = self._read_all(data, ctx)
        if len(records) != 1:
            raise DeserializationError(
                f"expected exactly one record per message, found {len(records)}",
                topic_of(ctx),
                field_of(ctx),
            )
        return records[0]

    def _read_all(self, data: bytes, ctx: SerializationContext | None) -> list[Any]:
        """Read every record of the container, wrapping fastavro's errors."""
        try:
            reader = fastavro.reader(
                BytesIO(data),
                reader_schema=self._reader,
                return_record_name=self._return_record_name,
            )
            return list(reader)
        except Exception as exc:
            raise DeserializationError(
                f"corrupt Avro container: {exc!r}", topic_of(ctx), field_of(ctx)
            ) from exc


def check_codec(codec: str, key: str = "codec") -> None:
    """Fail early if ``codec`` is unknown or its compression library is missing.

    Raises:
        SerdeConfigError: naming the codec and what to install.
    """
    if codec not in CODECS:
        raise SerdeConfigError(key, f"unknown codec '{codec}'; use one of {', '.join(CODECS)}")
    try:
        fastavro.writer(BytesIO(), "null", [None], codec=codec)
    except ValueError as exc:
        raise SerdeConfigError(key, str(exc)) from exc
