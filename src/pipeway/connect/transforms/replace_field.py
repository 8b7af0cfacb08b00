"""ReplaceField: keep, drop and rename fields (``include``, ``exclude``, ``renames``).

The old ``whitelist``/``blacklist`` names are accepted for configs written before Kafka 2.6.
Renames apply to the fields that survive filtering, matched by their original names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import Field, field_validator, model_validator

from pipeway.connect.api import AvroSchema
from pipeway.connect.transforms.base import (
    KeyOrValue,
    R,
    SchemaCache,
    TransformSettings,
    comma_list,
)
from pipeway.connect.transforms.exceptions import TransformError
from pipeway.connect.transforms.schemas import (
    make_optional,
    named_types,
    require_record,
    standalone,
    with_fields,
)

Pairs = tuple[tuple[str, str], ...]


class ReplaceFieldSettings(TransformSettings):
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    whitelist: list[str] = Field(default_factory=list)
    blacklist: list[str] = Field(default_factory=list)
    renames: dict[str, str] = Field(default_factory=dict)

    @field_validator("include", "exclude", "whitelist", "blacklist", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return comma_list(value)

    @field_validator("renames", mode="before")
    @classmethod
    def _pairs(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        pairs = {}
        for item in comma_list(value):
            old, sep, new = item.partition(":")
            if not sep or not old.strip() or not new.strip():
                raise ValueError(f"invalid rename {item!r}: expected 'old:new'")
            pairs[old.strip()] = new.strip()
        return pairs

    @model_validator(mode="after")
    def _one_name_each(self) -> ReplaceFieldSettings:
        if self.include and self.whitelist:
            raise ValueError("set include or its old name whitelist, not both")
        if self.exclude and self.blacklist:
            raise ValueError("set exclude or its old name blacklist, not both")
        return self


class ReplaceField(KeyOrValue):
    """Filters and renames the fields of a record or map; tombstones pass through."""

    Settings: ClassVar[type[TransformSettings]] = ReplaceFieldSettings
    config: ReplaceFieldSettings

    def __init__(self, props: Mapping[str, str]) -> None:
        super().__init__(props)
        c = self.config
        self._include = frozenset(c.include or c.whitelist)
        self._exclude = frozenset(c.exclude or c.blacklist)
        self._renames = c.renames
        self._plans: SchemaCache[tuple[AvroSchema, Pairs]] = SchemaCache(self._plan)

    def _keeps(self, name: str) -> bool:
        return name not in self._exclude and (not self._include or name in self._include)

    def _pairs(self, names: Any) -> Pairs:
        return tuple((n, self._renames.get(n, n)) for n in names if self._keeps(n))

    def _plan(self, schema: AvroSchema) -> tuple[AvroSchema, Pairs]:
        record, optional = require_record(schema, "ReplaceField")
        by_name = {f["name"]: f for f in record["fields"]}
        pairs = self._pairs(by_name)
        fields = [{**by_name[old], "name": new} for old, new in pairs]
        new = standalone(with_fields(record, fields), named_types(record))
        return (make_optional(new) if optional else new), pairs

    def apply(self, record: R) -> R | None:
        data, schema = self.operand(record)
        if data is None:
            return record
        if not isinstance(data, dict):
            raise TransformError(f"ReplaceField needs a map/record {self.target}", record)
        if schema is None:
            pairs = self._pairs(data)
            return self.rebuild(record, {new: data[old] for old, new in pairs}, None)
        new_schema, pairs = self._plans.get(schema)
        get = data.get
        return self.rebuild(record, {new: get(old) for old, new in pairs}, new_schema)


class ReplaceFieldKey(ReplaceField):
    target = "key"


class ReplaceFieldValue(ReplaceField):
    target = "value"
