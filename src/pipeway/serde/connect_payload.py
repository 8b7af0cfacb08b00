"""Converting values to and from JsonConverter's payload form, driven by a Connect schema.

A schema is compiled once into a tree of small functions (one per schema node) so a record
costs only the calls its shape requires. Conventions are JsonConverter's: bytes as base64,
Decimal as base64 of the unscaled two's-complement integer (or a plain number with
``decimal.format=NUMERIC``), Date as days since epoch, Time as milliseconds since midnight,
Timestamp as milliseconds since epoch, maps with non-string keys as ``[[key, value], ...]``.
Decoding returns ``bytes``, ``decimal.Decimal``, ``datetime.date``, ``datetime.time`` and
timezone-aware ``datetime.datetime`` (UTC), the types fastavro uses for the same data.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import orjson

from pipeway.serde.connect_schema import (
    DATE,
    DECIMAL,
    DECIMAL_SCALE,
    TIME,
    TIMESTAMP,
    ConnectSchema,
    connect_type,
)
from pipeway.serde.exceptions import ConnectDataError

Convert = Callable[[Any], Any]
DecimalFormat = Literal["BASE64", "NUMERIC"]

EPOCH_DATE = dt.date(1970, 1, 1)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MS = dt.timedelta(milliseconds=1)
_INT_RANGES = {
    "int8": (-(2**7), 2**7 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
}


def compile_encoder(
    schema: ConnectSchema, decimal_format: DecimalFormat = "BASE64", path: str = ""
) -> Convert:
    """Build a function turning a Python value into its JSON payload form for ``schema``.

    Raises:
        ConnectDataError: the schema itself is malformed (unknown type, missing fields).
    """
    inner = _encoder_for(schema, decimal_format, path)
    default, optional = schema.get("default"), bool(schema.get("optional", False))

    def encode(value: Any) -> Any:
        if value is None:
            if default is not None:
                return default
            if optional:
                return None
            raise ConnectDataError("null for a required field without a default", path)
        return inner(value)

    encode.inner = inner  # type: ignore[attr-defined]  # for struct encoders (non-null values)
    return encode


def compile_decoder(schema: ConnectSchema, path: str = "") -> Convert:
    """Build a function turning a JSON payload value back into Python values for ``schema``.

    Raises:
        ConnectDataError: the schema itself is malformed (unknown type, missing fields).
    """
    inner = _decoder_for(schema, path)
    default, optional = schema.get("default"), bool(schema.get("optional", False))
    default_value = inner(default) if default is not None else None

    def decode(value: Any) -> Any:
        if value is None:
            if default is not None:
                return default_value
            if optional:
                return None
            raise ConnectDataError("null for a required field without a default", path)
        return inner(value)

    return decode


def _encoder_for(schema: ConnectSchema, decimal_format: DecimalFormat, path: str) -> Convert:
    """Pick the encoder of one schema node (logical name first, then type)."""
    name, kind = schema.get("name"), connect_type(schema)
    if name == DECIMAL:
        return _decimal_encoder(_scale(schema, path), decimal_format, path)
    if name == DATE:
        return _with_logical(_date_to_days, dt.date, path)
    if name == TIME:
        return _with_logical(_time_to_millis, dt.time, path)
    if name == TIMESTAMP:
        return _with_logical(_datetime_to_millis, dt.datetime, path)
    if kind == "struct":
        return _struct_encoder(schema, decimal_format, path)
    if kind == "array":
        items = compile_encoder(_child(schema, "items", path), decimal_format, f"{path}[]")
        return _array_converter(items, path)
    if kind == "map":
        return _map_encoder(schema, decimal_format, path)
    return _primitive_encoder(kind, path)


def _decoder_for(schema: ConnectSchema, path: str) -> Convert:
    """Pick the decoder of one schema node (logical name first, then type)."""
    name, kind = schema.get("name"), connect_type(schema)
    if name == DECIMAL:
        return _decimal_decoder(_scale(schema, path), path)
    if name == DATE:
        return _typed(int, path, lambda days: EPOCH_DATE + dt.timedelta(days=days))
    if name == TIME:
        return _typed(int, path, _millis_to_time)
    if name == TIMESTAMP:
        return _typed(int, path, lambda millis: EPOCH + millis * _MS)
    if kind == "struct":
        return _struct_decoder(schema, path)
    if kind == "array":
        return _array_converter(compile_decoder(_child(schema, "items", path), f"{path}[]"), path)
    if kind == "map":
        return _map_decoder(schema, path)
    return _primitive_decoder(kind, path)


def _primitive_encoder(kind: str, path: str) -> Convert:
    """Type-check (and for bytes, base64-encode) a primitive value."""
    if kind in _INT_RANGES:
        return _int_checker(kind, path)
    if kind in ("float", "double"):
        return _typed((int, float), path, float)
    if kind == "boolean":
        return _typed(bool, path, _same)
    if kind == "string":
        return _typed(str, path, _same)
    if kind == "bytes":
        return _typed((bytes, bytearray, memoryview), path, _b64encode)
    raise ConnectDataError(f"unknown Connect type '{kind}'", path)


def _primitive_decoder(kind: str, path: str) -> Convert:
    """Type-check (and for bytes, base64-decode) a primitive JSON value."""
    if kind in _INT_RANGES:
        return _int_checker(kind, path)
    if kind in ("float", "double"):
        return _typed((int, float), path, float)
    if kind == "boolean":
        return _typed(bool, path, _same)
    if kind == "string":
        return _typed(str, path, _same)
    if kind == "bytes":
        return _typed(str, path, lambda text: _b64decode(text, path))
    raise ConnectDataError(f"unknown Connect type '{kind}'", path)


def _struct_encoder(schema: ConnectSchema, decimal_format: DecimalFormat, path: str) -> Convert:
    """Encode a mapping field by field; keys the schema does not know are an error.

    Runs once per record and per nested struct, so it is generated as one straight-line
    function: a field whose value already is its JSON form (a str for a string, an int in
    range for an integer...) is copied after an inline type check; anything else (None,
    logical types, nested structs, bad values) goes through the field's compiled encoder,
    which converts it or raises as before.
    """
    fields = [
        (name, field, compile_encoder(field, decimal_format, _join(path, name)))
        for name, field in _fields(schema, path)
    ]
    names = frozenset(name for name, _, _ in fields)

    def fail(value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise ConnectDataError(f"expected a mapping, got {type(value).__name__}", path)
        unknown = sorted(str(k) for k in value if k not in names)
        raise ConnectDataError(f"fields not in the schema: {', '.join(unknown)}", path)

    env: dict[str, Any] = {"Mapping": Mapping, "names": names, "fail": fail, "n": len(names)}
    reads, subscripts, items = [], [], []
    for i, (name, field, enc) in enumerate(fields):
        env[f"e{i}"], env[f"i{i}"] = enc, enc.inner  # type: ignore[attr-defined]
        check = _inline_check(field, f"v{i}", env, i)
        reads.append(f"        v{i} = get({name!r})\n")
        subscripts.append(f"        v{i} = value[{name!r}]\n")
        # a non-null value skips the null handling of e{i}: straight to its encoder i{i}
        convert = f"i{i}(v{i}) if v{i} is not None else e{i}(v{i})"
        value = convert if check is None else f"v{i} if ({check}) else {convert}"
        items.append(f"{name!r}: {value}")
    empty = "        pass\n"
    # a dict with exactly the schema's fields (the usual case) is read by subscripts;
    # anything else is checked, then read with get (absent fields are None)
    source = (
        "def encode(value):\n"
        "    if type(value) is dict and len(value) == n and names.issuperset(value):\n"
        f"{''.join(subscripts) or empty}"
        "    else:\n"
        "        if type(value) is not dict and not isinstance(value, Mapping):\n"
        "            fail(value)\n"
        "        if len(value) > n or not names.issuperset(value):\n"
        "            fail(value)\n"
        "        get = value.get\n"
        f"{''.join(reads)}"
        f"    return {{{', '.join(items)}}}\n"
    )
    exec(compile(source, f"<struct encoder {path or 'root'}>", "exec"), env)
    return env["encode"]


def _inline_check(field: ConnectSchema, var: str, env: dict[str, Any], i: int) -> str | None:
    """A Python expression true when ``var`` is already the encoded value of ``field``."""
    nullable = bool(field.get("optional")) and field.get("default") is None
    kind = connect_type(field)
    if field.get("name") in _LOGICAL or kind not in (*_INT_RANGES, *_INLINE_TYPES):
        # logical types and containers convert their values: only a null passes as is
        return f"{var} is None" if nullable else None
    if kind in _INT_RANGES:
        env[f"lo{i}"], env[f"hi{i}"] = _INT_RANGES[kind]
        check = f"type({var}) is int and lo{i} <= {var} <= hi{i}"
    else:
        check = f"type({var}) is {_INLINE_TYPES[kind]}"
    return f"{var} is None or {check}" if nullable else check


_LOGICAL = frozenset({DECIMAL, DATE, TIME, TIMESTAMP})
_INLINE_TYPES = {"string": "str", "boolean": "bool", "float": "float", "double": "float"}


def _struct_decoder(schema: ConnectSchema, path: str) -> Convert:
    """Decode a JSON object field by field; missing fields take defaults or ``None``."""
    fields = [
        (name, compile_decoder(field, _join(path, name))) for name, field in _fields(schema, path)
    ]

    def decode(value: Any) -> Any:
        if not isinstance(value, dict):
            raise ConnectDataError(f"expected a JSON object, got {type(value).__name__}", path)
        return {name: dec(value.get(name)) for name, dec in fields}

    return decode


def _map_encoder(schema: ConnectSchema, decimal_format: DecimalFormat, path: str) -> Convert:
    """Encode a map as an object (string keys) or a list of ``[key, value]`` pairs."""
    keys_schema = _child(schema, "keys", path)
    keys = compile_encoder(keys_schema, decimal_format, f"{path}{{key}}")
    values = compile_encoder(_child(schema, "values", path), decimal_format, f"{path}{{}}")
    as_object = connect_type(keys_schema) == "string"

    def encode(value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise ConnectDataError(f"expected a mapping, got {type(value).__name__}", path)
        if as_object:
            return {keys(k): values(v) for k, v in value.items()}
        return [[keys(k), values(v)] for k, v in value.items()]

    return encode


def _map_decoder(schema: ConnectSchema, path: str) -> Convert:
    """Decode a map from an object or from a list of ``[key, value]`` pairs."""
    keys = compile_decoder(_child(schema, "keys", path), f"{path}{{key}}")
    values = compile_decoder(_child(schema, "values", path), f"{path}{{}}")

    def decode(value: Any) -> Any:
        if isinstance(value, dict):
            return {keys(k): values(v) for k, v in value.items()}
        if isinstance(value, list) and all(isinstance(p, list) and len(p) == 2 for p in value):
            return {keys(k): values(v) for k, v in value}
        raise ConnectDataError("expected a JSON object or a list of [key, value] pairs", path)

    return decode


def _array_converter(items: Convert, path: str) -> Convert:
    """Apply ``items`` to every element of a list (same shape both directions)."""

    def convert(value: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise ConnectDataError(f"expected a list, got {type(value).__name__}", path)
        return [items(v) for v in value]

    return convert


def _decimal_encoder(scale: int, decimal_format: DecimalFormat, path: str) -> Convert:
    """Encode Decimal (or int/float) at the schema's scale, refusing to round."""
    exponent = Decimal(1).scaleb(-scale)
    numeric = decimal_format == "NUMERIC"
    b2a_base64 = binascii.b2a_base64

    def encode(value: Any) -> Any:
        if type(value) is Decimal and value.as_tuple().exponent == -scale:
            # already at the schema's scale (what decimal columns hold): the per-row path,
            # so _signed_bytes and _b64encode are inlined
            if numeric:
                return orjson.Fragment(str(value))
            unscaled = int(value.scaleb(scale))
            length = ((unscaled if unscaled >= 0 else ~unscaled).bit_length() + 8) // 8
            raw = unscaled.to_bytes(length, "big", signed=True)
            return b2a_base64(raw, newline=False).decode()
        if not isinstance(value, Decimal | int | float) or isinstance(value, bool):
            raise ConnectDataError(f"expected a Decimal, got {type(value).__name__}", path)
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        try:
            exact = number.quantize(exponent)
        except InvalidOperation as exc:
            raise ConnectDataError(f"{value} does not fit scale {scale}", path) from exc
        if exact != number:
            raise ConnectDataError(f"{value} has more than {scale} decimal places", path)
        if decimal_format == "NUMERIC":
            return orjson.Fragment(str(exact))
        return _b64encode(_signed_bytes(int(exact.scaleb(scale))))

    return encode


