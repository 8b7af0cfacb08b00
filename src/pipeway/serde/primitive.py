"""Strings, raw bytes and big-endian numbers, byte-compatible with Kafka's own serdes.

Kafka's ``StringSerializer``, ``IntegerSerializer``, ``LongSerializer``, ``DoubleSerializer``
(and Connect's ``StringConverter``, ``IntegerConverter``...) use UTF-8 and fixed-width
big-endian encodings; keys written by Java services in these formats decode here and back.
"""

from __future__ import annotations

import codecs
import struct
from typing import Any

from pipeway.serde.base import SerializationContext, field_of, topic_of
from pipeway.serde.exceptions import DeserializationError, SerdeConfigError, SerializationError


class StringSerializer:
    """Encodes ``str`` with a configurable codec (UTF-8 by default, like Kafka's)."""

    def __init__(self, encoding: str = "utf-8") -> None:
        """Create a serializer.

        Raises:
            SerdeConfigError: ``encoding`` is not a codec Python knows.
        """
        self.encoding = _check_encoding(encoding)

    def __call__(self, obj: Any, ctx: SerializationContext | None = None) -> bytes | None:
        """Encode ``obj``; ``None`` stays ``None``.

        Raises:
            SerializationError: ``obj`` is not a ``str`` or cannot be encoded.
        """
        if obj is None:
            return None
        if not isinstance(obj, str):
            reason = f"expected str, got {type(obj).__name__}"
            raise SerializationError(reason, topic_of(ctx), field_of(ctx))
        try:
            return obj.encode(self.encoding)
        except UnicodeEncodeError as exc:
            raise SerializationError(str(exc), topic_of(ctx), field_of(ctx)) from exc


class StringDeserializer:
    """Decodes bytes to ``str`` with a configurable codec (UTF-8 by default)."""

    def __init__(self, encoding: str = "utf-8") -> None:
        """Create a deserializer.

        Raises:
            SerdeConfigError: ``encoding`` is not a codec Python knows.
        """
        self.encoding = _check_encoding(encoding)

    def __call__(self, data: bytes | None, ctx: SerializationContext | None = None) -> Any:
        """Decode ``data``; ``None`` stays ``None``.

        Raises:
            DeserializationError: ``data`` is not valid in the configured encoding.
        """
        if data is None:
            return None
        try:
            return bytes(data).decode(self.encoding)
        except UnicodeDecodeError as exc:
            raise DeserializationError(str(exc), topic_of(ctx), field_of(ctx)) from exc


class BytesSerializer:
    """Passes bytes through unchanged (Kafka's ``ByteArraySerializer``)."""

    def __call__(self, obj: Any, ctx: SerializationContext | None = None) -> bytes | None:
        """Return ``obj`` as ``bytes``; ``None`` stays ``None``.

        Raises:
            SerializationError: ``obj`` is not bytes-like.
        """
        if obj is None or type(obj) is bytes:
            return obj
        if isinstance(obj, bytearray | memoryview):
            return bytes(obj)
        reason = f"expected bytes, got {type(obj).__name__}"
        raise SerializationError(reason, topic_of(ctx), field_of(ctx))


class BytesDeserializer:
    """Returns the message bytes unchanged (Kafka's ``ByteArrayDeserializer``)."""

    def __call__(self, data: bytes | None, ctx: SerializationContext | None = None) -> Any:
        """Return ``data``; ``None`` stays ``None``."""
        return data


class _FixedWidthSerializer:
    """Packs one number with a fixed big-endian ``struct`` format."""

    _format: struct.Struct
    _kind: str

    def __call__(self, obj: Any, ctx: SerializationContext | None = None) -> bytes | None:
        if obj is None:
            return None
        try:
            return self._format.pack(obj)
        except struct.error as exc:
            reason = f"{obj!r:.60} is not a valid {self._kind}: {exc}"
            raise SerializationError(reason, topic_of(ctx), field_of(ctx)) from exc


class _FixedWidthDeserializer:
    """Unpacks one number with a fixed big-endian ``struct`` format."""

    _format: struct.Struct
    _kind: str

    def __call__(self, data: bytes | None, ctx: SerializationContext | None = None) -> Any:
        if data is None:
            return None
        if len(data) != self._format.size:
            reason = (
                f"a {self._kind} takes {self._format.size} bytes, got {len(data)}; "
                "is the topic written with another converter?"
            )
            raise DeserializationError(reason, topic_of(ctx), field_of(ctx))
        return self._format.unpack(data)[0]


class ShortSerializer(_FixedWidthSerializer):
    """Signed 16-bit big-endian (Kafka ``ShortSerializer``)."""

    _format, _kind = struct.Struct(">h"), "short"


class ShortDeserializer(_FixedWidthDeserializer):
    """Signed 16-bit big-endian (Kafka ``ShortDeserializer``)."""

    _format, _kind = struct.Struct(">h"), "short"


class IntegerSerializer(_FixedWidthSerializer):
    """Signed 32-bit big-endian (Kafka ``IntegerSerializer``)."""

    _format, _kind = struct.Struct(">i"), "int"


class IntegerDeserializer(_FixedWidthDeserializer):
    """Signed 32-bit big-endian (Kafka ``IntegerDeserializer``)."""

    _format, _kind = struct.Struct(">i"), "int"


class LongSerializer(_FixedWidthSerializer):
    """Signed 64-bit big-endian (Kafka ``LongSerializer``)."""

    _format, _kind = struct.Struct(">q"), "long"


class LongDeserializer(_FixedWidthDeserializer):
    """Signed 64-bit big-endian (Kafka ``LongDeserializer``)."""

    _format, _kind = struct.Struct(">q"), "long"


class FloatSerializer(_FixedWidthSerializer):
    """IEEE 754 single precision, big-endian (Kafka ``FloatSerializer``)."""

    _format, _kind = struct.Struct(">f"), "float"


class FloatDeserializer(_FixedWidthDeserializer):
    """IEEE 754 single precision, big-endian (Kafka ``FloatDeserializer``)."""

    _format, _kind = struct.Struct(">f"), "float"


class DoubleSerializer(_FixedWidthSerializer):
    """IEEE 754 double precision, big-endian (Kafka ``DoubleSerializer``)."""

    _format, _kind = struct.Struct(">d"), "double"


class DoubleDeserializer(_FixedWidthDeserializer):
    """IEEE 754 double precision, big-endian (Kafka ``DoubleDeserializer``)."""

    _format, _kind = struct.Struct(">d"), "double"


def _check_encoding(encoding: str) -> str:
    """Return the codec's canonical name, failing early on unknown ones."""
    try:
        return codecs.lookup(encoding).name
    except LookupError as exc:
        raise SerdeConfigError("encoding", f"unknown character encoding '{encoding}'") from exc
