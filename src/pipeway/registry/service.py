"""Registry operations: reads answer from the state, writes plan records for the log.

Every write is a ``plan`` function run by :meth:`SchemaLog.write` on a state that holds the
whole log, so ids and versions are computed from complete information; the plan raises a
:class:`RegistryError` to refuse, or returns the records to append and the answer.
"""

from __future__ import annotations

from pipeway.registry.compatibility import CompatibilityLevel, check_compatibility
from pipeway.registry.exceptions import (
    IdDoesNotMatchError,
    IncompatibleSchemaError,
    InvalidModeError,
    OperationNotPermittedError,
    ReferenceExistsError,
    SchemaNotFoundError,
    SubjectCompatibilityNotConfiguredError,
    SubjectModeNotConfiguredError,
    SubjectNotFoundError,
    SubjectNotSoftDeletedError,
    SubjectSoftDeletedError,
    VersionNotFoundError,
    VersionNotSoftDeletedError,
    VersionSoftDeletedError,
)
from pipeway.registry.records import (
    ConfigRecord,
    DeleteSubjectRecord,
    ModeRecord,
    Record,
    SchemaRecord,
    SchemaValue,
)
from pipeway.registry.requests import SchemaRequest
from pipeway.registry.schemas import ParsedSchema, parse_schema
from pipeway.registry.state import RegistryState, VersionEntry
from pipeway.registry.store import SchemaLog, WritePlan

MODES = ("READWRITE", "READONLY", "READONLY_OVERRIDE", "IMPORT")
IMPORT = "IMPORT"


