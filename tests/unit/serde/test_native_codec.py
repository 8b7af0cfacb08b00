"""The native Avro codec (pipeway_avro_native) against fastavro, the reference.

Parity: for many schemas and seeded random values, the native bytes equal
``fastavro.schemaless_writer``'s and the native decode equals ``schemaless_reader``'s. Where the
codec is unsure it raises ValueError and serde falls back to fastavro, so the serializer's
output and errors stay the same. The extension is installed by ``make``/``scripts/build-native.sh``;
these tests fail (they do not skip) when it is missing.
"""

from __future__ import annotations

import collections
import datetime as dt
import io
import json
import os
import random
import struct
import time
import uuid
import zlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import fastavro
import orjson
import pipeway_avro_native as native  # must be installed: a missing module fails the suite
import pytest

from pipeway.serde import (
    AvroDeserializer,
    AvroSerializer,
    DeserializationError,
    RegistryClient,
    SerializationError,
    native_codec,
)
from pipeway.serde.avro_schema import parse_schema_str

from .schemas import USER, USER_V1

HEADER = b"\x00\x00\x00\x00\x07"
UTC = dt.UTC
PLUS_0530 = dt.timezone(dt.timedelta(hours=5, minutes=30))
MINUS_0800 = dt.timezone(dt.timedelta(hours=-8))


def _rec(name: str, fields: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": fields, **extra}


def _f(name: str, type_: Any, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **extra}


def _logical(base: str, logical: str, **extra: Any) -> dict[str, Any]:
    return {"type": base, "logicalType": logical, **extra}


COLOR = {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]}
BIG_ENUM = {"type": "enum", "name": "Letter", "symbols": [f"L{i}" for i in range(40)]}
MD5 = {"type": "fixed", "name": "MD5", "size": 16}
POINT = _rec("Point", [_f("x", "int"), _f("y", "int")])
ADDRESS = _rec(
    "Address",
    [_f("street", "string"), _f("zip", ["null", "string"], default=None)],
    namespace="com.example",
)
LINKED = _rec("Node", [_f("value", "long"), _f("next", ["null", "Node"], default=None)])
DEC_BYTES = _logical("bytes", "decimal", precision=12, scale=3)
DEC_FIXED = {
    "type": "fixed",
    "name": "Money",
    "size": 8,
    "logicalType": "decimal",
    "precision": 15,
    "scale": 2,
}

BENCH_RECORD = json.loads(
    """{
  "type": "record", "name": "ViewerEvent", "namespace": "pipeway.bench",
  "fields": [
    {"name": "user_id", "type": "long"},
    {"name": "device_id", "type": "string"},
    {"name": "channel_id", "type": "int"},
    {"name": "action", "type": "int"},
    {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "session_id", "type": "string"},
    {"name": "city", "type": "string"},
    {"name": "app_version", "type": "string"},
    {"name": "signal_dbm", "type": "double"},
    {"name": "note", "type": "string"}
  ]
}"""
)

