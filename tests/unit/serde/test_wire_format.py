"""The 5-byte Confluent header."""

from __future__ import annotations

import struct

import pytest

from pipeway.serde.wire_format import HEADER_SIZE, MAGIC_BYTE, decode_header, encode_header


@pytest.mark.parametrize("schema_id", [0, 1, 255, 256, 65_536, 2**31, 2**32 - 1])
def test_header_is_magic_byte_and_big_endian_id(schema_id: int):
    header = encode_header(schema_id)

    assert header == b"\x00" + struct.pack(">I", schema_id)
    assert len(header) == HEADER_SIZE
    assert decode_header(header + b"body") == (MAGIC_BYTE, schema_id)


@pytest.mark.parametrize("schema_id", [-1, 2**32])
def test_id_out_of_range(schema_id: int):
    with pytest.raises(ValueError, match="does not fit in 4 bytes"):
        encode_header(schema_id)


def test_decode_reports_other_magic_bytes_unsigned():
    assert decode_header(b"\xff\x00\x00\x00\x01") == (255, 1)


def test_decode_too_short():
    with pytest.raises(ValueError, match="3 bytes is shorter than the 5-byte header"):
        decode_header(b"\x00\x00\x01")