class RegistryService:
    def __init__(self, state: RegistryState, log: SchemaLog) -> None:
        self.state = state
        self.log = log

    # ---- schemas ------------------------------------------------------------------------------

    def parse(self, request: SchemaRequest, normalize: bool) -> ParsedSchema:
        return parse_schema(
            request.schema_type,
            request.schema,
            request.references,
            self.state.resolve_reference,
            normalize,
        )

    async def register(self, subject: str, request: SchemaRequest, normalize: bool) -> int:
        """The id of ``request``'s schema under ``subject``, registering it if needed."""
        self._require_writable(subject)
        parsed = self.parse(request, normalize)  # fail fast, before taking the write lock
        existing = self.state.find_in_subject(subject, parsed.fingerprint)
        if existing is not None and request.schema_id in (None, existing.schema_id):
            return existing.schema_id
        return await self.log.write(lambda: self._plan_register(subject, request, normalize))

    def _plan_register(
        self, subject: str, request: SchemaRequest, normalize: bool
    ) -> WritePlan[int]:
        self._require_writable(subject)
        parsed = self.parse(request, normalize)
        existing = self.state.find_in_subject(subject, parsed.fingerprint)
        if existing is not None and request.schema_id in (None, existing.schema_id):
            return WritePlan([], existing.schema_id)
        importing = self.state.mode(subject) == IMPORT
        if not importing:
            self._require_compatible(subject, parsed)
        schema_id = self._choose_id(subject, parsed, request.schema_id, importing)
        version = self._choose_version(subject, request.version, importing)
        known = self.state.schemas.get(schema_id)
        text = known.text if known is not None else parsed.text  # one id, one text
        value = SchemaValue(
            subject, version, schema_id, parsed.schema_type, text, parsed.references
        )
        return WritePlan([SchemaRecord(subject, version, value)], schema_id)

    def _require_compatible(self, subject: str, parsed: ParsedSchema) -> None:
        level = CompatibilityLevel.parse(self.state.compatibility(subject))
        messages = check_compatibility(level, parsed, self._previous(subject))
        if messages:
            raise IncompatibleSchemaError(
                "Schema being registered is incompatible with an earlier schema for subject "
                f'"{subject}", details: [{", ".join(messages)}]'
            )

    def _previous(self, subject: str) -> list[tuple[int, ParsedSchema]]:
        found = []
        for entry in self.state.versions(subject):
            parsed = self.state.parsed(entry.schema_id)
            if parsed is not None:
                found.append((entry.version, parsed))
        return found

    def _choose_id(
        self, subject: str, parsed: ParsedSchema, requested: int | None, importing: bool
    ) -> int:
        """Reuse the id of an identical schema (any subject), else the next free id."""
        same = self.state.id_for_fingerprint(parsed.fingerprint)
        chosen = same if same is not None else self.state.max_id + 1
        if requested is None or requested == chosen:
            return chosen
        if not importing:
            raise OperationNotPermittedError(f"Subject '{subject}' is not in import mode")
        if same is not None:
            raise IdDoesNotMatchError(
                f"Schema already registered with id {same} instead of input id {requested}"
            )
        if requested in self.state.schemas:
            raise IdDoesNotMatchError(f"Overwrite new schema with id {requested} is not permitted.")
        return requested

    def _choose_version(self, subject: str, requested: int | None, importing: bool) -> int:
        all_versions = self.state.versions(subject, include_deleted=True)
        following = all_versions[-1].version + 1 if all_versions else 1
        if requested is None or requested == following:
            return following
        if not importing:
            raise OperationNotPermittedError(f"Subject '{subject}' is not in import mode")
        if self.state.version(subject, requested, include_deleted=True) is not None:
            raise OperationNotPermittedError(
                f"Overwrite of subject '{subject}' version {requested} is not permitted"
            )
        return requested

    def lookup(
        self, subject: str, request: SchemaRequest, normalize: bool, include_deleted: bool
    ) -> VersionEntry:
        if not self.state.versions(subject, include_deleted):
            raise SubjectNotFoundError(subject)
        parsed = self.parse(request, normalize)
        found = self.state.find_in_subject(subject, parsed.fingerprint, include_deleted)
        if found is None:
            raise SchemaNotFoundError()
        return found

    def get_version(
        self, subject: str, version: int | None, include_deleted: bool = False
    ) -> VersionEntry:
        if not self.state.versions(subject, include_deleted):
            raise SubjectNotFoundError(subject)
        entry = self.state.version(subject, version, include_deleted)
        if entry is None:
            raise VersionNotFoundError("latest" if version is None else version)
        return entry

    def test_compatibility(
        self,
        subject: str,
        version: int | None,
        request: SchemaRequest,
        normalize: bool,
        against_all: bool = False,
    ) -> list[str]:
        """Incompatibility messages of ``request`` against one version (or all, per level)."""
        parsed = self.parse(request, normalize)
        level = CompatibilityLevel.parse(self.state.compatibility(subject))
        if against_all:
            return check_compatibility(level, parsed, self._previous(subject))
        if version is None and not self.state.versions(subject):
            return []  # nothing to be incompatible with, as Confluent answers for "latest"
        entry = self.get_version(subject, version)
        old = self.state.parsed(entry.schema_id)
        return [] if old is None else check_compatibility(level, parsed, [(entry.version, old)])

    # ---- deletes ------------------------------------------------------------------------------

    async def delete_subject(self, subject: str, permanent: bool) -> list[int]:
        return await self.log.write(lambda: self._plan_delete_subject(subject, permanent))

    def _plan_delete_subject(self, subject: str, permanent: bool) -> WritePlan[list[int]]:
        self._require_writable(subject)
        everything = self.state.versions(subject, include_deleted=True)
        if not everything:
            raise SubjectNotFoundError(subject)
        live = [e for e in everything if not e.deleted]
        if permanent:
            if live:
                raise SubjectNotSoftDeletedError(subject)
            for entry in everything:
                self._require_unreferenced(entry, include_deleted=True)
            records: list[Record] = [SchemaRecord(subject, e.version, None) for e in everything]
            records += self._clear_subject_settings(subject)
            return WritePlan(records, [e.version for e in everything])
        if not live:
            raise SubjectSoftDeletedError(subject)
        for entry in live:
            self._require_unreferenced(entry, include_deleted=False)
        records = [DeleteSubjectRecord(subject, live[-1].version)]
        records += [self._soft_deleted(e) for e in live]
        return WritePlan(records, [e.version for e in live])

    def _clear_subject_settings(self, subject: str) -> list[Record]:
        records: list[Record] = []
        if subject in self.state.configs:
            records.append(ConfigRecord(subject, None))
        if subject in self.state.modes:
            records.append(ModeRecord(subject, None))
        return records

    async def delete_version(self, subject: str, version: int | None, permanent: bool) -> int:
        return await self.log.write(lambda: self._plan_delete_version(subject, version, permanent))

    def _plan_delete_version(
        self, subject: str, version: int | None, permanent: bool
    ) -> WritePlan[int]:
        self._require_writable(subject)
        if not self.state.versions(subject, include_deleted=True):
            raise SubjectNotFoundError(subject)
        lookup_deleted = permanent or version is not None
        entry = self.state.version(subject, version, include_deleted=lookup_deleted)
        if entry is None:
            raise VersionNotFoundError("latest" if version is None else version)
        if permanent and not entry.deleted:
            raise VersionNotSoftDeletedError(subject, entry.version)
        if not permanent and entry.deleted:
            raise VersionSoftDeletedError(subject, entry.version)
        self._require_unreferenced(entry, include_deleted=permanent)
        record = (
            SchemaRecord(subject, entry.version, None) if permanent else self._soft_deleted(entry)
        )
        return WritePlan([record], entry.version)

    def _soft_deleted(self, entry: VersionEntry) -> SchemaRecord:
        schema = self.state.schemas[entry.schema_id]
        value = SchemaValue(
            entry.subject,
            entry.version,
            entry.schema_id,
            schema.schema_type,
            schema.text,
            schema.references,
            deleted=True,
        )
        return SchemaRecord(entry.subject, entry.version, value)

    def _require_unreferenced(self, entry: VersionEntry, include_deleted: bool) -> None:
        if self.state.referenced_by(entry.subject, entry.version, include_deleted):
            raise ReferenceExistsError(
                "One or more references exist to the schema "
                f"{{magic=1,keytype=SCHEMA,subject={entry.subject},version={entry.version}}}."
            )

    def _require_writable(self, subject: str) -> None:
        if self.state.mode(subject).startswith("READONLY"):
            raise OperationNotPermittedError(f"Subject {subject} is in read-only mode")

    # ---- config and mode ----------------------------------------------------------------------

    async def set_compatibility(self, subject: str | None, value: object) -> str:
        level = CompatibilityLevel.parse(value).value
        plan: WritePlan[str] = WritePlan([ConfigRecord(subject, level)], level)
        return await self.log.write(lambda: plan)

    def get_compatibility(self, subject: str | None, default_to_global: bool) -> str:
        if subject is None or subject in self.state.configs or default_to_global:
            return self.state.compatibility(subject)
        raise SubjectCompatibilityNotConfiguredError(subject)

    async def delete_compatibility(self, subject: str | None) -> str:
        def plan() -> WritePlan[str]:
            if subject is not None and subject not in self.state.configs:
                raise SubjectNotFoundError(subject)
            return WritePlan([ConfigRecord(subject, None)], self.state.compatibility(subject))

        return await self.log.write(plan)

    async def set_mode(self, subject: str | None, value: object, force: bool) -> str:
        mode = value.strip().upper() if isinstance(value, str) else ""
        if mode not in MODES:
            raise InvalidModeError()

        def plan() -> WritePlan[str]:
            if mode == IMPORT and not force and self._has_schemas(subject):
                raise OperationNotPermittedError("Cannot import since found existing subjects")
            return WritePlan([ModeRecord(subject, mode)], mode)

        return await self.log.write(plan)

    def _has_schemas(self, subject: str | None) -> bool:
        if subject is None:
            return bool(self.state.subject_names())
        return bool(self.state.versions(subject))

    def get_mode(self, subject: str | None, default_to_global: bool) -> str:
        if subject is None or subject in self.state.modes or default_to_global:
            return self.state.mode(subject)
        raise SubjectModeNotConfiguredError(subject)

    async def delete_mode(self, subject: str) -> str:
        def plan() -> WritePlan[str]:
            if subject not in self.state.modes:
                raise SubjectNotFoundError(subject)
            return WritePlan([ModeRecord(subject, None)], self.state.mode(subject))

        return await self.log.write(plan)
