"""Topic routers: RegexRouter (rename topics by regex) and TimestampRouter (time-bucketed topics).

RegexRouter's ``replacement`` uses Java syntax (``$1``, ``${name}``, ``\\$``), translated to
Python's once. A topic that does not match the whole ``regex`` is left unchanged. Results
are cached per topic, since a connector writes to few topics.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import Field, ValidationInfo, field_validator

from pipeway.connect.transforms.base import R, Transformation, TransformSettings
from pipeway.connect.transforms.exceptions import TransformError
from pipeway.connect.transforms.javatime import JavaDateFormat

_MAX_CACHED_TOPICS = 4096
_JAVA_NAMED_GROUP = re.compile(r"\(\?<(?=[A-Za-z])")


def java_regex(regex: str) -> re.Pattern[str]:
    """Compile a Java regex; its named groups ``(?<name>…)`` become Python's ``(?P<name>…)``.

    Raises:
        ValueError: when the pattern does not compile.
    """
    try:
        return re.compile(_JAVA_NAMED_GROUP.sub("(?P<", regex))
    except re.error as exc:
        raise ValueError(f"invalid regex: {exc}") from exc


def java_replacement(replacement: str, pattern: re.Pattern[str]) -> str:
    """Translate a Java ``Matcher.replaceFirst`` replacement to a Python ``expand`` template.

    Like Java, ``$12`` means group 12 only when the pattern has that many groups.

    Raises:
        ValueError: on a dangling ``$`` or ``\\``, or a group the pattern does not have.
    """
    out, i, n = [], 0, len(replacement)
    while i < n:
        c = replacement[i]
        if c == "\\":
            if i + 1 >= n:
                raise ValueError("replacement ends with a lone backslash")
            out.append("\\\\" if replacement[i + 1] == "\\" else replacement[i + 1])
            i += 2
        elif c == "$":
            group, i = _group_ref(replacement, i + 1, pattern)
            out.append(f"\\g<{group}>")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _group_ref(text: str, i: int, pattern: re.Pattern[str]) -> tuple[str, int]:
    if text.startswith("{", i):
        end = text.find("}", i)
        name = text[i + 1 : end] if end > 0 else ""
        if name not in pattern.groupindex:
            raise ValueError(f"no group named {name!r} in the regex")
        return name, end + 1
    if i >= len(text) or not text[i].isdigit():
        raise ValueError("'$' must be followed by a group number or {name}")
    j = i + 1
    while j < len(text) and text[j].isdigit() and int(text[i : j + 1]) <= pattern.groups:
        j += 1
    if int(text[i:j]) > pattern.groups:
        raise ValueError(f"no group {text[i:j]} in the regex")
    return text[i:j], j


class RegexRouterSettings(TransformSettings):
    regex: str
    replacement: str

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        java_regex(value)
        return value

    @field_validator("replacement")
    @classmethod
    def _translates(cls, value: str, info: ValidationInfo) -> str:
        regex = info.data.get("regex")
        if regex is not None:
            java_replacement(value, java_regex(regex))
        return value


class RegexRouter(Transformation):
    """Renames the topic when the whole topic name matches ``regex``."""

    Settings: ClassVar[type[TransformSettings]] = RegexRouterSettings
    config: RegexRouterSettings

    def __init__(self, props: Mapping[str, str]) -> None:
        super().__init__(props)
        self._pattern = java_regex(self.config.regex)
        self._template = java_replacement(self.config.replacement, self._pattern)
        self._topics: dict[str, str] = {}

    def _route(self, topic: str) -> str:
        match = self._pattern.fullmatch(topic)
        routed = match.expand(self._template) if match else topic
        if len(self._topics) >= _MAX_CACHED_TOPICS:
            self._topics.clear()
        self._topics[topic] = routed
        return routed

    def apply(self, record: R) -> R | None:
        topic = self._topics.get(record.topic) or self._route(record.topic)
        return record if topic == record.topic else dataclasses.replace(record, topic=topic)


class TimestampRouterSettings(TransformSettings):
    topic_format: str = Field("${topic}-${timestamp}", alias="topic.format")
    timestamp_format: str = Field("yyyyMMdd", alias="timestamp.format")

    @field_validator("timestamp_format")
    @classmethod
    def _pattern(cls, value: str) -> str:
        JavaDateFormat(value)
        return value


class TimestampRouter(Transformation):
    """Routes to ``topic.format`` filled with the topic and the record timestamp (UTC)."""

    Settings: ClassVar[type[TransformSettings]] = TimestampRouterSettings
    config: TimestampRouterSettings

    def __init__(self, props: Mapping[str, str]) -> None:
        super().__init__(props)
        self._format = JavaDateFormat(self.config.timestamp_format)
        self._template = self.config.topic_format
        self._last: tuple[Any, str] = (None, "")

    def _formatted(self, timestamp: int) -> str:
        last_ts, last_text = self._last
        if last_ts == timestamp:
            return last_text
        text = self._format.format(datetime.fromtimestamp(timestamp / 1000, UTC))
        self._last = (timestamp, text)
        return text

    def apply(self, record: R) -> R | None:
        if record.timestamp is None:
            raise TransformError("TimestampRouter: the record has no timestamp", record)
        stamp = self._formatted(record.timestamp)
        topic = self._template.replace("${topic}", record.topic).replace("${timestamp}", stamp)
        return dataclasses.replace(record, topic=topic)
