"""MaskField: replace sensitive field values with an empty value of their type or ``replacement``.

The schema is unchanged; null values stay null. With a schema, the masked value of each field
is computed once per schema; schemaless values are masked by their Python type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import Field, field_validator

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
    field_map,
    logical_type,
    require_record,
    split_optional,
    type_name,
)

Masker = Callable[[], Any]
_EMPTY_BY_AVRO: dict[str, Any] = {
    "boolean": False,
    "int": 0,
    "long": 0,
    "float": 0.0,
    "double": 0.0,
    "string": "",
    "bytes": b"",
}
_EMPTY_BY_LOGICAL: dict[str, Any] = {
    "timestamp-millis": datetime.fromtimestamp(0, UTC),
    "timestamp-micros": datetime.fromtimestamp(0, UTC),
    "date": date(1970, 1, 1),
    "time-millis": time(0),
    "time-micros": time(0),
    "decimal": Decimal(0),
}
_PARSE_BY_AVRO: dict[str, Callable[[str], Any]] = {
    "int": int,
    "long": int,
    "float": float,
    "double": float,
    "string": str,
}


class MaskFieldSettings(TransformSettings):
    fields: list[str] = Field(min_length=1)
    replacement: str | None = None

    @field_validator("fields", mode="before")
    @classmethod
    def _list(cls, value: Any) -> Any:
        return comma_list(value)


def _constant(value: Any) -> Masker:
    return lambda: value


_EMPTY_BY_PYTHON: tuple[tuple[type, Any], ...] = (
    (bool, False),
    (int, 0),
    (float, 0.0),
    (str, ""),
    (bytes, b""),
    (datetime, datetime.fromtimestamp(0, UTC)),
    (date, date(1970, 1, 1)),
    (Decimal, Decimal(0)),
)


def _empty_for_python(value: Any) -> Any:
    for kind, empty in _EMPTY_BY_PYTHON:
        if isinstance(value, kind):
            return empty
    if isinstance(value, list | dict):
        return type(value)()
    raise TransformError(f"MaskField cannot mask a value of type {type(value).__name__}")


class MaskField(KeyOrValue):
    """Masks the configured fields present in a record; ``replacement`` must parse as their type."""

    Settings: ClassVar[type[TransformSettings]] = MaskFieldSettings
    config: MaskFieldSettings

    def __init__(self, props: Mapping[str, str]) -> None:
        super().__init__(props)
        self._fields = tuple(self.config.fields)
        self._replacement = self.config.replacement
        self._plans: SchemaCache[tuple[tuple[str, Masker], ...]] = SchemaCache(self._plan)

    def _masker(self, name: str, schema: AvroSchema) -> Masker:
        inner, _ = split_optional(schema)
        kind, logical = type_name(inner), logical_type(inner)
        if self._replacement is not None:
            parse = _PARSE_BY_AVRO.get(kind)
            if parse is None or logical is not None:
                raise TransformError(f"MaskField cannot put a replacement into {name!r} ({kind})")
            try:
                return _constant(parse(self._replacement))
            except ValueError as exc:
                raise TransformError(f"MaskField replacement does not fit {name!r}: {exc}") from exc
        if logical in _EMPTY_BY_LOGICAL:
            return _constant(_EMPTY_BY_LOGICAL[logical])
        if kind in _EMPTY_BY_AVRO:
            return _constant(_EMPTY_BY_AVRO[kind])
        if kind in ("array", "map"):
            return list if kind == "array" else dict
        raise TransformError(f"MaskField cannot mask field {name!r} of type {kind!r}")

    def _plan(self, schema: AvroSchema) -> tuple[tuple[str, Masker], ...]:
        fields = field_map(require_record(schema, "MaskField")[0])
        return tuple((n, self._masker(n, fields[n]["type"])) for n in self._fields if n in fields)

    def _schemaless(self, value: Any) -> Any:
        if self._replacement is None:
            return _empty_for_python(value)
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise TransformError(f"MaskField cannot replace a {type(value).__name__} value")
        try:
            return type(value)(self._replacement)
        except (ValueError, ArithmeticError) as exc:
            raise TransformError(f"MaskField replacement does not fit: {exc}") from exc

    def apply(self, record: R) -> R | None:
        data, schema = self.operand(record)
        if data is None:
            return record
        if not isinstance(data, dict):
            raise TransformError(f"MaskField needs a map/record {self.target}", record)
        out = dict(data)
        if schema is None:
            for name in self._fields:
                if out.get(name) is not None:
                    out[name] = self._schemaless(out[name])
            return self.rebuild(record, out, None)
        for name, mask in self._plans.get(schema):
            if out.get(name) is not None:
                out[name] = mask()
        return self.rebuild(record, out, schema)


class MaskFieldKey(MaskField):
    target = "key"


class MaskFieldValue(MaskField):
    target = "value"