def _decimal_decoder(scale: int, path: str) -> Convert:
    """Decode base64 unscaled bytes (or a plain JSON number) into a Decimal."""

    def decode(value: Any) -> Any:
        if isinstance(value, str):
            unscaled = int.from_bytes(_b64decode(value, path), "big", signed=True)
            return Decimal(unscaled).scaleb(-scale)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Decimal(str(value))
        raise ConnectDataError(f"expected base64 text or a number, got {value!r}", path)

    return decode


def _int_checker(kind: str, path: str) -> Convert:
    """Accept ints (not bools) inside the range of the Connect integer type."""
    low, high = _INT_RANGES[kind]

    def check(value: Any) -> Any:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ConnectDataError(f"expected {kind}, got {type(value).__name__}", path)
        if not low <= value <= high:
            raise ConnectDataError(f"{value} is out of range for {kind}", path)
        return value

    return check


def _typed(types: type | tuple[type, ...], path: str, then: Convert) -> Convert:
    """Check ``isinstance(value, types)`` (bools only where asked for), then convert."""
    allow_bool = types is bool

    def convert(value: Any) -> Any:
        if not isinstance(value, types) or (isinstance(value, bool) and not allow_bool):
            raise ConnectDataError(f"unexpected {type(value).__name__} value {value!r:.60}", path)
        return then(value)

    return convert


