"""Predicates that gate transforms: TopicNameMatches, HasHeaderKey, RecordIsTombstone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pydantic import Field, field_validator

from pipeway.connect.api import SinkRecord, SourceRecord
from pipeway.connect.transforms.base import Predicate, TransformSettings
from pipeway.connect.transforms.routers import java_regex

_MAX_CACHED_TOPICS = 4096


class TopicNameMatchesSettings(TransformSettings):
    pattern: str = Field(min_length=1)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        java_regex(value)
        return value


class TopicNameMatches(Predicate):
    """True when the whole topic name matches ``pattern`` (cached per topic)."""

    Settings: ClassVar[type[TransformSettings]] = TopicNameMatchesSettings
    config: TopicNameMatchesSettings

    def __init__(self, props: Mapping[str, str]) -> None:
        super().__init__(props)
        self._pattern = java_regex(self.config.pattern)
        self._seen: dict[str, bool] = {}

    def test(self, record: SourceRecord | SinkRecord) -> bool:
        hit = self._seen.get(record.topic)
        if hit is None:
            hit = self._pattern.fullmatch(record.topic) is not None
            if len(self._seen) >= _MAX_CACHED_TOPICS:
                self._seen.clear()
            self._seen[record.topic] = hit
        return hit


class HasHeaderKeySettings(TransformSettings):
    name: str = Field(min_length=1)


class HasHeaderKey(Predicate):
    """True when the record has at least one header named ``name``."""

    Settings: ClassVar[type[TransformSettings]] = HasHeaderKeySettings
    config: HasHeaderKeySettings

    def test(self, record: SourceRecord | SinkRecord) -> bool:
        name = self.config.name
        return any(key == name for key, _ in record.headers)


class RecordIsTombstone(Predicate):
    """True when the value is null (a delete marker for compacted topics)."""

    def test(self, record: SourceRecord | SinkRecord) -> bool:
        return record.value is None