SCHEMAS: dict[str, Any] = {
    "null": "null",
    "boolean": "boolean",
    "int": "int",
    "long": "long",
    "float": "float",
    "double": "double",
    "bytes": "bytes",
    "string": "string",
    "enum": COLOR,
    "big-enum": BIG_ENUM,
    "fixed": MD5,
    "array-long": {"type": "array", "items": "long"},
    "map-string": {"type": "map", "values": "string"},
    "primitives": _rec(
        "Primitives",
        [
            _f("n", "null"),
            _f("b", "boolean"),
            _f("i", "int"),
            _f("l", "long"),
            _f("f", "float"),
            _f("d", "double"),
            _f("by", "bytes"),
            _f("s", "string"),
        ],
    ),
    "nested": _rec(
        "Customer",
        [
            _f("id", "long"),
            _f("home", ADDRESS),
            _f("work", ["null", "com.example.Address"], default=None),
            _f("tags", {"type": "array", "items": "string"}),
            _f("scores", {"type": "map", "values": {"type": "array", "items": "double"}}),
        ],
        namespace="com.example",
    ),
    "array-of-records": {"type": "array", "items": POINT},
    "map-of-records": {"type": "map", "values": POINT},
    "named-reuse": _rec(
        "Line", [_f("a", POINT), _f("b", "Point"), _f("c", COLOR), _f("d", "Color")]
    ),
    "unions": _rec(
        "Unions",
        [
            _f("opt_s", ["null", "string"]),
            _f("num", ["null", "int", "long", "double"]),
            _f("int_long", ["int", "long"]),
            _f("float_double", ["float", "double"]),
            _f("double_float", ["double", "float"]),
            _f("str_bytes", ["string", "bytes"]),
            _f("enum_str", ["null", COLOR, "string"]),
            _f("bool_int", ["boolean", "int"]),
            _f("opt_arr", ["null", {"type": "array", "items": "int"}]),
            _f("opt_map", ["null", {"type": "map", "values": "long"}]),
            _f("opt_fixed", ["null", MD5]),
            _f("long_float", ["long", "float"]),
        ],
    ),
    "record-unions": _rec(
        "Shapes",
        [
            _f(
                "shape",
                [
                    "null",
                    _rec("Circle", [_f("r", "double")]),
                    _rec("Rect", [_f("w", "double"), _f("h", "double")]),
                ],
            ),
            _f("many", {"type": "array", "items": ["null", POINT]}),
        ],
    ),
    "recursive": LINKED,
    "logical": _rec(
        "Logical",
        [
            _f("ts_ms", _logical("long", "timestamp-millis")),
            _f("ts_us", _logical("long", "timestamp-micros")),
            _f("lts_ms", _logical("long", "local-timestamp-millis")),
            _f("lts_us", _logical("long", "local-timestamp-micros")),
            _f("day", _logical("int", "date")),
            _f("t_ms", _logical("int", "time-millis")),
            _f("t_us", _logical("long", "time-micros")),
            _f("id", _logical("string", "uuid")),
            _f("amount", DEC_BYTES),
            _f("money", DEC_FIXED),
            _f("opt_ts", ["null", _logical("long", "timestamp-millis")]),
            _f("opt_day", ["null", _logical("int", "date")]),
            _f("opt_id", ["null", _logical("string", "uuid")]),
            _f("opt_amount", ["null", DEC_BYTES]),
            _f("odd", _logical("int", "timestamp-millis")),  # not a fastavro logical type
        ],
    ),
    "defaults": _rec(
        "Defaults",
        [
            _f("s", "string", default="x"),
            _f("i", "int", default=7),
            _f("d", "double", default=1),
            _f("u", ["null", "string"], default=None),
            _f("u2", ["string", "null"], default="dflt"),
            _f("e", COLOR, default="GREEN"),
            _f("arr", {"type": "array", "items": "int"}, default=[1, 2]),
            _f("m", {"type": "map", "values": "string"}, default={"k": "v"}),
            _f("p", POINT, default={"x": 1, "y": 2}),
            _f("b", "boolean", default=True),
            _f("no_default_nullable", ["null", "int"]),
        ],
    ),
    "bench": BENCH_RECORD,
}


@pytest.fixture(autouse=True)
def _native_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """This module compares both paths itself, even when the suite runs with the env var 0."""
    monkeypatch.delenv(native_codec.ENV_VAR, raising=False)


# ---- random values ---------------------------------------------------------------------------


