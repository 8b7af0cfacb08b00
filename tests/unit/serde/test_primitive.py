"""String, bytes and big-endian number serdes (Kafka-compatible encodings)."""

from __future__ import annotations

import math
import struct

import pytest

from pipeway.serde import (
    BytesDeserializer,
    BytesSerializer,
    DeserializationError,
    DoubleDeserializer,
    DoubleSerializer,
    FloatDeserializer,
    FloatSerializer,
    IntegerDeserializer,
    IntegerSerializer,
    LongDeserializer,
    LongSerializer,
    SerdeConfigError,
    SerializationError,
    ShortDeserializer,
    ShortSerializer,
    StringDeserializer,
    StringSerializer,
)


def test_string_utf8_default(value_ctx):
    assert StringSerializer()("héllo ✓", value_ctx) == "héllo ✓".encode()
    assert StringDeserializer()("héllo ✓".encode(), value_ctx) == "héllo ✓"


def test_string_other_encoding(value_ctx):
    data = StringSerializer("latin-1")("café", value_ctx)

    assert data == b"caf\xe9"
    assert StringDeserializer("ISO-8859-1")(data, value_ctx) == "café"


def test_string_errors(value_ctx):
    with pytest.raises(SerializationError, match="expected str, got int"):
        StringSerializer()(5, value_ctx)
    with pytest.raises(SerializationError, match="ascii"):
        StringSerializer("ascii")("é", value_ctx)
    with pytest.raises(DeserializationError, match="utf-8"):
        StringDeserializer()(b"\xff\xfe", value_ctx)
    with pytest.raises(SerdeConfigError, match="unknown character encoding 'klingon'"):
        StringSerializer("klingon")


def test_bytes_pass_through(value_ctx):
    assert BytesSerializer()(b"\x00\x01", value_ctx) == b"\x00\x01"
    assert BytesSerializer()(bytearray(b"ab"), value_ctx) == b"ab"
    assert BytesSerializer()(memoryview(b"ab"), value_ctx) == b"ab"
    assert BytesDeserializer()(b"\x00\x01", value_ctx) == b"\x00\x01"
    with pytest.raises(SerializationError, match="expected bytes, got str"):
        BytesSerializer()("text", value_ctx)


@pytest.mark.parametrize(
    ("serializer", "deserializer", "value", "expected"),
    [
        (ShortSerializer(), ShortDeserializer(), -2, b"\xff\xfe"),
        (IntegerSerializer(), IntegerDeserializer(), 1, b"\x00\x00\x00\x01"),
        (IntegerSerializer(), IntegerDeserializer(), -(2**31), b"\x80\x00\x00\x00"),
        (LongSerializer(), LongDeserializer(), 2**40, struct.pack(">q", 2**40)),
        (DoubleSerializer(), DoubleDeserializer(), 1.5, b"\x3f\xf8" + b"\x00" * 6),
        (FloatSerializer(), FloatDeserializer(), 0.5, b"\x3f\x00\x00\x00"),
    ],
)
def test_numbers_are_big_endian(serializer, deserializer, value, expected, value_ctx):
    assert serializer(value, value_ctx) == expected
    assert deserializer(expected, value_ctx) == value


def test_numbers_tombstones(value_ctx):
    for serde in (IntegerSerializer(), LongDeserializer(), DoubleSerializer()):
        assert serde(None, value_ctx) is None


def test_double_nan_round_trips(value_ctx):
    assert math.isnan(DoubleDeserializer()(DoubleSerializer()(math.nan, value_ctx), value_ctx))


def test_number_errors(value_ctx):
    with pytest.raises(SerializationError, match="not a valid int"):
        IntegerSerializer()(2**31, value_ctx)
    with pytest.raises(SerializationError, match="not a valid long"):
        LongSerializer()("1", value_ctx)
    with pytest.raises(DeserializationError, match="a long takes 8 bytes, got 4"):
        LongDeserializer()(b"\x00\x00\x00\x01", value_ctx)
