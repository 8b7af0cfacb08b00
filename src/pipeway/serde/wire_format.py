"""Confluent's wire format: magic byte 0, a 4-byte big-endian schema id, then the body.

Java, Go, .NET and confluent-kafka clients all read and write this framing; pipeway must
produce the same bytes so that any consumer can read pipeway's topics and vice versa.
"""

from __future__ import annotations

import struct

MAGIC_BYTE = 0
HEADER_SIZE = 5

_HEADER = struct.Struct(">BI")


def encode_header(schema_id: int) -> bytes:
    """Return the 5-byte prefix for ``schema_id`` (precompute it once per id).

    Raises:
        ValueError: the id does not fit in an unsigned 32-bit integer.
    """
    if not 0 <= schema_id <= 0xFFFFFFFF:
        raise ValueError(f"schema id {schema_id} does not fit in 4 bytes")
    return _HEADER.pack(MAGIC_BYTE, schema_id)


def decode_header(data: bytes) -> tuple[int, int]:
    """Return ``(magic_byte, schema_id)`` of framed bytes; the caller checks the magic byte.

    Raises:
        ValueError: ``data`` is shorter than the 5-byte header.
    """
    if len(data) < HEADER_SIZE:
        raise ValueError(f"{len(data)} bytes is shorter than the {HEADER_SIZE}-byte header")
    magic, schema_id = _HEADER.unpack_from(data)
    return magic, schema_id