def _with_logical(to_number: Convert, logical: type, path: str) -> Convert:
    """Accept the logical Python type (converted) or its underlying integer as is."""

    def encode(value: Any) -> Any:
        if isinstance(value, logical):
            return to_number(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ConnectDataError(f"expected {logical.__name__} or int, got {value!r:.60}", path)

    return encode


def _date_to_days(value: dt.date) -> int:
    day = value.date() if isinstance(value, dt.datetime) else value
    return (day - EPOCH_DATE).days


def _time_to_millis(value: dt.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1000 + value.microsecond // 1000


def _millis_to_time(millis: int) -> dt.time:
    return (dt.datetime.min + millis * _MS).time()


def _datetime_to_millis(value: dt.datetime) -> int:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return (aware - EPOCH) // _MS


def _signed_bytes(number: int) -> bytes:
    """Minimal big-endian two's complement, like Java's ``BigInteger.toByteArray``."""
    length = ((number if number >= 0 else ~number).bit_length() + 8) // 8
    return number.to_bytes(length, "big", signed=True)


def _b64encode(value: bytes | bytearray | memoryview) -> str:
    return base64.b64encode(value).decode("ascii")


def _b64decode(text: str, path: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConnectDataError(f"invalid base64: {exc}", path) from exc


def _same(value: Any) -> Any:
    return value


def _scale(schema: ConnectSchema, path: str) -> int:
    try:
        return int((schema.get("parameters") or {}).get(DECIMAL_SCALE, 0))
    except (TypeError, ValueError) as exc:
        raise ConnectDataError("Decimal schema has a non-integer scale parameter", path) from exc


def _fields(schema: ConnectSchema, path: str) -> list[tuple[str, ConnectSchema]]:
    fields = schema.get("fields")
    if not isinstance(fields, list) or not all(
        isinstance(f, dict) and "field" in f for f in fields
    ):
        raise ConnectDataError("struct schema needs a 'fields' list of {'field': name, ...}", path)
    return [(str(f["field"]), f) for f in fields]


def _child(schema: ConnectSchema, key: str, path: str) -> ConnectSchema:
    child = schema.get(key)
    if not isinstance(child, dict):
        raise ConnectDataError(f"{connect_type(schema)} schema needs a '{key}' schema", path)
    return child


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
