"""Converters from what the drivers return to Debezium's value representation.

Snapshot rows come from PyMySQL and change events from ``mysql-replication``; the two return
a few types differently (a SET is ``'a,b'`` or ``{'a', 'b'}``, a BIT is big-endian bytes or
a ``'0101'`` string, BINARY padding is stripped in the binlog), so each converter accepts
both. Converters are only called for non-null values and are plain functions: they run once
per column per row, on the hot path.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

Converter = Callable[[Any], Any]

_EPOCH = dt.datetime(1970, 1, 1)
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_US = 1_000_000


def date_days(value: Any) -> int | None:
    """DATE → days since the epoch (io.debezium.time.Date); zero dates have no value."""
    if isinstance(value, dt.date):
        return value.toordinal() - _EPOCH_ORDINAL
    return None


def time_micros(value: dt.timedelta) -> int:
    """TIME → microseconds since midnight, may be negative or past 24 h (MicroTime)."""
    return (value.days * 86_400 + value.seconds) * _US + value.microseconds


def binlog_time_micros(value: dt.timedelta) -> int:
    """TIME(fsp>0) from the binlog reader, whose negative values have a mirrored fraction.

    ``mysql-replication`` decodes ``-838:59:59.123`` as ``-(838:59:59 + 0.877)``: the
    fractional part of a negative value is not complemented. Undo that.
    """
    micros = time_micros(value)
    if micros >= 0:
        return micros
    whole, frac = divmod(-micros, _US)
    return -(whole * _US + (_US - frac)) if frac else micros


def datetime_millis(value: Any) -> int | None:
    """DATETIME(0-3) → milliseconds since the epoch, the wall time read as UTC (Timestamp)."""
    if not isinstance(value, dt.datetime):
        return None
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def datetime_micros(value: Any) -> int | None:
    """DATETIME(4-6) → microseconds since the epoch (MicroTimestamp)."""
    if not isinstance(value, dt.datetime):
        return None
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * _US + delta.microseconds


def zoned_timestamp(fsp: int) -> Converter:
    """TIMESTAMP(fsp) → ISO-8601 in UTC with ``fsp`` fraction digits (ZonedTimestamp).

    Both readers hand over the UTC wall time: the binlog stores seconds since the epoch and
    the snapshot session runs with ``time_zone='+00:00'``.
    """

    def convert(value: Any) -> str | None:
        if not isinstance(value, dt.datetime):
            return None
        text = value.isoformat(timespec="seconds")
        if fsp:
            text += "." + f"{value.microsecond:06d}"[:fsp]
        return text + "Z"

    return convert


def unsigned_bigint_long(value: int) -> int:
    """BIGINT UNSIGNED → long: values above 2^63-1 wrap like Debezium's Java long."""
    return value - (1 << 64) if value >= 1 << 63 else value


def unsigned_bigint_precise(value: int) -> Decimal:
    """BIGINT UNSIGNED → Decimal(20, 0) (``bigint.unsigned.handling.mode=precise``)."""
    return Decimal(value)


def rounded(digits: int) -> Converter:
    """FLOAT(M,D) from the binlog: a 4-byte float, shown (as a query shows it) at D digits."""

    def convert(value: float) -> float:
        return round(value, digits)

    return convert


def decimal_double(value: Decimal) -> float:
    return float(value)


def decimal_string(value: Decimal) -> str:
    return format(value, "f")


def set_string(allowed: tuple[str, ...]) -> Converter:
    """SET → ``'a,c'`` in definition order (EnumSet)."""
    order = {v: i for i, v in enumerate(allowed)}

    def convert(value: Any) -> str:
        if isinstance(value, str):
            return value
        return ",".join(sorted(value, key=lambda v: order.get(v, len(order))))

    return convert


def json_string(value: Any) -> str:
    """JSON → its text (MySQL's binary JSON arrives decoded: serialise it again)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode()
    return json.dumps(value, default=_json_default, separators=(",", ":"))


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, Decimal | dt.date | dt.time | dt.datetime):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__} in JSON")


def raw_bytes(value: Any) -> bytes:
    """BLOB/VARBINARY → bytes (the binlog reader returns ``''`` for an empty value)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray):
        return bytes(value)
    return str(value).encode("latin-1")


def padded_bytes(length: int) -> Converter:
    """BINARY(n) → n bytes: the binlog strips trailing zero bytes, the table keeps them."""

    def convert(value: Any) -> bytes:
        data = raw_bytes(value)
        return data.ljust(length, b"\x00") if len(data) < length else data

    return convert


def bit_boolean(value: Any) -> bool:
    """BIT(1) → boolean (``'1'`` from the binlog, ``b'\\x01'`` from a query)."""
    if isinstance(value, bytes | bytearray):
        return any(value)
    if isinstance(value, str):
        return value == "1"
    return bool(value)


def bits_little_endian(bits: int) -> Converter:
    """BIT(n>1) → ceil(n/8) bytes, least significant byte first (io.debezium.data.Bits)."""
    size = (bits + 7) // 8

    def convert(value: Any) -> bytes:
        if isinstance(value, bytes | bytearray):
            number = int.from_bytes(value, "big")
        elif isinstance(value, str):
            number = int(value, 2) if value else 0
        else:
            number = int(value)
        return number.to_bytes(size, "little")

    return convert
