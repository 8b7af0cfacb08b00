"""What every transform and predicate shares: validated settings, key/value access, caches.

Transforms return a new record (``dataclasses.replace``) and never touch the input or its
value dict, because the runtime may still hold the original for the dead letter queue.
Schema work is done once per input schema object and cached by identity, so the per-record
cost is only the value rewrite.

Example::

    class Upper(Transformation):
        def apply(self, record):
            return dataclasses.replace(record, topic=record.topic.upper())
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from pipeway.connect.api import AvroSchema, SinkRecord, SourceRecord
from pipeway.connect.settings import errors_by_key
from pipeway.connect.transforms.exceptions import TransformConfigError

R = TypeVar("R", SourceRecord, SinkRecord)
P = TypeVar("P")
Target = Literal["key", "value"]


class TransformSettings(BaseModel):
    """Base of every transform's and predicate's properties (dotted Kafka Connect aliases)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def comma_list(value: Any) -> Any:
    """Split Kafka Connect's ``a,b,c`` list syntax (a ``mode="before"`` validator)."""
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return value


def parse_settings(model: type[TransformSettings], props: Mapping[str, Any], owner: str) -> Any:
    """Validate ``props`` with ``model``; every error is reported under its property key.

    Raises:
        TransformConfigError: naming each invalid or unknown key.
    """
    try:
        return model.model_validate(dict(props))
    except ValidationError as exc:
        raise TransformConfigError(owner, errors_by_key(exc, model)) from exc


class Transformation(ABC):
    """A single message transform (Kafka Connect's SMT): one record in, one record or None out."""

    Settings: ClassVar[type[TransformSettings]] = TransformSettings
    config: TransformSettings

    def __init__(self, props: Mapping[str, str]) -> None:
        self.config = parse_settings(self.Settings, props, type(self).__name__)

    @abstractmethod
    def apply(self, record: R) -> R | None:
        """Return a new record, the input itself when nothing changes, or None to drop it."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources; transforms here hold none."""


class Predicate(ABC):
    """Decides whether a transform applies to a record (``transforms.<alias>.predicate``)."""

    Settings: ClassVar[type[TransformSettings]] = TransformSettings
    config: TransformSettings

    def __init__(self, props: Mapping[str, str]) -> None:
        self.config = parse_settings(self.Settings, props, type(self).__name__)

    @abstractmethod
    def test(self, record: SourceRecord | SinkRecord) -> bool:
        """True when the record matches."""


class KeyOrValue(Transformation):
    """A transform with ``$Key`` and ``$Value`` variants: ``target`` picks the record part."""

    target: ClassVar[Target] = "value"

    def operand(self, record: SourceRecord | SinkRecord) -> tuple[Any, AvroSchema | None]:
        """The (data, schema) this variant works on."""
        if self.target == "value":
            return record.value, record.value_schema
        return record.key, record.key_schema

    def rebuild(self, record: R, data: Any, schema: AvroSchema | None) -> R:
        """A copy of ``record`` with the operand replaced."""
        if self.target == "value":
            return dataclasses.replace(record, value=data, value_schema=schema)
        return dataclasses.replace(record, key=data, key_schema=schema)


class SchemaCache(Generic[P]):
    """Per-schema plans keyed by object identity; holds the schema so its id stays unique."""

    def __init__(self, build: Callable[[Any], P], max_size: int = 512) -> None:
        self._build = build
        self._max_size = max_size
        self._entries: dict[int, tuple[Any, P]] = {}

    def get(self, schema: Any) -> P:
        entry = self._entries.get(id(schema))
        if entry is not None and entry[0] is schema:
            return entry[1]
        plan = self._build(schema)
        if len(self._entries) >= self._max_size:
            self._entries.clear()
        self._entries[id(schema)] = (schema, plan)
        return plan
