"""``header.converter``: record header values ⇄ header bytes, with Kafka Connect's names.

- ``simple`` (``org.apache.kafka.connect.storage.SimpleHeaderConverter``, Kafka Connect's
  default): values are written as strings (maps and lists as JSON); reading parses
  ``true``/``false``, integers, decimals and JSON maps/arrays back, else keeps the string.
- ``string`` (``org.apache.kafka.connect.storage.StringConverter``): UTF-8 strings.
- ``json`` (``org.apache.kafka.connect.json.JsonConverter``): schemaless JSON.
- ``bytes`` (``org.apache.kafka.connect.converters.ByteArrayConverter``): raw bytes.

Source side: ``bytes`` values pass through untouched (already serialized), other values are
written by the converter. Sink side: every header value is decoded by the converter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson

from pipeway.connect.api import Headers

ALIASES = {
    "org.apache.kafka.connect.storage.SimpleHeaderConverter": "simple",
    "org.apache.kafka.connect.storage.StringConverter": "string",
    "org.apache.kafka.connect.json.JsonConverter": "json",
    "org.apache.kafka.connect.converters.ByteArrayConverter": "bytes",
}
NAMES = ("simple", "string", "json", "bytes")
_INT = re.compile(r"-?\d+\Z")
_FLOAT = re.compile(r"-?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?\Z")


def header_converter_name(name: str) -> str:
    """The short name of ``header.converter`` (accepts Kafka Connect's class names).

    Raises:
        ValueError: the converter is unknown (naming the known ones).
    """
    short = ALIASES.get(name, name)
    if short not in NAMES:
        raise ValueError(
            f"unknown header.converter {name!r}; use one of {', '.join(NAMES)} "
            f"or {', '.join(ALIASES)}"
        )
    return short


class HeaderConverter:
    """Converts whole header lists for one connector."""

    def __init__(self, name: str) -> None:
        self.name = header_converter_name(name)
        self._to_bytes: Callable[[Any], bytes] = _WRITERS[self.name]
        self._from_bytes: Callable[[bytes], Any] = _READERS[self.name]

    def to_kafka(self, headers: Headers) -> list[tuple[str, bytes | None]] | None:
        """Source records' headers as Kafka header bytes (None when there are none)."""
        if not headers:
            return None
        out: list[tuple[str, bytes | None]] = []
        for key, value in headers:
            if value is None or isinstance(value, bytes):
                out.append((key, value))
            else:
                out.append((key, self._to_bytes(value)))
        return out

    def from_kafka(self, headers: list[tuple[str, bytes | None]] | None) -> list[Any]:
        """Consumed header bytes as values for sink records."""
        if not headers:
            return []
        if self.name == "bytes":
            return list(headers)
        return [(k, None if v is None else self._from_bytes(v)) for k, v in headers]


def _simple_text(value: Any) -> bytes:
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, dict | list | tuple):
        return orjson.dumps(value, default=str)
    return str(value).encode()


def _simple_value(data: bytes) -> Any:
    text = data.decode("utf-8", "replace")
    if text in ("true", "false"):
        return text == "true"
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    if text[:1] in ("{", "["):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            return text
    return text


_WRITERS: dict[str, Callable[[Any], bytes]] = {
    "simple": _simple_text,
    "string": lambda v: str(v).encode(),
    "json": lambda v: orjson.dumps(v, default=str),
    "bytes": lambda v: bytes(v) if isinstance(v, bytearray | memoryview) else str(v).encode(),
}
_READERS: dict[str, Callable[[bytes], Any]] = {
    "simple": _simple_value,
    "string": lambda d: d.decode("utf-8", "replace"),
    "json": orjson.loads,
    "bytes": bytes,
}
