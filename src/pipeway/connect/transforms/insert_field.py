"""InsertField: add record metadata (topic, partition, offset, timestamp) or a constant.

Field names may end in ``!`` (required) or ``?`` (optional, the default), as in Kafka
Connect. ``offset.field`` needs a sink record (source records have no Kafka offset yet);
``partition.field`` and ``timestamp.field`` are left null when the record has none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import Field, ValidationInfo, field_validator, model_validator

from pipeway.connect.api import AvroSchema, SinkRecord, SourceRecord
from pipeway.connect.transforms.base import KeyOrValue, R, SchemaCache, TransformSettings
from pipeway.connect.transforms.exceptions import TransformError
from pipeway.connect.transforms.schemas import make_optional, require_record, with_fields

TIMESTAMP_MILLIS = {"type": "long", "logicalType": "timestamp-millis"}
Getter = Callable[[SourceRecord | SinkRecord], Any]


class InsertFieldSettings(TransformSettings):
    topic_field: str | None = Field(None, alias="topic.field")
    partition_field: str | None = Field(None, alias="partition.field")
    offset_field: str | None = Field(None, alias="offset.field")
    timestamp_field: str | None = Field(None, alias="timestamp.field")
    static_field: str | None = Field(None, alias="static.field")
    static_value: str | None = Field(None, alias="static.value", validate_default=True)

    @field_validator("static_value")
    @classmethod
    def _value_with_field(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("static_field") and value is None:
            raise ValueError("required when static.field is set")
        return value

    @model_validator(mode="after")
    def _something_to_insert(self) -> InsertFieldSettings:
        names = (self.topic_field, self.partition_field, self.offset_field, self.timestamp_field)
        if not any(names) and not self.static_field:
            raise ValueError(
                "no field insertion configured: set topic.field, partition.field, "
                "offset.field, timestamp.field or static.field"
            )
        return self


@dataclass(frozen=True, slots=True)
class Insertion:
    name: str
    optional: bool
    schema: AvroSchema
    schemaless: Getter
    with_schema: Getter


def _spec(spec: str) -> tuple[str, bool]:
    if spec.endswith(("!", "?")):
        return spec[:-1], spec.endswith("?")
    return spec, True


def _offset(record: SourceRecord | SinkRecord) -> int:
    if not isinstance(record, SinkRecord):
        raise TransformError("offset.field applies only to sink records", record)
    return record.kafka_offset


def _timestamp(record: SourceRecord | SinkRecord) -> datetime | None:
    ts = record.timestamp
    return None if ts is None else datetime.fromtimestamp(ts / 1000, UTC)


def _insertions(c: InsertFieldSettings) -> list[Insertion]:
    static = c.static_value

    def topic(r: Any) -> Any:
        return r.topic

    def partition(r: Any) -> Any:
        return r.kafka_partition

    def timestamp_ms(r: Any) -> Any:
        return r.timestamp

    def constant(r: Any) -> Any:
        return static

    specs: list[tuple[str | None, AvroSchema, Getter, Getter]] = [
        (c.topic_field, "string", topic, topic),
        (c.partition_field, "int", partition, partition),
        (c.offset_field, "long", _offset, _offset),
        (c.timestamp_field, TIMESTAMP_MILLIS, timestamp_ms, _timestamp),
        (c.static_field, "string", constant, constant),
    ]
    out = []
    for spec, schema, schemaless, with_schema in specs:
        if spec:
            name, optional = _spec(spec)
            out.append(Insertion(name, optional, schema, schemaless, with_schema))
    return out


class InsertField(KeyOrValue):
    """Adds metadata fields; tombstones (null data) pass through unchanged."""

    Settings: ClassVar[type[TransformSettings]] = InsertFieldSettings
    config: InsertFieldSettings

    def __init__(self, props: Mapping[str, str]) -> None:
        super().__init__(props)
        self._insertions = _insertions(self.config)
        self._plans: SchemaCache[AvroSchema] = SchemaCache(self._new_schema)

    def _new_schema(self, schema: AvroSchema) -> AvroSchema:
        record, optional = require_record(schema, "InsertField")
        existing = {f["name"] for f in record["fields"]}
        added = []
        for ins in self._insertions:
            if ins.name in existing:
                raise TransformError(f"InsertField: field {ins.name!r} already exists")
            if ins.optional:
                added.append({"name": ins.name, "type": make_optional(ins.schema), "default": None})
            else:
                added.append({"name": ins.name, "type": ins.schema})
        new = with_fields(record, [*record["fields"], *added])
        return make_optional(new) if optional else new

    def apply(self, record: R) -> R | None:
        data, schema = self.operand(record)
        if data is None:
            return record
        if not isinstance(data, dict):
            raise TransformError(f"InsertField needs a map/record {self.target}", record)
        out = dict(data)
        if schema is None:
            for ins in self._insertions:
                value = ins.schemaless(record)
                if value is not None:
                    out[ins.name] = value
            return self.rebuild(record, out, None)
        new_schema = self._plans.get(schema)
        for ins in self._insertions:
            value = ins.with_schema(record)
            if value is None and not ins.optional:
                raise TransformError(
                    f"InsertField: required field {ins.name!r} has no value", record
                )
            out[ins.name] = value
        return self.rebuild(record, out, new_schema)


class InsertFieldKey(InsertField):
    target = "key"


class InsertFieldValue(InsertField):
    target = "value"
