"""Cast: change primitive field types (``spec=f1:int32,f2:string``) or the whole value (``int64``).

Numbers narrow the way Java's casts do (int8 wraps, floats truncate toward zero), strings
parse as in Kafka Connect (``"true"`` → True, anything else False), and booleans print as
``true``/``false``. Avro has no 8/16-bit ints, so int8/int16 become ``int`` with the
``connect.type`` attribute Confluent's Avro converter uses.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from pydantic import field_validator

from pipeway.connect.api import AvroSchema
from pipeway.connect.transforms.base import KeyOrValue, R, SchemaCache, TransformSettings
from pipeway.connect.transforms.exceptions import TransformError
from pipeway.connect.transforms.schemas import (
    PRIMITIVES,
    make_optional,
    require_record,
    split_optional,
    type_name,
    with_fields,
)

Caster = Callable[[Any], Any]
WHOLE = ""
"""Spec key of a whole-value cast."""

AVRO_TYPES: dict[str, AvroSchema] = {
    "int8": {"type": "int", "connect.type": "int8"},
    "int16": {"type": "int", "connect.type": "int16"},
    "int32": "int",
    "int64": "long",
    "float32": "float",
    "float64": "double",
    "boolean": "boolean",
    "string": "string",
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _number(value: Any) -> Any:
    if isinstance(value, str):
        return float(value) if any(c in value for c in ".eE") else int(value)
    if isinstance(value, datetime):
        return (value - _EPOCH) // datetime.resolution // 1000
    return value


def _integer(bits: int) -> Caster:
    half, size = 1 << (bits - 1), 1 << bits

    def cast(value: Any) -> int:
        number = int(value) if isinstance(value, str) else int(_number(value))
        return (number + half) % size - half

    return cast


def _float(value: Any) -> float:
    return float(_number(value))


def _boolean(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(_number(value))


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


CASTERS: dict[str, Caster] = {
    "int8": _integer(8),
    "int16": _integer(16),
    "int32": _integer(32),
    "int64": _integer(64),
    "float32": _float,
    "float64": _float,
    "boolean": _boolean,
    "string": _string,
}


class CastSettings(TransformSettings):
    spec: dict[str, str]

    @field_validator("spec", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        items = [i.strip() for i in value.split(",") if i.strip()]
        if not items:
            raise ValueError("must name a type or at least one field:type pair")
        spec: dict[str, str] = {}
        for item in items:
            name, sep, kind = item.rpartition(":")
            if sep and not name.strip():
                raise ValueError(f"invalid cast {item!r}: missing field name")
            if kind.strip() not in CASTERS:
                raise ValueError(
                    f"unknown type {kind.strip()!r} in {item!r}; use one of " + ", ".join(CASTERS)
                )
            spec[name.strip() if sep else WHOLE] = kind.strip()
        if WHOLE in spec and len(spec) > 1:
            raise ValueError("a whole-value type cannot be combined with field casts")
        return spec


def _cast_schema(schema: AvroSchema, target: str, what: str) -> AvroSchema:
    inner, optional = split_optional(schema)
    if type_name(inner) not in PRIMITIVES:
        raise TransformError(f"Cast supports only primitive types; {what} is {type_name(inner)!r}")
    new = AVRO_TYPES[target]
    return make_optional(new) if optional else new


class Cast(KeyOrValue):
    """Casts fields (or the whole key/value) to Kafka Connect primitive types."""

    Settings: ClassVar[type[TransformSettings]] = CastSettings
    config: CastSettings

    def __init__(self, props: Mapping[str, str]) -> None:
        super().__init__(props)
        self._whole = self.config.spec.get(WHOLE)
        self._casts = tuple((n, CASTERS[t]) for n, t in self.config.spec.items())
        self._plans: SchemaCache[AvroSchema] = SchemaCache(self._new_schema)

    def _new_schema(self, schema: AvroSchema) -> AvroSchema:
        if self._whole is not None:
            return _cast_schema(schema, self._whole, "the value")
        record, optional = require_record(schema, "Cast")
        spec, fields = self.config.spec, []
        for field in record["fields"]:
            name = field["name"]
            if name in spec:
                field = {k: v for k, v in field.items() if k != "default"}
                field["type"] = _cast_schema(field["type"], spec[name], repr(name))
                if isinstance(field["type"], list):
                    field["default"] = None
            fields.append(field)
        new = with_fields(record, fields)
        return make_optional(new) if optional else new

    def _cast(self, name: str, cast: Caster, value: Any, record: Any) -> Any:
        try:
            return cast(value)
        except (ValueError, TypeError, ArithmeticError) as exc:
            what = "the value" if name == WHOLE else f"field {name!r}"
            raise TransformError(f"Cast cannot convert {what} ({value!r}): {exc}", record) from exc

    def apply(self, record: R) -> R | None:
        data, schema = self.operand(record)
        new_schema = None if schema is None else self._plans.get(schema)
        if data is None:
            return record if schema is None else self.rebuild(record, None, new_schema)
        if self._whole is not None:
            value = self._cast(WHOLE, self._casts[0][1], data, record)
            return self.rebuild(record, value, new_schema)
        if not isinstance(data, dict):
            raise TransformError(f"Cast needs a map/record {self.target} for field casts", record)
        out = dict(data)
        for name, cast in self._casts:
            value = out.get(name)
            if value is not None:
                out[name] = self._cast(name, cast, value, record)
        return self.rebuild(record, out, new_schema)


class CastKey(Cast):
    target = "key"


class CastValue(Cast):
    target = "value"
