"""The calling convention shared by every pipeway serializer and deserializer.

It mirrors confluent-kafka's: a serializer is a callable ``(obj, ctx) -> bytes | None`` and a
deserializer ``(data, ctx) -> object``, so pipeway's converters plug into
``confluent_kafka.SerializingProducer`` / ``DeserializingConsumer`` and confluent's own
serializers plug into pipeway. confluent's ``SerializationContext`` works here too: its
``field`` values are the same strings ``"key"`` and ``"value"``.

``None`` always maps to ``None`` in both directions so that tombstones (deletes in compacted
topics) pass through every converter untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

MessageField = Literal["key", "value"]
Headers = Sequence[tuple[str, bytes | None]]


@dataclass(frozen=True, slots=True)
class SerializationContext:
    """Where the bytes go to or come from: the topic, key or value, and the record headers.

    Subject name strategies derive the schema registry subject from ``topic`` and ``field``.
    Create one per (topic, field) and reuse it: the Avro serializer remembers the last context
    it saw by identity, which skips the subject lookup on the hot path.
    """

    topic: str
    field: MessageField = "value"
    headers: Headers | None = None


class Serializer(Protocol):
    """Turns an object into bytes for a Kafka key or value; ``None`` stays ``None``."""

    def __call__(self, obj: Any, ctx: SerializationContext | None, /) -> bytes | None:
        """Serialize ``obj`` for the topic and field described by ``ctx``."""
        ...


class Deserializer(Protocol):
    """Turns the bytes of a Kafka key or value back into an object; ``None`` stays ``None``."""

    def __call__(self, data: bytes | None, ctx: SerializationContext | None, /) -> Any:
        """Deserialize ``data`` read from the topic and field described by ``ctx``."""
        ...


def topic_of(ctx: SerializationContext | None) -> str | None:
    """Return the topic of ``ctx`` for error messages, tolerating a missing context."""
    return None if ctx is None else ctx.topic


def field_of(ctx: SerializationContext | None) -> str | None:
    """Return ``"key"``/``"value"`` of ``ctx`` for error messages, tolerating ``None``."""
    return None if ctx is None else str(ctx.field)
