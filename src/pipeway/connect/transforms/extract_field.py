"""ExtractField: replace a record key or value by one of its fields (``field``).

``field.syntax.version=V2`` (Kafka 3.8+) reads dotted paths into nested records; with the
default ``V1`` a dot is part of the field name. Missing fields and null parents give null.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from pydantic import Field

from pipeway.connect.api import AvroSchema
from pipeway.connect.transforms.base import KeyOrValue, R, SchemaCache, TransformSettings
from pipeway.connect.transforms.exceptions import TransformError
from pipeway.connect.transforms.schemas import (
    field_map,
    make_optional,
    named_types,
    record_namespace,
    require_record,
    resolve,
    split_optional,
    standalone,
)


class ExtractFieldSettings(TransformSettings):
    field: str = Field(min_length=1)
    field_syntax_version: Literal["V1", "V2", "v1", "v2"] = Field(
        "V1", alias="field.syntax.version"
    )


class ExtractField(KeyOrValue):
    """Takes one field's value and schema as the new key or value."""

    Settings: ClassVar[type[TransformSettings]] = ExtractFieldSettings
    config: ExtractFieldSettings

    def __init__(self, props: Mapping[str, str]) -> None:
        super().__init__(props)
        field = self.config.field
        v2 = self.config.field_syntax_version.upper() == "V2"
        self._path = tuple(field.split(".")) if v2 else (field,)
        self._plans: SchemaCache[AvroSchema] = SchemaCache(self._field_schema)

    def _field_schema(self, schema: AvroSchema) -> AvroSchema:
        names = named_types(schema)
        current, optional, namespace = schema, False, ""
        for name in self._path:
            inner, parent_optional = split_optional(current)
            record, _ = require_record(resolve(inner, names, namespace), "ExtractField")
            namespace = record_namespace(record, namespace)
            fields = field_map(record)
            if name not in fields:
                raise TransformError(f"ExtractField: no field {name!r} in {record['name']!r}")
            optional = optional or parent_optional
            current = fields[name]["type"]
        out = standalone(current, names, namespace)
        return make_optional(out) if optional else out

    def _extract(self, data: Any) -> Any:
        for name in self._path:
            if data is None:
                return None
            if not isinstance(data, dict):
                raise TransformError(f"ExtractField needs a map/record at {name!r}")
            data = data.get(name)
        return data

    def apply(self, record: R) -> R | None:
        data, schema = self.operand(record)
        try:
            value = self._extract(data)
        except TransformError as exc:
            raise TransformError(str(exc), record) from None
        new_schema = None if schema is None else self._plans.get(schema)
        return self.rebuild(record, value, new_schema)


class ExtractFieldKey(ExtractField):
    target = "key"


class ExtractFieldValue(ExtractField):
    target = "value"
