"""The ``_schemas`` record layout, following Confluent's so the topic reads the same.

Keys (JSON, Confluent's field order)::

    {"keytype":"SCHEMA","subject":"s","version":1,"magic":1}
    {"keytype":"CONFIG","subject":"s","magic":0}        # no "subject": the global config
    {"keytype":"MODE","subject":"s","magic":0}          # no "subject": the global mode
    {"keytype":"DELETE_SUBJECT","subject":"s","magic":0}
    {"keytype":"CLEAR_SUBJECT","subject":"s","magic":0}
    {"keytype":"NOOP","magic":0}

Values: ``SCHEMA`` → ``{"subject","version","id","schemaType","references","schema",
"deleted"}``; ``CONFIG`` → ``{"compatibilityLevel"}``; ``MODE`` → ``{"mode"}``;
``DELETE_SUBJECT`` → ``{"subject","version"}`` (soft-deletes versions up to ``version``);
``CLEAR_SUBJECT`` → ``{"subject"}`` (drops soft-deleted versions). A null value (tombstone)
hard-deletes a ``SCHEMA`` version and removes a ``CONFIG``/``MODE`` setting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import orjson

from pipeway.registry.schemas import AVRO, SchemaReference

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SchemaValue:
    subject: str
    version: int
    schema_id: int
    schema_type: str
    text: str
    references: tuple[SchemaReference, ...]
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class SchemaRecord:
    """A version of a subject; ``value`` None is a hard delete."""

    subject: str
    version: int
    value: SchemaValue | None


@dataclass(frozen=True, slots=True)
class ConfigRecord:
    subject: str | None
    level: str | None


@dataclass(frozen=True, slots=True)
class ModeRecord:
    subject: str | None
    mode: str | None


@dataclass(frozen=True, slots=True)
class DeleteSubjectRecord:
    subject: str
    version: int


@dataclass(frozen=True, slots=True)
class ClearSubjectRecord:
    subject: str


Record = SchemaRecord | ConfigRecord | ModeRecord | DeleteSubjectRecord | ClearSubjectRecord


def _key(keytype: str, subject: str | None, magic: int, **extra: Any) -> bytes:
    key: dict[str, Any] = {"keytype": keytype}
    if subject is not None:
        key["subject"] = subject
    key.update(extra)
    key["magic"] = magic
    return orjson.dumps(key)


def encode(record: Record) -> tuple[bytes, bytes | None]:
    """Key and value bytes of ``record`` as written to the topic."""
    if isinstance(record, SchemaRecord):
        key = _key("SCHEMA", record.subject, 1, version=record.version)
        return key, None if record.value is None else _encode_schema_value(record.value)
    if isinstance(record, ConfigRecord):
        value = None if record.level is None else {"compatibilityLevel": record.level}
        return _key("CONFIG", record.subject, 0), _dumps_or_none(value)
    if isinstance(record, ModeRecord):
        value = None if record.mode is None else {"mode": record.mode}
        return _key("MODE", record.subject, 0), _dumps_or_none(value)
    if isinstance(record, DeleteSubjectRecord):
        body = {"subject": record.subject, "version": record.version}
        return _key("DELETE_SUBJECT", record.subject, 0), orjson.dumps(body)
    return _key("CLEAR_SUBJECT", record.subject, 0), orjson.dumps({"subject": record.subject})


def _dumps_or_none(value: dict[str, Any] | None) -> bytes | None:
    return None if value is None else orjson.dumps(value)


def _encode_schema_value(value: SchemaValue) -> bytes:
    return orjson.dumps(
        {
            "subject": value.subject,
            "version": value.version,
            "id": value.schema_id,
            "schemaType": value.schema_type,
            "references": [r.to_json() for r in value.references],
            "schema": value.text,
            "deleted": value.deleted,
        }
    )


def decode(key: bytes | None, value: bytes | None) -> Record | None:
    """The record for a topic message; None for NOOP, unknown key types and garbage."""
    try:
        parsed_key = orjson.loads(key) if key else None
        parsed_value = orjson.loads(value) if value else None
        if not isinstance(parsed_key, dict):
            return None
        return _decode(parsed_key, parsed_value)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        log.warning("skipping undecodable record key=%r error=%s", key, exc)
        return None


def _decode(key: dict[str, Any], value: Any) -> Record | None:
    keytype = key.get("keytype")
    subject = key.get("subject")
    if keytype == "SCHEMA":
        schema_value = None if value is None else _decode_schema_value(value)
        return SchemaRecord(str(key["subject"]), int(key["version"]), schema_value)
    if keytype == "CONFIG":
        return ConfigRecord(subject, None if value is None else value.get("compatibilityLevel"))
    if keytype == "MODE":
        return ModeRecord(subject, None if value is None else value.get("mode"))
    if keytype == "DELETE_SUBJECT" and value is not None:
        return DeleteSubjectRecord(value["subject"], int(value["version"]))
    if keytype == "CLEAR_SUBJECT" and value is not None:
        return ClearSubjectRecord(value["subject"])
    return None


def _decode_schema_value(value: dict[str, Any]) -> SchemaValue:
    refs = tuple(
        SchemaReference(r["name"], r["subject"], int(r["version"]))
        for r in value.get("references") or ()
    )
    return SchemaValue(
        subject=value["subject"],
        version=int(value["version"]),
        schema_id=int(value["id"]),
        schema_type=value.get("schemaType") or AVRO,
        text=value["schema"],
        references=refs,
        deleted=bool(value.get("deleted", False)),
    )
