"""ValueToKey: build the record key from value fields (e.g. to partition by a column).

With a schema, the key schema is a record named after the value record plus ``Key``
(``shop.orders.Value`` → ``shop.orders.ValueKey``) holding copies of the chosen fields.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import Field, field_validator

from pipeway.connect.api import AvroSchema
from pipeway.connect.transforms.base import (
    R,
    SchemaCache,
    Transformation,
    TransformSettings,
    comma_list,
)
from pipeway.connect.transforms.exceptions import TransformError
from pipeway.connect.transforms.schemas import (
    field_map,
    named_types,
    require_record,
    standalone,
    with_fields,
)


class ValueToKeySettings(TransformSettings):
    fields: list[str] = Field(min_length=1)

    @field_validator("fields", mode="before")
    @classmethod
    def _list(cls, value: Any) -> Any:
        return comma_list(value)


class ValueToKey(Transformation):
    """Replaces the key with a record of the configured value fields; tombstones pass."""

    Settings: ClassVar[type[TransformSettings]] = ValueToKeySettings
    config: ValueToKeySettings

    def __init__(self, props: Mapping[str, str]) -> None:
        super().__init__(props)
        self._fields = tuple(self.config.fields)
        self._plans: SchemaCache[AvroSchema] = SchemaCache(self._key_schema)

    def _key_schema(self, schema: AvroSchema) -> AvroSchema:
        record, _ = require_record(schema, "ValueToKey")
        by_name = field_map(record)
        missing = [n for n in self._fields if n not in by_name]
        if missing:
            raise TransformError(f"ValueToKey: no field(s) {', '.join(missing)} in the value")
        key = with_fields(record, [by_name[n] for n in self._fields], record["name"] + "Key")
        key.pop("doc", None)
        key.pop("aliases", None)
        return standalone(key, named_types(record))

    def apply(self, record: R) -> R | None:
        value = record.value
        if value is None:
            return record
        if not isinstance(value, dict):
            raise TransformError("ValueToKey needs a map/record value", record)
        key = {name: value.get(name) for name in self._fields}
        schema = None if record.value_schema is None else self._plans.get(record.value_schema)
        return dataclasses.replace(record, key=key, key_schema=schema)
