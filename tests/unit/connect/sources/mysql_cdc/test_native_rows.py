"""The compiled row decoder on handcrafted rows-event bodies (MySQL's binlog row format)."""

from __future__ import annotations

import struct
from decimal import Decimal
from typing import Any

import pipeway_binlog_native as native
import pytest

# FIELD_TYPE codes
TINY, SHORT, LONG, FLOAT, LONGLONG, INT24, DATE, YEAR, VARCHAR = 1, 2, 3, 4, 8, 9, 10, 13, 15
BIT, TIMESTAMP2, DATETIME2, TIME2, JSON, NEWDECIMAL, ENUM, SET, BLOB, STRING = (
    16, 17, 18, 19, 245, 246, 247, 248, 252, 254,
)  # fmt: skip


def col(
    t: int,
    meta: int = 0,
    conv: str = "same",
    param: int = 0,
    unsigned: bool = False,
    charset: str | None = None,
    names: list[str] | None = None,
) -> tuple[Any, ...]:
    return (t, meta, unsigned, charset, conv, param, names)


def decoder(*columns: tuple[Any, ...]) -> Any:
    fields = [(f"c{i}", i) for i in range(len(columns))]
    return native.RowDecoder(list(columns), fields)


def image(*values: bytes | None, present: int | None = None) -> bytes:
    """A row image: the null bitmap (one bit per present column), then the non-null values."""
    nulls = 0
    for i, value in enumerate(values):
        if value is None:
            nulls |= 1 << i
    return nulls.to_bytes((len(values) + 7) // 8, "little") + b"".join(v or b"" for v in values)


def bitmap(n: int, missing: tuple[int, ...] = ()) -> bytes:
    bits = sum(1 << i for i in range(n) if i not in missing)
    return bits.to_bytes((n + 7) // 8, "little")


def one(dec: Any, *values: bytes | None) -> list[Any]:
    body = image(*values)
    (row,) = dec.rows(body, 0, len(body), bitmap(len(values)))
    return list(row.values())


def be(value: int, size: int, signed: bool = False) -> bytes:
    return value.to_bytes(size, "big", signed=signed)


def test_integers_signed_unsigned_and_bigint_modes() -> None:
    dec = decoder(
        col(TINY),
        col(TINY, unsigned=True),
        col(SHORT),
        col(INT24),
        col(INT24, unsigned=True),
        col(LONG, unsigned=True),
        col(LONGLONG),
        col(LONGLONG, conv="wrap_u64", unsigned=True),
        col(LONGLONG, conv="decimal_of_int", unsigned=True),
    )
    u64_max = (2**64 - 1).to_bytes(8, "little")
    values = one(
        dec,
        b"\x80",
        b"\xff",
        struct.pack("<h", -32768),
        b"\x00\x00\x80",
        b"\xff\xff\xff",
        struct.pack("<I", 4294967295),
        struct.pack("<q", -(2**63)),
        u64_max,
        u64_max,
    )
    assert values == [-128, 255, -32768, -8388608, 16777215, 4294967295, -(2**63), -1, 2**64 - 1]
    assert isinstance(values[-1], Decimal)


# DECIMAL(14,4): MySQL's documented example, 1234567890.1234 and its negation
POSITIVE = bytes.fromhex("810DFB38D204D2")
NEGATIVE = bytes.fromhex("7EF204C72DFB2D")


@pytest.mark.parametrize(
    ("conv", "positive", "negative"),
    [
        ("same", Decimal("1234567890.1234"), Decimal("-1234567890.1234")),
        ("decimal_string", "1234567890.1234", "-1234567890.1234"),
        ("decimal_double", 1234567890.1234, -1234567890.1234),
    ],
)
def test_decimal_modes(conv: str, positive: Any, negative: Any) -> None:
    dec = decoder(col(NEWDECIMAL, 14 << 8 | 4, conv), col(NEWDECIMAL, 14 << 8 | 4, conv))
    values = one(dec, POSITIVE, NEGATIVE)
    assert values == [positive, negative]
    assert [repr(v) for v in values] == [repr(positive), repr(negative)]


def test_decimal_edges() -> None:
    # DECIMAL(3,3) 0.5 and -0.5: no integer digits; DECIMAL(5,0) 0: no fraction
    dec = decoder(col(NEWDECIMAL, 3 << 8 | 3), col(NEWDECIMAL, 3 << 8 | 3), col(NEWDECIMAL, 5 << 8))
    half = bytes([0x80 | 500 >> 8, 500 & 0xFF])  # sign bit set: non-negative
    minus_half = bytes(b ^ 0xFF for b in half)  # negative: every bit inverted
    values = one(dec, half, minus_half, bytes([0x80, 0, 0]))
    assert [repr(v) for v in values] == ["Decimal('0.500')", "Decimal('-0.500')", "Decimal('0')"]


def test_dates_and_zero_dates() -> None:
    dec = decoder(col(DATE, conv="date_days"), col(DATE, conv="date_days"))
    leap_day = (2024 << 9 | 2 << 5 | 29).to_bytes(3, "little")
    assert one(dec, leap_day, b"\x00\x00\x00") == [19782, None]


def test_time2_positive_negative_and_mirrored_fraction() -> None:
    hms = 838 << 12 | 59 << 6 | 59
    dec = decoder(
        col(TIME2, 0, "time_micros"),
        col(TIME2, 3, "binlog_time_micros"),
        col(TIME2, 3, "binlog_time_micros"),
    )
    values = one(
        dec,
        be(0x800000 - hms, 3),  # -838:59:59
        be(0x800000 + (12 << 12 | 34 << 6 | 56), 3) + be(7890, 2),  # 12:34:56.789
        be(0x800000 - hms - 1, 3) + be(-1230, 2, signed=True),  # -838:59:59.123
    )
    whole = (838 * 3600 + 59 * 60 + 59) * 1_000_000
    assert values == [-whole, (12 * 3600 + 34 * 60 + 56) * 1_000_000 + 789_000, -(whole + 123_000)]


def _datetime2(y: int, mo: int, d: int, h: int, mi: int, s: int) -> bytes:
    return be(1 << 39 | (y * 13 + mo) << 22 | d << 17 | h << 12 | mi << 6 | s, 5)


def test_datetime2_millis_micros_and_zero() -> None:
    dec = decoder(
        col(DATETIME2, 6, "datetime_micros"),
        col(DATETIME2, 3, "datetime_millis"),
        col(DATETIME2, 0, "datetime_millis"),
        col(DATETIME2, 0, "datetime_millis"),
    )
    values = one(
        dec,
        _datetime2(9999, 12, 31, 23, 59, 59) + be(999999, 3),
        _datetime2(2024, 1, 2, 3, 4, 5) + be(1230, 2),
        _datetime2(1000, 1, 1, 0, 0, 0),
        be(1 << 39, 5),  # 0000-00-00 00:00:00
    )
    assert values == [253402300799999999, 1704164645123, -30610224000000, None]


def test_timestamp2_is_zoned_text_at_the_columns_precision() -> None:
    dec = decoder(col(TIMESTAMP2, 3, "zoned", 3), col(TIMESTAMP2, 0, "zoned", 0))
    values = one(dec, be(1714979289, 4) + be(1200, 2), be(2147483647, 4))
    assert values == ["2024-05-06T07:08:09.120Z", "2038-01-19T03:14:07Z"]


def test_text_charsets_and_length_prefixes() -> None:
    text = "héllo wörld ✓ 😀".encode()
    long_text = ("ü" * 300).encode()
    dec = decoder(
        col(VARCHAR, 80, charset="utf8"),
        col(VARCHAR, 1000, charset="utf8"),
        col(VARCHAR, 10, charset="cp1252"),
        col(STRING, 256, charset="utf8"),
        col(BLOB, 4, charset="utf8"),
        col(VARCHAR, 10, charset="ascii"),
    )
    values = one(
        dec,
        bytes([len(text)]) + text,
        struct.pack("<H", len(long_text)) + long_text,
        b"\x06caf\xe9 \x80",
        struct.pack("<H", 2) + b"ab",
        struct.pack("<I", 4) + b"long",
        b"\x03abc",
    )
    assert values == ["héllo wörld ✓ 😀", "ü" * 300, "café €", "ab", "long", "abc"]


@pytest.mark.parametrize(
    ("charset", "raw"),
    [("utf8", b"\xff\xfe"), ("cp1252", b"\x81"), ("ascii", b"\xe9")],
)
def test_undecodable_text_leaves_the_event_to_python(charset: str, raw: bytes) -> None:
    dec = decoder(col(VARCHAR, 10, charset=charset))
    body = image(bytes([len(raw)]) + raw)
    with pytest.raises(native.RowDecodeError):
        dec.rows(body, 0, len(body), bitmap(1))


def test_binary_blobs_padding() -> None:
    dec = decoder(
        col(STRING, 4, "padded", 4, charset="binary"),
        col(VARCHAR, 10, "raw_bytes", charset="binary"),
        col(BLOB, 2, "raw_bytes", charset="binary"),
    )
    values = one(dec, b"\x02\x01\x02", b"\x03\x00\xffa", b"\x00\x00")
    assert values == [b"\x01\x02\x00\x00", b"\x00\xffa", b""]


def test_enum_set_bit_year() -> None:
    dec = decoder(
        col(ENUM, 1, names=["", "a", "b"]),
        col(SET, 1, "set_string", names=["x", "y", "z"]),
        col(SET, 1, "set_string", names=["x", "y", "z"]),
        col(BIT, 1, "bit_bool"),
        col(BIT, 12, "bits", 12),
        col(YEAR),
        col(YEAR),
        col(FLOAT, 4, "round", 2),
    )
    values = one(
        dec, b"\x02", b"\x05", b"\x00", b"\x01", b"\x0a\xaa", b"\xff", b"\x00",
        struct.pack("<f", 12345.67),
    )  # fmt: skip
    assert values == ["b", "x,z", "", True, (0b101010101010).to_bytes(2, "little"), 2155, 1900,
                      12345.67]  # fmt: skip


def test_enum_index_past_the_values_leaves_the_event_to_python() -> None:
    dec = decoder(col(ENUM, 1, names=["", "a"]))
    body = image(b"\x05")
    with pytest.raises(native.RowDecodeError, match="ENUM index 5"):
        dec.rows(body, 0, len(body), bitmap(1))


def test_nulls_and_columns_missing_from_a_minimal_image() -> None:
    dec = decoder(col(LONG), col(VARCHAR, 10, charset="utf8"), col(LONG))
    # column 1 is not in the image (binlog_row_image=MINIMAL); column 2 is null
    body = image(struct.pack("<i", 7), None)
    (row,) = dec.rows(body, 0, len(body), bitmap(3, missing=(1,)))
    assert row == {"c0": 7, "c1": None, "c2": None}


def test_several_rows_and_update_pairs() -> None:
    dec = decoder(col(LONG), col(VARCHAR, 10, charset="utf8"))
    rows = [image(struct.pack("<i", i), bytes([1]) + b"%d" % i) for i in range(3)]
    body = b"".join(rows)
    assert dec.rows(body, 0, len(body), bitmap(2)) == [{"c0": i, "c1": str(i)} for i in range(3)]
    pairs = dec.update_rows(body[: len(rows[0]) * 2], 0, len(rows[0]) * 2, bitmap(2), bitmap(2))
    assert pairs == [({"c0": 0, "c1": "0"}, {"c0": 1, "c1": "1"})]


def test_fields_in_schema_order_skipping_excluded_columns() -> None:
    columns = [col(LONG), col(VARCHAR, 10, "skip", charset="latin7"), col(DATE, conv="date_days")]
    fields = [("day", 2), ("id", 0), ("added_later", None)]
    dec = native.RowDecoder(columns, fields)
    body = image(struct.pack("<i", 1), b"\x02zz", (2024 << 9 | 2 << 5 | 29).to_bytes(3, "little"))
    (row,) = dec.rows(body, 0, len(body), bitmap(3))
    assert list(row.items()) == [("day", 19782), ("id", 1), ("added_later", None)]


def test_offsets_inside_a_larger_packet() -> None:
    dec = decoder(col(LONG))
    body = b"header" + image(struct.pack("<i", 42)) + b"crc!"
    assert dec.rows(body, 6, len(body) - 4, bitmap(1)) == [{"c0": 42}]


def test_truncated_rows_are_refused() -> None:
    dec = decoder(col(LONGLONG))
    body = image(b"\x01\x02\x03")
    with pytest.raises(native.RowDecodeError, match="ends at byte"):
        dec.rows(body, 0, len(body), bitmap(1))


@pytest.mark.parametrize(
    "column",
    [
        col(JSON, 4, "json"),  # MySQL's binary JSON
        col(VARCHAR, 10, charset="big5"),
        col(VARCHAR, 10, charset="binary"),  # bytes in a string field
        col(BIT, 3, "bit_bool"),
        col(DATE, conv="datetime_millis"),
        col(ENUM, 1),  # no values in the table map
    ],
)
def test_columns_it_cannot_reproduce_are_refused(column: tuple[Any, ...]) -> None:
    with pytest.raises(native.UnsupportedColumn):
        decoder(column)