class Gen:
    """Seeded random values valid for a schema (fastavro's parsed form)."""

    TEXT = ("", "a", "hello", "é", "日本語", "😀 emoji", "x" * 200, "tab\tnew\nline", "\x00nul")

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.named: dict[str, Any] = {}

    def value(self, schema: Any, depth: int = 0) -> Any:
        rng = self.rng
        if isinstance(schema, list):
            return self.value(rng.choice(schema), depth + 1)
        if isinstance(schema, str):
            if schema in self.named:
                return self.value(self.named[schema], depth + 1)
            return self.primitive(schema)
        kind = schema["type"]
        logical = schema.get("logicalType")
        if logical:
            value = self.logical(kind, logical, schema)
            if value is not NotImplemented:
                return value
        if kind in ("record", "enum", "fixed"):
            self.named.setdefault(schema["name"], schema)
        if kind == "record":
            out: dict[str, Any] = {}
            for field in schema["fields"]:
                if "default" in field and rng.random() < 0.3:
                    continue
                ftype = field["type"]
                if depth > 6 and isinstance(ftype, list) and "null" in ftype:
                    out[field["name"]] = None
                else:
                    out[field["name"]] = self.value(ftype, depth + 1)
            return out
        if kind == "enum":
            return rng.choice(schema["symbols"])
        if kind == "fixed":
            return rng.randbytes(schema["size"])
        if kind == "array":
            return [self.value(schema["items"], depth + 1) for _ in range(rng.randint(0, 4))]
        if kind == "map":
            return {
                rng.choice(self.TEXT) + str(i): self.value(schema["values"], depth + 1)
                for i in range(rng.randint(0, 3))
            }
        return self.primitive(kind)

    def primitive(self, kind: str) -> Any:
        rng = self.rng
        if kind == "null":
            return None
        if kind == "boolean":
            return rng.random() < 0.5
        if kind == "int":
            return rng.choice(
                [0, 1, -1, 63, 64, -64, -65, 2**31 - 1, -(2**31), rng.randint(-(2**31), 2**31 - 1)]
            )
        if kind == "long":
            return rng.choice([0, -1, 2**63 - 1, -(2**63), 2**31, rng.randint(-(2**63), 2**63 - 1)])
        if kind in ("float", "double"):
            return rng.choice(
                [
                    0.0,
                    -0.0,
                    1.5,
                    -2.25,
                    float("inf"),
                    float("-inf"),
                    1e38,
                    3.4e39,
                    1e-45,
                    5e-324,
                    1e308,
                    rng.uniform(-1e6, 1e6),
                    rng.randint(-1000, 1000),
                ]
            )
        if kind == "bytes":
            data = rng.randbytes(rng.randint(0, 20))
            return bytearray(data) if rng.random() < 0.2 else data
        if kind == "string":
            return rng.choice(self.TEXT)
        raise AssertionError(f"unexpected type {kind}")

    def epoch_int(self, key: str) -> int:
        """An int timestamp that still decodes to a datetime (years 1..9999)."""
        bound = 2**45 if key.endswith("millis") else 2**55
        return self.rng.randint(-bound, bound)

    def logical(self, kind: str, logical: str, schema: dict[str, Any]) -> Any:
        rng = self.rng
        key = f"{kind}-{logical}"
        instant = dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(
            microseconds=rng.randint(-(2**52), 2**52)
        )
        if key in ("long-timestamp-millis", "long-timestamp-micros"):
            return rng.choice(
                [
                    instant,
                    instant.astimezone(PLUS_0530),
                    instant.astimezone(MINUS_0800),
                    instant.replace(tzinfo=None),  # naive: local time via mktime, like fastavro
                    dt.datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
                    self.epoch_int(key),
                ]
            )
        if key in ("long-local-timestamp-millis", "long-local-timestamp-micros"):
            return rng.choice([instant.replace(tzinfo=None), instant, self.epoch_int(key)])
        if key == "int-date":
            return rng.choice(
                [
                    instant.date(),
                    instant,
                    dt.date(1, 1, 1),
                    dt.date(9999, 12, 31),
                    rng.randint(-1000, 100_000),
                ]
            )
        if key == "int-time-millis":
            return rng.choice(
                [instant.time(), dt.time(23, 59, 59, 999_999), rng.randint(0, 86_399_999)]
            )
        if key == "long-time-micros":
            return rng.choice([instant.time(), dt.time(0, 0), rng.randint(0, 86_399_999_999)])
        if key == "string-uuid":
            u = uuid.UUID(int=rng.getrandbits(128), version=4)
            return rng.choice([u, str(u)])
        if key in ("bytes-decimal", "fixed-decimal"):
            precision, scale = schema["precision"], schema.get("scale", 0)
            digits = rng.randint(1, precision)
            unscaled = rng.randint(-(10**digits) + 1, 10**digits - 1)
            exp = -rng.randint(0, scale)
            value = Decimal(unscaled).scaleb(exp)
            if len(value.as_tuple().digits) > precision:
                value = Decimal(0)
            if rng.random() < 0.15:
                return (
                    rng.randbytes(schema["size"])
                    if kind == "fixed"
                    else rng.randbytes(rng.randint(0, 5))
                )
            return value
        return NotImplemented


# ---- helpers ---------------------------------------------------------------------------------


def _parsed(schema: Any) -> Any:
    return parse_schema_str(orjson.dumps(schema).decode())


