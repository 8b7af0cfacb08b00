"""Debezium's ExtractNewRecordState: unwrap a change event envelope to the row it produced.

A Debezium event is ``{before, after, source, op, ts_ms, transaction}``; sinks usually want
just the row. Inserts, updates and snapshot reads become ``after``; deletes are dropped,
kept as a null value (``none``) or rewritten to ``before`` plus ``__deleted: "true"``
(``rewrite``, which also marks other rows ``"false"``); truncates are dropped. ``add.fields``
and ``add.headers`` copy envelope metadata (``op``, ``source.ts_ms``, ``table``…) into the
row or the headers, named ``<prefix><field>`` or ``<prefix><struct>_<field>``.
Records that are not envelopes (heartbeats, schema changes) pass through unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator

from pipeway.connect.api import AvroSchema, Headers
from pipeway.connect.transforms.base import (
    R,
    SchemaCache,
    Transformation,
    TransformSettings,
    comma_list,
)
from pipeway.connect.transforms.schemas import (
    field_map,
    make_optional,
    named_types,
    record_namespace,
    resolve,
    split_optional,
    standalone,
    with_fields,
)

DELETED_FIELD = "__deleted"
_TOP_LEVEL = frozenset(("op", "ts_ms", "ts_us", "ts_ns"))
_TRANSACTION = frozenset(("id", "total_order", "data_collection_order"))
_MODES = {  # delete.tombstone.handling.mode -> (drop tombstones, delete handling)
    "drop": (True, "drop"),
    "tombstone": (True, "none"),
    "rewrite": (True, "rewrite"),
    "rewrite-with-tombstone": (False, "rewrite"),
}


def _implied_struct(field: str) -> str | None:
    """Where Debezium looks for an unqualified field: top level, transaction or source."""
    if field in _TOP_LEVEL:
        return None
    return "transaction" if field in _TRANSACTION else "source"


@dataclass(frozen=True, slots=True)
class FieldRef:
    """One ``add.fields``/``add.headers`` entry: where to read and what to call it."""

    struct: str | None
    field: str
    name: str

    @classmethod
    def parse(cls, entry: str, prefix: str) -> FieldRef:
        path, _, rename = entry.partition(":")
        parent, dot, field = path.rpartition(".")
        struct: str | None = parent if dot else _implied_struct(field)
        default = f"{parent}_{field}" if dot else field
        return cls(struct or None, field, prefix + (rename or default))

    def read(self, envelope: Mapping[str, Any]) -> Any:
        parent = envelope if self.struct is None else envelope.get(self.struct)
        if parent is None:
            return None
        return parent[self.field] if self.field in parent else envelope.get(self.field)


def _refs(value: Any) -> Any:
    entries = comma_list(value)
    for entry in entries if isinstance(entries, list) else ():
        path, _, rename = entry.partition(":")
        if not path or ":" in rename:
            raise ValueError(f"invalid entry {entry!r}: expected field, struct.field or field:name")
    return entries


class ExtractNewRecordStateSettings(TransformSettings):
    drop_tombstones: bool | None = Field(None, alias="drop.tombstones")
    delete_handling_mode: Literal["drop", "rewrite", "none"] | None = Field(
        None, alias="delete.handling.mode"
    )
    delete_tombstone_handling_mode: (
        Literal["drop", "tombstone", "rewrite", "rewrite-with-tombstone"] | None
    ) = Field(None, alias="delete.tombstone.handling.mode")
    route_by_field: str = Field("", alias="route.by.field")
    add_fields: list[str] = Field(default_factory=list, alias="add.fields")
    add_fields_prefix: str = Field("__", alias="add.fields.prefix")
    add_headers: list[str] = Field(default_factory=list, alias="add.headers")
    add_headers_prefix: str = Field("__", alias="add.headers.prefix")

    @field_validator("delete_tombstone_handling_mode")
    @classmethod
    def _not_with_legacy(cls, value: str | None, info: ValidationInfo) -> str | None:
        legacy = (info.data.get("drop_tombstones"), info.data.get("delete_handling_mode"))
        if value is not None and legacy != (None, None):
            raise ValueError("replaces drop.tombstones and delete.handling.mode; set one style")
        return value

    @field_validator("add_fields", "add_headers", mode="before")
    @classmethod
    def _entries(cls, value: Any) -> Any:
        return _refs(value)


@dataclass(frozen=True, slots=True)
class EnvelopePlan:
    """Schemas for one envelope schema and the metadata it actually carries."""

    deleted_schema: AvroSchema
    row_schema: AvroSchema
    fields: tuple[FieldRef, ...]
    headers: tuple[FieldRef, ...]


def _header_bytes(value: Any) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, bool):
        return b"true" if value else b"false"
    return str(value).encode()


def _is_envelope(schema: Any) -> bool:
    if not (isinstance(schema, dict) and schema.get("type") == "record"):
        return False
    names = {f["name"] for f in schema["fields"]}
    return {"op", "after", "before"} <= names


def _locate(
    ref: FieldRef, envelope: dict[str, Any], names: dict[str, Any], ns: str
) -> tuple[AvroSchema, str] | None:
    """The schema of a referenced field and the namespace it resolves names in."""
    fields = field_map(envelope)
    if ref.struct is not None and ref.struct in fields:
        parent = resolve(split_optional(fields[ref.struct]["type"])[0], names, ns)
        if isinstance(parent, dict) and ref.field in field_map(parent):
            return field_map(parent)[ref.field]["type"], record_namespace(parent, ns)
    if ref.field in fields:
        return fields[ref.field]["type"], ns
    return None


class ExtractNewRecordState(Transformation):
    """Replaces a Debezium envelope with its row state (see the module docstring)."""

    Settings: ClassVar[type[TransformSettings]] = ExtractNewRecordStateSettings
    config: ExtractNewRecordStateSettings

    def __init__(self, props: Mapping[str, str]) -> None:
        super().__init__(props)
        c = self.config
        drop, mode = _MODES[c.delete_tombstone_handling_mode or "drop"]
        if c.delete_tombstone_handling_mode is None:
            drop = True if c.drop_tombstones is None else c.drop_tombstones
            mode = c.delete_handling_mode or "drop"
        self._drop_tombstones, self._delete_mode = drop, mode
        self._rewrite = mode == "rewrite"
        self._fields = tuple(FieldRef.parse(e, c.add_fields_prefix) for e in c.add_fields)
        self._headers = tuple(FieldRef.parse(e, c.add_headers_prefix) for e in c.add_headers)
        self._route_by = c.route_by_field or None
        self._plans: SchemaCache[EnvelopePlan | None] = SchemaCache(self._plan)

    def _plan(self, schema: AvroSchema) -> EnvelopePlan | None:
        envelope, _ = split_optional(schema)
        if not isinstance(envelope, dict) or not _is_envelope(envelope):
            return None
        names, ns = named_types(envelope), record_namespace(envelope)
        row_type = split_optional(field_map(envelope)["after"]["type"])[0]
        raw_row = resolve(row_type, names, ns)
        if not isinstance(raw_row, dict) or raw_row.get("type") != "record":
            return None
        defined: set[str] = set()
        row: Any = standalone(raw_row, names, ns, defined)
        added, found = [], []
        for ref in self._fields:
            hit = _locate(ref, envelope, names, ns)
            if hit is not None:
                field_type = standalone(hit[0], names, hit[1], defined)
                added.append({"name": ref.name, "type": make_optional(field_type), "default": None})
                found.append(ref)
        if self._rewrite:
            added.append({"name": DELETED_FIELD, "type": ["null", "string"], "default": None})
        headers = tuple(r for r in self._headers if _locate(r, envelope, names, ns) is not None)
        updated = with_fields(row, [*row["fields"], *added]) if added else row
        return EnvelopePlan(make_optional(row), updated, tuple(found), headers)

    def _tombstone(self, record: R) -> R | None:
        if self._drop_tombstones:
            return None
        op_headers: Headers = [
            (r.name, b"d") for r in self._headers if r.struct is None and r.field == "op"
        ]
        if not op_headers:
            return record
        return dataclasses.replace(record, headers=[*record.headers, *op_headers])

    def _row(self, base: dict[str, Any], envelope: Any, refs: Any, deleted: str) -> Any:
        row = dict(base)
        for ref in refs:
            row[ref.name] = ref.read(envelope)
        if self._rewrite:
            row[DELETED_FIELD] = deleted
        return row

    def _topic(self, topic: str, row: Mapping[str, Any]) -> str:
        routed = row.get(self._route_by) if self._route_by else None
        return topic if routed is None else str(routed)

    def apply(self, record: R) -> R | None:
        envelope: Any = record.value
        if envelope is None:
            return self._tombstone(record)
        plan: EnvelopePlan | None = None
        if record.value_schema is not None:
            plan = self._plans.get(record.value_schema)
            if plan is None:
                return record
        elif not (isinstance(envelope, dict) and "op" in envelope and "after" in envelope):
            return record
        after, before = envelope.get("after"), envelope.get("before")
        if after is None and before is None:
            return None  # truncate: no row to emit
        header_refs: tuple[FieldRef, ...] = self._headers if plan is None else plan.headers
        headers: Headers = record.headers
        if header_refs:
            headers = [*headers, *((r.name, _header_bytes(r.read(envelope))) for r in header_refs)]
        refs = self._fields if plan is None else plan.fields
        schema: AvroSchema | None = None
        if after is not None:
            value = self._row(after, envelope, refs, "false")
            schema = None if plan is None else plan.row_schema
        elif self._delete_mode == "drop":
            return None
        elif self._delete_mode == "none":
            value = None
            schema = None if plan is None else plan.deleted_schema
        else:
            value = self._row(before, envelope, refs, "true")
            schema = None if plan is None else plan.row_schema
        topic = self._topic(record.topic, after if after is not None else before)
        return dataclasses.replace(
            record, topic=topic, value=value, value_schema=schema, headers=headers
        )
