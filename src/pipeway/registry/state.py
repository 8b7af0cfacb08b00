"""The registry's in-memory model, built only by applying ``_schemas`` records in log order.

Pure (no I/O, no clock): every instance that applies the same records holds the same state,
which is what makes the Kafka log the single source of truth. Response bodies of the hot read
endpoints are computed once here, when a record is applied, so serving them is a dict lookup.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import orjson

from pipeway.registry.exceptions import InvalidSchemaError
from pipeway.registry.records import (
    ClearSubjectRecord,
    ConfigRecord,
    DeleteSubjectRecord,
    ModeRecord,
    Record,
    SchemaRecord,
    SchemaValue,
)
from pipeway.registry.schemas import (
    AVRO,
    ParsedSchema,
    ReferencedSchema,
    SchemaReference,
    fingerprint_of,
    parse_schema,
)

log = logging.getLogger(__name__)

READWRITE = "READWRITE"


@dataclass(slots=True)
class SchemaEntry:
    """One global id: its schema, identity and the precomputed ``/schemas/ids/{id}`` body."""

    schema_id: int
    schema_type: str
    text: str
    references: tuple[SchemaReference, ...]
    fingerprint: str
    parsed: ParsedSchema | None
    body: bytes = b""

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.schema_type != AVRO:
            out["schemaType"] = self.schema_type
        if self.references:
            out["references"] = [r.to_json() for r in self.references]
        out["schema"] = self.text
        return out


@dataclass(slots=True)
class VersionEntry:
    """One version of a subject and its precomputed ``/subjects/{s}/versions/{v}`` body."""

    subject: str
    version: int
    schema_id: int
    deleted: bool
    body: bytes = b""


@dataclass(slots=True)
class RegistryState:
    default_compatibility: str = "BACKWARD"
    subjects: dict[str, dict[int, VersionEntry]] = field(default_factory=dict)
    schemas: dict[int, SchemaEntry] = field(default_factory=dict)
    configs: dict[str | None, str] = field(default_factory=dict)
    modes: dict[str | None, str] = field(default_factory=dict)
    max_id: int = 0
    changes: int = 0
    response_cache: dict[Any, tuple[int, bytes]] = field(default_factory=dict)
    _id_by_fingerprint: dict[str, int] = field(default_factory=dict)
    _id_usage: dict[int, set[tuple[str, int]]] = field(default_factory=dict)

    # ---- applying records -------------------------------------------------------------------

    def apply(self, record: Record) -> None:
        """Fold one record into the state (records arrive in log order)."""
        self.changes += 1
        self.response_cache.clear()
        if isinstance(record, SchemaRecord):
            if record.value is None:
                self._remove_version(record.subject, record.version)
            else:
                self._put_version(record.value)
        elif isinstance(record, ConfigRecord):
            self._set_or_clear(self.configs, record.subject, record.level)
        elif isinstance(record, ModeRecord):
            self._set_or_clear(self.modes, record.subject, record.mode)
        elif isinstance(record, DeleteSubjectRecord):
            for entry in self.subjects.get(record.subject, {}).values():
                if entry.version <= record.version:
                    entry.deleted = True
        elif isinstance(record, ClearSubjectRecord):
            for entry in list(self.subjects.get(record.subject, {}).values()):
                if entry.deleted:
                    self._remove_version(entry.subject, entry.version)

    @staticmethod
    def _set_or_clear(
        target: dict[str | None, str], subject: str | None, value: str | None
    ) -> None:
        if value is None:
            target.pop(subject, None)
        else:
            target[subject] = value

    def _put_version(self, value: SchemaValue) -> None:
        entry = self.schemas.get(value.schema_id)
        if entry is None:
            entry = self._new_schema_entry(value)
        elif entry.text != value.text:
            log.error(
                "ignoring record reusing id=%d for another schema subject=%s version=%d",
                value.schema_id,
                value.subject,
                value.version,
            )
            return
        previous = self.subjects.get(value.subject, {}).get(value.version)
        if previous is not None and previous.schema_id != value.schema_id:
            self._remove_version(value.subject, value.version)
        version = VersionEntry(value.subject, value.version, value.schema_id, value.deleted)
        version.body = orjson.dumps(
            {"subject": value.subject, "version": value.version, "id": value.schema_id}
            | entry.describe()
        )
        self.subjects.setdefault(value.subject, {})[value.version] = version
        self._id_usage.setdefault(value.schema_id, set()).add((value.subject, value.version))

    def _new_schema_entry(self, value: SchemaValue) -> SchemaEntry:
        parsed: ParsedSchema | None
        try:
            parsed = parse_schema(
                value.schema_type, value.text, value.references, self.resolve_reference
            )
            fingerprint = parsed.fingerprint
        except InvalidSchemaError as exc:  # e.g. written by another registry: keep it, raw
            log.warning("stored schema id=%d does not parse: %s", value.schema_id, exc)
            parsed = None
            fingerprint = fingerprint_of(value.schema_type, value.text, value.references)
        entry = SchemaEntry(
            value.schema_id, value.schema_type, value.text, value.references, fingerprint, parsed
        )
        entry.body = orjson.dumps(entry.describe())
        self.schemas[value.schema_id] = entry
        self._id_by_fingerprint.setdefault(fingerprint, value.schema_id)
        self.max_id = max(self.max_id, value.schema_id)
        return entry

    def _remove_version(self, subject: str, version: int) -> None:
        versions = self.subjects.get(subject)
        old = versions.pop(version, None) if versions else None
        if old is None:
            return
        if not versions:
            del self.subjects[subject]
        usage = self._id_usage.get(old.schema_id)
        if usage is not None:
            usage.discard((subject, version))
            if not usage:  # no version uses the id any more: the schema is gone
                del self._id_usage[old.schema_id]
                gone = self.schemas.pop(old.schema_id)
                if self._id_by_fingerprint.get(gone.fingerprint) == old.schema_id:
                    del self._id_by_fingerprint[gone.fingerprint]

    # ---- queries ------------------------------------------------------------------------------

    def subject_names(self, include_deleted: bool = False) -> list[str]:
        return sorted(s for s in self.subjects if include_deleted or self.versions(s))

    def versions(self, subject: str, include_deleted: bool = False) -> list[VersionEntry]:
        """The subject's versions, oldest first."""
        entries = self.subjects.get(subject, {})
        return [entries[v] for v in sorted(entries) if include_deleted or not entries[v].deleted]

    def version(
        self, subject: str, version: int | None, include_deleted: bool = False
    ) -> VersionEntry | None:
        """``version`` None means the latest."""
        if version is None:
            found = self.versions(subject, include_deleted)
            return found[-1] if found else None
        entry = self.subjects.get(subject, {}).get(version)
        if entry is None or (entry.deleted and not include_deleted):
            return None
        return entry

    def find_in_subject(
        self, subject: str, fingerprint: str, include_deleted: bool = False
    ) -> VersionEntry | None:
        """The newest version of ``subject`` holding the schema with ``fingerprint``."""
        for entry in reversed(self.versions(subject, include_deleted)):
            if self.schemas[entry.schema_id].fingerprint == fingerprint:
                return entry
        return None

    def id_for_fingerprint(self, fingerprint: str) -> int | None:
        return self._id_by_fingerprint.get(fingerprint)

    def usages(self, schema_id: int, include_deleted: bool = False) -> list[VersionEntry]:
        found = [self.subjects[s][v] for s, v in self._id_usage.get(schema_id, ())]
        found = [e for e in found if include_deleted or not e.deleted]
        return sorted(found, key=lambda e: (e.subject, e.version))

    def referenced_by(self, subject: str, version: int, include_deleted: bool = False) -> list[int]:
        """Ids of the schemas whose references name ``subject``/``version``."""
        ids = set()
        for schema_id, entry in self.schemas.items():
            refers = any(r.subject == subject and r.version == version for r in entry.references)
            if refers and self.usages(schema_id, include_deleted):
                ids.add(schema_id)
        return sorted(ids)

    def resolve_reference(self, ref: SchemaReference) -> ReferencedSchema:
        """What a reference points to; a missing target makes the referring schema invalid."""
        entry = self.version(ref.subject, None if ref.version == -1 else ref.version, True)
        if entry is None:
            raise InvalidSchemaError(
                f"Invalid schema: reference {ref.name} to subject '{ref.subject}' "
                f"version {ref.version} not found"
            )
        target = self.schemas[entry.schema_id]
        return ReferencedSchema(target.schema_type, target.text, target.references)

    def parsed(self, schema_id: int) -> ParsedSchema | None:
        entry = self.schemas.get(schema_id)
        return entry.parsed if entry else None

    def compatibility(self, subject: str | None) -> str:
        """The level in force for ``subject``: its own, else the global, else the default."""
        if subject is not None and subject in self.configs:
            return self.configs[subject]
        return self.configs.get(None, self.default_compatibility)

    def mode(self, subject: str | None) -> str:
        if subject is not None and subject in self.modes:
            return self.modes[subject]
        return self.modes.get(None, READWRITE)
