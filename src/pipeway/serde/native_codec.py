"""The optional native (Rust) Avro codec, with fastavro as the reference and the fallback.

``pipeway_avro_native`` (built from ``native/avro`` by ``scripts/build-native.sh``) encodes and
decodes the Avro binary encoding byte-for-byte like fastavro, several times faster. It only
handles what it can reproduce exactly: a schema it cannot (``UnsupportedSchema``) keeps using
fastavro, and a value it is unsure about raises ``ValueError`` so the caller re-runs fastavro,
which either writes it or raises its usual error.

Set ``PIPEWAY_AVRO_NATIVE=0`` to force fastavro (for comparisons and debugging); it is read
when a codec is built, i.e. once per writer / reader schema.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Protocol

from fastavro.schema import expand_schema

from pipeway.serde.avro_schema import ParsedSchema

logger = logging.getLogger(__name__)

ENV_VAR = "PIPEWAY_AVRO_NATIVE"

_native: Any
try:
    import pipeway_avro_native as _native
except ImportError:  # not built: fastavro only
    _native = None


class NativeCodec(Protocol):
    """What serde uses of ``pipeway_avro_native.Codec``."""

    def encode(self, record: Any, prefix: bytes = b"") -> bytes: ...

    def encode_many(self, records: list[Any], prefix: bytes = b"") -> list[bytes]: ...

    def decode(self, data: bytes | bytearray | memoryview, offset: int = 0) -> Any: ...


def native_available() -> bool:
    """Tell whether the extension is installed (regardless of ``PIPEWAY_AVRO_NATIVE``)."""
    return _native is not None


def native_enabled() -> bool:
    """Tell whether new codecs will be native: installed and not disabled by the env var."""
    return _native is not None and os.environ.get(ENV_VAR, "1").strip() != "0"


def schema_json(parsed: ParsedSchema) -> str:
    """The JSON the native codec compiles: fastavro's parsed schema with named types inlined.

    Only recursive types stay references by name (the codec resolves them itself).
    """
    # json (not orjson): a NaN default must stay NaN (the codec then refuses the schema).
    return json.dumps(_strip_internal(expand_schema(parsed)))


def build_codec(parsed: ParsedSchema, *, return_record_name: bool = False) -> NativeCodec | None:
    """Compile ``parsed`` for the native codec, or ``None`` to keep using fastavro.

    ``None`` when the extension is missing, disabled by ``PIPEWAY_AVRO_NATIVE=0``, or the
    schema uses something it does not reproduce exactly (logged at debug level).
    """
    if _native is None:
        logger.debug("pipeway_avro_native is not installed; Avro goes through fastavro")
        return None
    if not native_enabled():
        logger.debug("%s=0: Avro goes through fastavro", ENV_VAR)
        return None
    try:
        codec: NativeCodec = _native.Codec(schema_json(parsed), return_record_name)
    except Exception as exc:  # UnsupportedSchema, or anything unexpected: stay correct
        logger.debug("native Avro codec does not support this schema (%s); using fastavro", exc)
        return None
    logger.debug("native Avro codec compiled for %s", _describe(parsed))
    return codec


_INTERNAL_KEYS = ("__fastavro_parsed", "__named_schemas")


def _strip_internal(schema: Any) -> Any:
    """Drop fastavro's bookkeeping keys from every schema node (never from defaults)."""
    if isinstance(schema, list):
        return [_strip_internal(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: v for k, v in schema.items() if k not in _INTERNAL_KEYS}
    for key in ("items", "values"):
        if key in out:
            out[key] = _strip_internal(out[key])
    if isinstance(out.get("type"), dict | list):
        out["type"] = _strip_internal(out["type"])
    if isinstance(out.get("fields"), list):
        out["fields"] = [
            {**f, "type": _strip_internal(f["type"])} if isinstance(f, dict) and "type" in f else f
            for f in out["fields"]
        ]
    return out


def _describe(parsed: ParsedSchema) -> str:
    if isinstance(parsed, dict):
        return str(parsed.get("name") or parsed.get("type"))
    return "union" if isinstance(parsed, list) else str(parsed)
