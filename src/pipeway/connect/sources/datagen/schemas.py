"""Where datagen's schemas come from: bundled quickstarts, a file or a string.

The annotated schema drives generation; :func:`clean_schema` gives the plain Avro schema
that records carry and the registry stores. kafka-connect-datagen registers its schema
through Connect's ``AvroData``, which drops ``arg.properties``, so the registered schema is
the clean one here too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import fastavro

from pipeway.connect.api import AvroSchema
from pipeway.connect.sources.datagen.exceptions import SchemaAnnotationError

ARG_PROPERTIES = "arg.properties"


@dataclass(frozen=True, slots=True)
class Quickstart:
    """A bundled schema, with the key field and topic kafka-connect-datagen uses for it."""

    name: str
    filename: str
    keyfield: str
    topic: str


QUICKSTARTS: dict[str, Quickstart] = {
    q.name: q
    for q in (
        Quickstart("clickstream_codes", "clickstream_codes.avsc", "code", "clickstream_codes"),
        Quickstart("clickstream", "clickstream.avsc", "ip", "clickstream"),
        Quickstart("clickstream_users", "clickstream_users.avsc", "user_id", "clickstream_users"),
        Quickstart("orders", "orders.avsc", "orderid", "orders"),
        Quickstart("ratings", "ratings.avsc", "rating_id", "ratings"),
        Quickstart("users", "users.avsc", "userid", "users"),
        Quickstart("pageviews", "pageviews.avsc", "viewtime", "pageviews"),
        Quickstart("stock_trades", "stock_trades.avsc", "symbol", "stock_trades"),
        Quickstart("tv_actions", "tv_actions.avsc", "user_id", "tv.actions"),
        Quickstart("ad_breaks", "ad_breaks.avsc", "channel_id", "tv.ad_breaks"),
    )
}
"""Known quickstarts by (lower-case) name."""


def load_quickstart(name: str) -> AvroSchema:
    """The annotated schema of a bundled quickstart (``name`` as in :data:`QUICKSTARTS`)."""
    quickstart = QUICKSTARTS[name]
    package = resources.files("pipeway.connect.sources.datagen.quickstarts")
    text = package.joinpath(quickstart.filename).read_text(encoding="utf-8")
    return parse_schema_text(text, f"quickstart {name!r}")


def read_schema_file(path: str) -> AvroSchema:
    """The schema in the file at ``path`` (JSON, as an ``.avsc``)."""
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except OSError as exc:
        raise SchemaAnnotationError("", f"cannot read {path!r}: {exc.strerror or exc}") from exc
    return parse_schema_text(text, repr(path))


def parse_schema_text(text: str, source: str) -> AvroSchema:
    """Decode a JSON schema and check that its clean form is valid Avro."""
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemaAnnotationError("", f"{source} is not JSON: {exc}") from exc
    if not isinstance(schema, dict | list | str):
        raise SchemaAnnotationError("", f"{source} is not an Avro schema")
    check_avro(schema)
    return schema


def check_avro(schema: AvroSchema) -> None:
    """Raise :class:`SchemaAnnotationError` unless the clean schema parses as Avro."""
    try:
        fastavro.parse_schema(clean_schema(schema), _write_hint=False, _force=True)
    except Exception as exc:  # fastavro raises several unrelated types for a bad schema
        reason = f"{type(exc).__name__}: {exc}"
        raise SchemaAnnotationError("", f"not a valid Avro schema: {reason}") from exc


def clean_schema(schema: Any) -> Any:
    """``schema`` without ``arg.properties``; ``{"type": "string"}`` becomes ``"string"``."""
    if isinstance(schema, list):
        return [clean_schema(branch) for branch in schema]
    if not isinstance(schema, Mapping):
        return schema
    out = {k: v for k, v in schema.items() if k != ARG_PROPERTIES}
    kind = out.get("type")
    if isinstance(kind, dict | list):
        out["type"] = clean_schema(kind)
    if kind in ("record", "error") and isinstance(out.get("fields"), list):
        out["fields"] = [_clean_field(f) for f in out["fields"]]
    elif kind == "array" and "items" in out:
        out["items"] = clean_schema(out["items"])
    elif kind == "map" and "values" in out:
        out["values"] = clean_schema(out["values"])
    if set(out) == {"type"} and isinstance(kind, str):
        return kind
    return out


def _clean_field(field: Any) -> Any:
    if not isinstance(field, Mapping):
        return field
    out = {k: v for k, v in field.items() if k != ARG_PROPERTIES}
    if "type" in out:
        out["type"] = clean_schema(out["type"])
    return out


def record_field(schema: AvroSchema, name: str) -> Mapping[str, Any] | None:
    """The field ``name`` of a record schema (None when absent or not a record)."""
    if not isinstance(schema, Mapping):
        return None
    for field in schema.get("fields", []):
        if isinstance(field, Mapping) and field.get("name") == name:
            return field
    return None
