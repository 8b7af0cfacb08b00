"""What the jobs need from the schema registry: every version of a subject, at query start.

Spark decodes in the JVM, which has no registry client; so the driver fetches the subject's
writer schemas once, when the query is planned, and hands them to Spark as literals.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from pipeway.jobs.avro_schema import AvroSchema
from pipeway.jobs.exceptions import JobsConfigError, TopicSchemaError
from pipeway.jobs.settings import KafkaSettings
from pipeway.serde import RegistryClient, SubjectNotFoundError, VersionNotFoundError
from pipeway.serde.registry_models import AVRO, RegisteredSchema

Part = Literal["key", "value"]


@dataclass(frozen=True)
class SubjectSchemas:
    """The schemas of one subject: the newest (reader) and every version's (writers)."""

    subject: str
    reader: RegisteredSchema
    writers: dict[int, str]
    """schema id → schema text, for every live version."""

    @property
    def reader_schema(self) -> AvroSchema:
        parsed: AvroSchema = json.loads(self.reader.schema_str)
        return parsed

    def writer_schema(self, schema_id: int) -> AvroSchema:
        parsed: AvroSchema = json.loads(self.writers[schema_id])
        return parsed


def subject_for(topic: str, part: Part) -> str:
    """Confluent's TopicNameStrategy subject: ``<topic>-key`` or ``<topic>-value``."""
    return f"{topic}-{part}"


def registry_client(kafka: KafkaSettings, registry: RegistryClient | None = None) -> RegistryClient:
    """``registry`` if given, else a client for ``kafka.registry_url``.

    Raises:
        JobsConfigError: neither is set.
    """
    if registry is not None:
        return registry
    if not kafka.registry_url:
        raise JobsConfigError(
            "this read or write uses the schema registry: set KafkaSettings.registry_url "
            "or pass registry="
        )
    return RegistryClient(kafka.registry_url)


def subject_exists(registry: RegistryClient, subject: str) -> bool:
    """True when something is registered under ``subject``."""
    try:
        registry.get_latest(subject)
    except SubjectNotFoundError:
        return False
    return True


def fetch_subject(registry: RegistryClient, subject: str) -> SubjectSchemas:
    """Every live version of ``subject`` with the latest as reader schema.

    Raises:
        TopicSchemaError: nothing registered, a non-Avro schema, or schema references (which
            Spark's ``from_avro`` cannot resolve).
    """
    try:
        latest = registry.get_latest(subject)
    except SubjectNotFoundError as exc:
        raise TopicSchemaError(subject, "no schema is registered under it") from exc
    versions = [latest]
    for number in range(1, latest.version or 0):
        try:
            versions.append(registry.get_version(subject, number))
        except VersionNotFoundError:
            continue  # a deleted version: its records are dead letters with "unknown id"
    for schema in versions:
        _check_usable(subject, schema)
    return SubjectSchemas(subject, latest, {s.id: s.schema_str for s in versions})


def _check_usable(subject: str, schema: RegisteredSchema) -> None:
    if schema.schema_type.upper() != AVRO:
        raise TopicSchemaError(subject, f"schema id {schema.id} is {schema.schema_type}, not Avro")
    if schema.references:
        raise TopicSchemaError(
            subject,
            f"schema id {schema.id} uses schema references, which Spark's from_avro cannot "
            "resolve; register a self-contained schema",
        )
