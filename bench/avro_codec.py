"""Avro codec micro-benchmark: fastavro next to the native codec (pipeway_avro_native).

Uses the record of ``bench.produce`` (10 fields, about 200 bytes in Confluent wire format) and
measures, in records per second (median of ``--runs`` runs over ``--records`` records):

- ``codec encode`` / ``codec decode``: the bare per-record work of ``_AvroWriter.encode`` and
  ``_AvroReader.decode`` (header + body), fastavro against ``Codec.encode`` / ``Codec.decode``;
- ``codec encode_many``: the native batch call (fastavro column: the same per-record loop);
- ``serializer`` / ``deserializer``: the public ``AvroSerializer`` / ``AvroDeserializer`` calls
  (registry already cached), with ``PIPEWAY_AVRO_NATIVE=0`` and with the native codec.

No broker or registry is needed. Run: ``.venv/bin/python -m bench.avro_codec``
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Sequence
from io import BytesIO
from typing import Any

from fastavro import schemaless_reader, schemaless_writer

from bench.common import save
from bench.produce import SCHEMA, make_records
from pipeway.serde import AvroDeserializer, AvroSerializer, SerializationContext
from pipeway.serde.avro_schema import parse_schema_str
from pipeway.serde.native_codec import ENV_VAR, build_codec
from pipeway.serde.registry_models import RegisteredSchema
from pipeway.serde.wire_format import HEADER_SIZE, encode_header

SCHEMA_ID = 1


class _OneSchemaRegistry:
    """Just enough registry for the serializer and deserializer: one schema, id 1."""

    def register(self, subject: str, schema_str: str, *args: Any, **kwargs: Any) -> int:
        return SCHEMA_ID

    def get_schema(self, schema_id: int) -> RegisteredSchema:
        return RegisteredSchema(SCHEMA_ID, SCHEMA)


def _rate(fn: Callable[[], object], count: int, runs: int) -> float:
    """Median records/s of ``runs`` timed calls of ``fn`` (each handling ``count`` records)."""
    fn()  # warm-up
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates)


def _with_env(value: str | None, make: Callable[[], Any]) -> Any:
    old = os.environ.get(ENV_VAR)
    if value is None:
        os.environ.pop(ENV_VAR, None)
    else:
        os.environ[ENV_VAR] = value
    try:
        return make()
    finally:
        if old is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = old


def measure(rows: Sequence[dict[str, object]], runs: int) -> dict[str, dict[str, float]]:
    parsed = parse_schema_str(SCHEMA)
    header = encode_header(SCHEMA_ID)
    codec = _with_env(None, lambda: build_codec(parsed))
    if codec is None:
        raise SystemExit("pipeway_avro_native is not installed: run scripts/build-native.sh")
    n = len(rows)

    def fastavro_encode() -> list[bytes]:
        out = []
        for row in rows:
            buf = BytesIO()
            buf.write(header)
            schemaless_writer(buf, parsed, row)
            out.append(buf.getvalue())
        return out

    def native_encode() -> list[bytes]:
        encode = codec.encode
        return [encode(row, header) for row in rows]

    def native_encode_many() -> list[bytes]:
        return codec.encode_many(list(rows), header)

    messages = fastavro_encode()
    assert native_encode() == messages, "native bytes differ from fastavro's"

    def fastavro_decode() -> None:
        for data in messages:
            fo = BytesIO(data)
            fo.seek(HEADER_SIZE)
            schemaless_reader(fo, parsed, None, False)

    def native_decode() -> None:
        decode = codec.decode
        for data in messages:
            decode(data, HEADER_SIZE)

    registry: Any = _OneSchemaRegistry()
    ctx = SerializationContext("bench", "value")

    def serde(native: bool) -> tuple[Callable[[], object], Callable[[], object]]:
        flag = None if native else "0"
        serializer = _with_env(flag, lambda: AvroSerializer(registry, SCHEMA))
        deserializer = _with_env(flag, lambda: AvroDeserializer(registry))
        _with_env(flag, lambda: (serializer(rows[0], ctx), deserializer(messages[0], ctx)))

        def ser() -> None:
            for row in rows:
                serializer(row, ctx)

        def de() -> None:
            for data in messages:
                deserializer(data, ctx)

        return ser, de

    fa_ser, fa_de = serde(native=False)
    na_ser, na_de = serde(native=True)
    pairs = {
        "codec encode": (fastavro_encode, native_encode),
        "codec encode_many": (fastavro_encode, native_encode_many),
        "codec decode": (fastavro_decode, native_decode),
        "serializer": (fa_ser, na_ser),
        "deserializer": (fa_de, na_de),
    }
    results = {}
    for name, (fa, na) in pairs.items():
        fa_rate, na_rate = _rate(fa, n, runs), _rate(na, n, runs)
        results[name] = {
            "fastavro_rec_s": fa_rate,
            "native_rec_s": na_rate,
            "speedup": na_rate / fa_rate,
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = make_records(args.records)
    results = measure(rows, args.runs)
    registry: Any = _OneSchemaRegistry()
    size = len(AvroSerializer(registry, SCHEMA)(rows[0], SerializationContext("b", "value")) or b"")
    print(f"{args.records:,} records of {size} bytes, median of {args.runs} runs")
    print(f"{'path':<20} {'fastavro rec/s':>15} {'native rec/s':>15} {'speedup':>8}")
    for name, r in results.items():
        print(
            f"{name:<20} {r['fastavro_rec_s']:>15,.0f} {r['native_rec_s']:>15,.0f}"
            f" {r['speedup']:>7.1f}x"
        )
    save(
        "avro_codec",
        {"records": args.records, "runs": args.runs, "value_bytes": size, "results": results},
    )


if __name__ == "__main__":
    main()
