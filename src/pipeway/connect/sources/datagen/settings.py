"""The datagen connector's settings: kafka-connect-datagen's keys plus a rate.

Validation happens here, key by key, so a bad configuration fails before any task runs
and each message names its key: the schema source (exactly one of ``quickstart``,
``schema.filename``, ``schema.string``) is loaded and compiled, and ``schema.keyfield``
must name a field of the record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from pipeway.connect.api import AvroSchema, ConnectorSettings
from pipeway.connect.sources.datagen.exceptions import DatagenError
from pipeway.connect.sources.datagen.generator import RecordGenerator
from pipeway.connect.sources.datagen.schemas import (
    QUICKSTARTS,
    clean_schema,
    load_quickstart,
    parse_schema_text,
    read_schema_file,
    record_field,
)

SOURCE_KEYS = ("quickstart", "schema.filename", "schema.string")


@dataclass(frozen=True, slots=True)
class ResolvedSchema:
    """The schema a task generates: annotated, clean (registered), and the key field."""

    annotated: AvroSchema
    value_schema: AvroSchema
    keyfield: str | None
    key_schema: AvroSchema | None


class DatagenSettings(ConnectorSettings):
    """kafka-connect-datagen's configuration, plus pipeway's ``events.per.second``."""

    kafka_topic: str = Field(alias="kafka.topic", min_length=1)
    quickstart: str = Field("", validate_default=True)
    schema_filename: str = Field("", alias="schema.filename", validate_default=True)
    schema_string: str = Field("", alias="schema.string", validate_default=True)
    schema_keyfield: str = Field("", alias="schema.keyfield", validate_default=True)
    max_interval_ms: int = Field(500, alias="max.interval", ge=0)
    iterations: int = -1
    random_seed: int | None = Field(None, alias="random.seed")
    events_per_second: float | None = Field(None, alias="events.per.second", ge=0)

    @field_validator("quickstart")
    @classmethod
    def _known_quickstart(cls, value: str) -> str:
        name = value.strip().lower()
        if name and name not in QUICKSTARTS:
            raise ValueError(f"unknown quickstart {value!r}; known: {', '.join(QUICKSTARTS)}")
        if name:
            _check(lambda: load_quickstart(name))
        return name

    @field_validator("schema_filename")
    @classmethod
    def _readable_file(cls, value: str, info: ValidationInfo) -> str:
        if value and info.data.get("quickstart"):
            raise ValueError("cannot be set together with quickstart")
        if value:
            _check(lambda: read_schema_file(value))
        return value

    @field_validator("schema_string")
    @classmethod
    def _one_source(cls, value: str, info: ValidationInfo) -> str:
        given = [k for k in ("quickstart", "schema_filename") if info.data.get(k)]
        if value and given:
            raise ValueError(f"cannot be set together with {_alias(given[0])}")
        if not value and not given and _sources_valid(info):
            raise ValueError(f"one of {', '.join(SOURCE_KEYS)} is required")
        if value:
            _check(lambda: parse_schema_text(value, "the value"))
        return value

    @field_validator("schema_keyfield")
    @classmethod
    def _existing_field(cls, value: str, info: ValidationInfo) -> str:
        schema = _source_schema(info.data)
        if value and schema is not None and record_field(schema, value) is None:
            raise ValueError(f"the schema has no field {value!r}")
        return value

    @cached_property
    def resolved(self) -> ResolvedSchema:
        """The schema and key field these settings describe (loaded once)."""
        annotated = _source_schema(self.model_dump())
        if annotated is None:  # validation guarantees a source; defensive for model_construct
            raise DatagenError("no schema source configured")
        keyfield = self.schema_keyfield or (
            QUICKSTARTS[self.quickstart].keyfield if self.quickstart else None
        )
        field = record_field(annotated, keyfield) if keyfield else None
        key_schema = clean_schema(field["type"]) if field else None
        return ResolvedSchema(annotated, clean_schema(annotated), keyfield, key_schema)


def _check(load: Callable[[], AvroSchema]) -> None:
    """Fail now, naming the schema path, if a task could not load or generate this schema."""
    try:
        schema = load()
        if not isinstance(schema, dict) or schema.get("type") != "record":
            raise ValueError("the schema must be an Avro record")
        RecordGenerator(schema, seed=0)
    except DatagenError as exc:
        raise ValueError(str(exc)) from exc


def _source_schema(data: dict[str, Any]) -> AvroSchema | None:
    """The annotated schema from already-validated source fields (None when unusable)."""
    if data.get("quickstart"):
        return load_quickstart(data["quickstart"])
    if data.get("schema_filename"):
        return read_schema_file(data["schema_filename"])
    if data.get("schema_string"):
        return parse_schema_text(data["schema_string"], "schema.string")
    return None


def _sources_valid(info: ValidationInfo) -> bool:
    """Whether quickstart and schema.filename validated (else they already report errors)."""
    return "quickstart" in info.data and "schema_filename" in info.data


def _alias(name: str) -> str:
    return "schema.filename" if name == "schema_filename" else name