def _codec(parsed: Any, return_record_name: bool = False) -> Any:
    codec = native.Codec(native_codec.schema_json(parsed), return_record_name)
    assert codec is not None
    return codec


def _fastavro_bytes(parsed: Any, value: Any) -> bytes:
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, parsed, value)
    return buf.getvalue()


def _fastavro_read(parsed: Any, data: bytes, return_record_name: bool = False) -> Any:
    return fastavro.schemaless_reader(io.BytesIO(data), parsed, None, return_record_name)


def _serialize(serializer: AvroSerializer, value: Any, ctx: Any) -> bytes:
    data = serializer(value, ctx)
    assert data is not None
    return data


def _same(a: Any, b: Any) -> bool:
    """Equal values of equal types (recursively), NaN-safe for floats."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dt.datetime):
        return a == b and a.tzinfo == b.tzinfo and repr(a) == repr(b)
    return bool(a == b) and repr(a) == repr(b)


def _random_values(schema: Any, seed: int, count: int) -> Iterator[Any]:
    gen = Gen(seed)
    for _ in range(count):
        yield gen.value(schema)


# ---- parity ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_encode_and_decode_match_fastavro(name: str):
    parsed = _parsed(SCHEMAS[name])
    codec = _codec(parsed)
    native_failures = 0
    for i, value in enumerate(_random_values(parsed, seed=zlib.crc32(name.encode()), count=300)):
        expected = _fastavro_bytes(parsed, value)
        try:
            got = codec.encode(value, HEADER)
        except ValueError:
            native_failures += 1  # allowed only for the documented fallback cases
            continue
        assert got[:5] == HEADER
        assert got[5:] == expected, f"{name} #{i}: {value!r}"
        decoded = codec.decode(got, 5)
        assert _same(decoded, _fastavro_read(parsed, expected)), f"{name} #{i}: {value!r}"
    assert native_failures == 0, f"{native_failures} values of {name} fell back to fastavro"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_decode_of_fastavro_bytes_matches(name: str):
    parsed = _parsed(SCHEMAS[name])
    codec = _codec(parsed)
    for value in _random_values(parsed, seed=7, count=100):
        data = _fastavro_bytes(parsed, value)
        assert _same(codec.decode(data), _fastavro_read(parsed, data))
        assert _same(codec.decode(b"xyz" + data, 3), _fastavro_read(parsed, data))


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"])
def test_naive_timestamps_follow_local_time_like_fastavro(tz: str):
    schema = _rec(
        "T",
        [
            _f("ms", _logical("long", "timestamp-millis")),
            _f("us", _logical("long", "timestamp-micros")),
        ],
    )
    parsed = _parsed(schema)
    codec = _codec(parsed)
    original = os.environ.get("TZ")
    os.environ["TZ"] = tz
    time.tzset()
    try:
        rng = random.Random(3)
        for _ in range(200):
            naive = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=rng.randint(0, 2**51))
            value = {"ms": naive, "us": naive}
            assert codec.encode(value) == _fastavro_bytes(parsed, value)
    finally:
        if original is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = original
        time.tzset()


def test_encode_many_matches_encode():
    parsed = _parsed(BENCH_RECORD)
    codec = _codec(parsed)
    values = list(_random_values(parsed, seed=5, count=50))
    assert codec.encode_many(values, HEADER) == [codec.encode(v, HEADER) for v in values]


def test_union_of_records_picks_the_branch_fastavro_picks():
    parsed = _parsed(SCHEMAS["record-unions"])
    codec = _codec(parsed)
    for shape in [{"r": 1.0}, {"w": 2.0, "h": 3.0}, {"r": 1.0, "w": 2.0, "h": 3.0}, None]:
        value = {"shape": shape, "many": [None, {"x": 1, "y": 2}]}
        assert codec.encode(value) == _fastavro_bytes(parsed, value)


def test_return_record_name_matches_fastavro():
    parsed = _parsed(_rec("Outer", [_f("u", ["null", POINT, LINKED]), _f("e", ["null", COLOR])]))
    codec = _codec(parsed, return_record_name=True)
    for value in [
        {"u": {"x": 1, "y": 2}, "e": "RED"},
        {"u": {"value": 1, "next": {"value": 2, "next": None}}, "e": None},
        {"u": None, "e": "BLUE"},
    ]:
        data = _fastavro_bytes(parsed, value)
        assert _same(codec.decode(data), _fastavro_read(parsed, data, return_record_name=True))


def test_deep_recursion_falls_back_instead_of_crashing():
    parsed = _parsed(LINKED)
    codec = _codec(parsed)
    value: Any = None
    for i in range(300):
        value = {"value": i, "next": value}
    with pytest.raises(ValueError, match="too deep"):
        codec.encode(value)
    shallow = {"value": 1, "next": {"value": 2, "next": None}}
    data = codec.encode(shallow)
    assert data == _fastavro_bytes(parsed, shallow)
    assert codec.decode(data) == shallow


# ---- fallback and errors ---------------------------------------------------------------------


FALLBACK_CASES = [
    # (schema, value): fastavro writes these, the native codec leaves them to it.
    ("boolean", 1),
    ("long", 1.9),
    ("int", 2**40),
    ("null", "ignored"),
    (_rec("R", [_f("a", "int")]), collections.OrderedDict(a=1)),
    ({"type": "array", "items": "int"}, (1, 2, 3)),
    (["null", "string"], ("string", "tuple-notation")),
    ([_rec("A", [_f("a", "int")]), {"type": "map", "values": "int"}], {"a": 1}),
    (_logical("int", "date"), "2024-02-29"),
    (_rec("R", [_f("d", "double")]), {"d": "NaN"}),
    ({"type": "map", "values": "int"}, collections.defaultdict(int, a=1)),
    (["null", MD5], bytearray(16)),
]


@pytest.mark.parametrize(("schema", "value"), FALLBACK_CASES)
def test_uncertain_values_raise_value_error_and_serde_uses_fastavro(
    schema: Any, value: Any, registry: RegistryClient, value_ctx
):
    parsed = _parsed(schema)
    with pytest.raises(ValueError):
        _codec(parsed).encode(value)
    serializer = AvroSerializer(registry, orjson.dumps(schema).decode())
    assert _serialize(serializer, value, value_ctx)[5:] == _fastavro_bytes(parsed, value)


def test_mismatch_message_names_the_field_path():
    codec = _codec(_parsed(SCHEMAS["nested"]))
    value = {"id": 1, "home": {"street": 5}, "tags": [], "scores": {}}
    with pytest.raises(ValueError, match="'home.street'"):
        codec.encode(value)
    with pytest.raises(ValueError, match=r"'tags\[1\]'"):
        codec.encode({**value, "home": {"street": "s"}, "tags": ["a", 2]})
    with pytest.raises(ValueError, match=r"'scores\[k\]\[0\]'"):
        codec.encode({**value, "home": {"street": "s"}, "scores": {"k": ["x"]}})


BAD_VALUES = [
    {"id": "not-a-long", "name": "Ada"},
    {"id": 1},
    {"id": 1, "name": "Ada", "email": 5},
    "just a string",
    {"id": 2**64, "name": "Ada"},
    {"id": 1, "name": b"bytes"},
]


@pytest.mark.parametrize("value", BAD_VALUES)
def test_serialization_errors_are_unchanged(
    value: Any, registry: RegistryClient, value_ctx, monkeypatch
):
    native_serializer = AvroSerializer(registry, USER_V1)
    with pytest.raises(SerializationError) as native_err:
        native_serializer(value, value_ctx)
    assert native_serializer._writers[("users", "value")].codec is not None

    monkeypatch.setenv("PIPEWAY_AVRO_NATIVE", "0")
    fastavro_serializer = AvroSerializer(registry, USER_V1)
    with pytest.raises(SerializationError) as fastavro_err:
        fastavro_serializer(value, value_ctx)
    assert fastavro_serializer._writers[("users", "value")].codec is None

    assert str(native_err.value) == str(fastavro_err.value)
    assert native_err.value.field_path == fastavro_err.value.field_path
    assert type(native_err.value.__cause__) is type(fastavro_err.value.__cause__)


@pytest.mark.parametrize(
    "body",
    [b"", b"\x02", b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", b"\x02\x0aab"],
)
def test_malformed_bodies_give_fastavro_errors(body: bytes, registry: RegistryClient, value_ctx):
    data = _serialize(AvroSerializer(registry, USER_V1), USER, value_ctx)
    codec = _codec(_parsed(orjson.loads(USER_V1)))
    with pytest.raises(ValueError):
        codec.decode(data[:5] + body, 5)
    with pytest.raises(DeserializationError) as err:
        AvroDeserializer(registry)(data[:5] + body, value_ctx)
    assert "body does not decode with schema id 1" in str(err.value)
    assert "cannot decode Avro data" not in repr(err.value.__cause__)  # fastavro's error


def test_decode_accepts_bytes_like_only():
    codec = _codec(_parsed("long"))
    assert codec.decode(bytearray(b"\x04")) == 2
    assert codec.decode(memoryview(b"\x00\x04"), 1) == 2
    with pytest.raises(ValueError, match="expected bytes"):
        codec.decode("\x04")
    with pytest.raises(ValueError, match="past the end"):
        codec.decode(b"\x04", 5)


def test_unsupported_schemas_raise_unsupported_schema():
    assert issubclass(native.UnsupportedSchema, NotImplementedError)
    for schema_json in [
        "{nope",
        '{"type": "request"}',
        '["null", ["int"]]',
        '"com.Missing"',
        '{"type": "bytes", "logicalType": "decimal", "precision": 5000}',
    ]:
        with pytest.raises(native.UnsupportedSchema):
            native.Codec(schema_json)


def test_build_codec_returns_none_when_unsupported_or_disabled(monkeypatch):
    parsed = _parsed(BENCH_RECORD)
    assert native_codec.native_available()
    assert native_codec.build_codec(parsed) is not None
    big_decimal = _parsed(_logical("bytes", "decimal", precision=5000, scale=0))
    assert native_codec.build_codec(big_decimal) is None
    monkeypatch.setenv("PIPEWAY_AVRO_NATIVE", "0")
    assert not native_codec.native_enabled()
    assert native_codec.build_codec(parsed) is None


# ---- serde wiring ----------------------------------------------------------------------------


def test_serde_uses_native_codec_by_default(registry: RegistryClient, value_ctx):
    serializer = AvroSerializer(registry, USER_V1)
    data = serializer(USER, value_ctx)
    assert serializer._writers[("users", "value")].codec is not None
    deserializer = AvroDeserializer(registry)
    assert deserializer(data, value_ctx) == USER
    assert deserializer._readers[1].codec is not None


@pytest.mark.parametrize("flag", ["0", "1"])
def test_env_var_switches_paths_with_identical_results(
    flag: str, registry: RegistryClient, value_ctx, monkeypatch
):
    monkeypatch.setenv("PIPEWAY_AVRO_NATIVE", flag)
    schema = orjson.dumps(SCHEMAS["logical"]).decode()
    parsed = _parsed(SCHEMAS["logical"])
    serializer = AvroSerializer(registry, schema)
    deserializer = AvroDeserializer(registry)
    for value in _random_values(parsed, seed=11, count=50):
        data = _serialize(serializer, value, value_ctx)
        assert data[5:] == _fastavro_bytes(parsed, value)
        assert _same(deserializer(data, value_ctx), _fastavro_read(parsed, data[5:]))
    has_codec = serializer._writers[("users", "value")].codec is not None
    assert has_codec is (flag == "1")


def test_reader_schema_resolution_stays_on_fastavro(registry: RegistryClient, value_ctx):
    from .schemas import USER_V2

    data = _serialize(AvroSerializer(registry, USER_V1), USER, value_ctx)
    deserializer = AvroDeserializer(registry, reader_schema=USER_V2)
    assert deserializer(data, value_ctx) == {**USER, "country": "NL"}
    assert deserializer._readers[1].codec is None


def test_missing_nullable_field_without_default_is_written_as_null():
    parsed = _parsed(SCHEMAS["defaults"])
    codec = _codec(parsed)
    assert codec.encode({}) == _fastavro_bytes(parsed, {})
    assert codec.decode(codec.encode({}))["no_default_nullable"] is None


def test_bool_and_int_for_double_fields_are_written_like_fastavro():
    parsed = _parsed(
        _rec(
            "R",
            [_f("d", "double"), _f("f", "float"), _f("a", {"type": "array", "items": "double"})],
        )
    )
    codec = _codec(parsed)
    value = {"d": True, "f": 3, "a": [1, False, 2.5]}
    assert codec.encode(value) == _fastavro_bytes(parsed, value)
