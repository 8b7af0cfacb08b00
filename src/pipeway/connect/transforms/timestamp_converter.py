"""TimestampConverter: convert between strings, unix epochs and Avro date/time logical types.

``target.type`` is one of ``string`` (needs ``format``, a Java SimpleDateFormat pattern),
``unix`` (a long in ``unix.precision``), ``Date``, ``Time`` or ``Timestamp``. The input type
comes from the schema (``timestamp-millis`` → Timestamp, plain ``long`` → unix…) or, without
a schema, from the Python value (datetime, date, time, int, str). All zones are UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator

from pipeway.connect.api import AvroSchema
from pipeway.connect.transforms.base import KeyOrValue, R, SchemaCache, TransformSettings
from pipeway.connect.transforms.exceptions import TransformError
from pipeway.connect.transforms.javatime import JavaDateFormat
from pipeway.connect.transforms.schemas import (
    field_map,
    logical_type,
    make_optional,
    require_record,
    split_optional,
    type_name,
    with_fields,
)

Kind = Literal["string", "unix", "Date", "Time", "Timestamp"]
Precision = Literal["seconds", "milliseconds", "microseconds", "nanoseconds"]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROS_PER = {"seconds": 1_000_000, "milliseconds": 1000, "microseconds": 1}
OUTPUT_SCHEMAS: dict[str, AvroSchema] = {
    "string": "string",
    "unix": "long",
    "Date": {"type": "int", "logicalType": "date"},
    "Time": {"type": "int", "logicalType": "time-millis"},
    "Timestamp": {"type": "long", "logicalType": "timestamp-millis"},
}
_LOGICAL_KINDS: dict[str | None, Kind] = {
    "timestamp-millis": "Timestamp",
    "timestamp-micros": "Timestamp",
    "date": "Date",
    "time-millis": "Time",
    "time-micros": "Time",
}


_MILLI = timedelta(milliseconds=1)
_INT_UNITS = {
    "date": timedelta(days=1),
    "time-micros": timedelta(microseconds=1),
    "timestamp-micros": timedelta(microseconds=1),
}


@dataclass(frozen=True, slots=True)
class Plan:
    """What one input schema needs: the output schema and how to read the input."""

    schema: AvroSchema
    kind: Kind
    unit: timedelta


class TimestampConverterSettings(TransformSettings):
    field: str = ""
    target_type: Kind = Field(alias="target.type")
    format: str | None = Field(None, validate_default=True)
    unix_precision: Precision = Field("milliseconds", alias="unix.precision")

    @field_validator("format")
    @classmethod
    def _pattern(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            if info.data.get("target_type") == "string":
                raise ValueError("required when target.type is string")
            return None
        JavaDateFormat(value)
        return value


def _kind_of_schema(schema: AvroSchema) -> Kind:
    logical = logical_type(schema)
    if logical in _LOGICAL_KINDS:
        return _LOGICAL_KINDS[logical]
    kind = type_name(schema)
    if kind == "string":
        return "string"
    if kind in ("int", "long"):
        return "unix"
    raise TransformError(f"TimestampConverter cannot read a {kind!r} timestamp")


def _kind_of_value(value: Any) -> Kind:
    if isinstance(value, datetime):
        return "Timestamp"
    if isinstance(value, date):
        return "Date"
    if isinstance(value, time):
        return "Time"
    if isinstance(value, int) and not isinstance(value, bool):
        return "unix"
    if isinstance(value, str):
        return "string"
    raise TransformError(f"TimestampConverter cannot read a {type(value).__name__} timestamp")


class TimestampConverter(KeyOrValue):
    """Converts one field (or the whole key/value when ``field`` is empty)."""

    Settings: ClassVar[type[TransformSettings]] = TimestampConverterSettings
    config: TimestampConverterSettings

    def __init__(self, props: Mapping[str, str]) -> None:
        super().__init__(props)
        c = self.config
        self._format = JavaDateFormat(c.format) if c.format is not None else None
        self._write = self._writer(c.target_type)
        self._plans: SchemaCache[Plan] = SchemaCache(self._plan)

    def _to_datetime(self, value: Any, kind: Kind, unit: timedelta = _MILLI) -> datetime:
        """The instant a value stands for (aware, UTC)."""
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if kind == "string":
            if self._format is None:
                raise TransformError("TimestampConverter needs 'format' to parse strings")
            return self._format.parse(value)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
        if isinstance(value, time):
            return datetime.combine(EPOCH.date(), value, UTC)
        if kind == "unix":
            return self._from_unix(int(value))
        return EPOCH + int(value) * unit

    def _from_unix(self, value: int) -> datetime:
        precision = self.config.unix_precision
        if precision == "nanoseconds":
            return EPOCH + timedelta(microseconds=value // 1000)
        return EPOCH + timedelta(microseconds=value * _MICROS_PER[precision])

    def _writer(self, kind: Kind) -> Callable[[datetime], Any]:
        if kind == "string":
            fmt = self._format
            return fmt.format if fmt is not None else str
        if kind == "unix":
            precision = self.config.unix_precision
            step = timedelta(microseconds=_MICROS_PER.get(precision, 1))
            scale = 1000 if precision == "nanoseconds" else 1
            return lambda dt: (dt - EPOCH) // step * scale
        if kind == "Date":
            return lambda dt: dt.date()
        if kind == "Time":
            return lambda dt: dt.time().replace(microsecond=dt.microsecond // 1000 * 1000)
        return lambda dt: dt

    def _convert(self, value: Any, plan: Plan | None, record: Any) -> Any:
        try:
            if plan is None:
                instant = self._to_datetime(value, _kind_of_value(value))
            else:
                instant = self._to_datetime(value, plan.kind, plan.unit)
            return self._write(instant)
        except TransformError as exc:
            raise TransformError(str(exc), record) from None
        except (ValueError, TypeError, OverflowError) as exc:
            raise TransformError(
                f"TimestampConverter cannot convert {value!r}: {exc}", record
            ) from exc

    def _converted_schema(self, schema: AvroSchema) -> tuple[AvroSchema, Kind, timedelta]:
        inner, optional = split_optional(schema)
        new = OUTPUT_SCHEMAS[self.config.target_type]
        unit = _INT_UNITS.get(logical_type(inner) or "", _MILLI)
        return (make_optional(new) if optional else new), _kind_of_schema(inner), unit

    def _plan(self, schema: AvroSchema) -> Plan:
        name = self.config.field
        if not name:
            return Plan(*self._converted_schema(schema))
        record, optional = require_record(schema, "TimestampConverter")
        fields = field_map(record)
        if name not in fields:
            raise TransformError(f"TimestampConverter: no field {name!r} in {record['name']!r}")
        new_type, kind, unit = self._converted_schema(fields[name]["type"])
        new_field = {k: v for k, v in fields[name].items() if k != "default"}
        new_field["type"] = new_type
        if isinstance(new_type, list):
            new_field["default"] = None
        out = with_fields(record, [new_field if f["name"] == name else f for f in record["fields"]])
        return Plan(make_optional(out) if optional else out, kind, unit)

    def apply(self, record: R) -> R | None:
        data, schema = self.operand(record)
        plan = None if schema is None else self._plans.get(schema)
        new_schema = None if plan is None else plan.schema
        name = self.config.field
        if not name:
            value = None if data is None else self._convert(data, plan, record)
            return self.rebuild(record, value, new_schema)
        if data is None:
            return record
        if not isinstance(data, dict):
            raise TransformError(f"TimestampConverter needs a map/record {self.target}", record)
        out = dict(data)
        if out.get(name) is not None:
            out[name] = self._convert(out[name], plan, record)
        return self.rebuild(record, out, new_schema)


class TimestampConverterKey(TimestampConverter):
    target = "key"


class TimestampConverterValue(TimestampConverter):
    target = "value"
