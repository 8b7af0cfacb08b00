"""The runtime's own connector keys (Kafka Connect's names) and how a config is split.

A connector configuration is one flat ``{key: value}`` map, as in Kafka Connect. The runtime
takes its keys (``name``, ``connector.class``, ``tasks.max``, converters, ``transforms``,
``predicates``, ``errors.*``, ``topics``) and hands the rest to the connector's own
settings model, so each side validates what it owns and every error names its key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

PREFIXED_GROUPS = (
    "transforms.",
    "predicates.",
    "key.converter.",
    "value.converter.",
    "header.converter.",
    "topic.creation.",
)


class RuntimeSettings(BaseModel):
    """Keys every connector accepts, named and defaulted as in Kafka Connect."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    name: str = Field(min_length=1, pattern=r"^[^/\s]+$")
    connector_class: str = Field(alias="connector.class", min_length=1)
    tasks_max: int = Field(1, alias="tasks.max", ge=1, le=64)
    key_converter: str = Field("avro", alias="key.converter")
    value_converter: str = Field("avro", alias="value.converter")
    header_converter: str = Field("simple", alias="header.converter")
    transforms: list[str] = Field(default_factory=list)
    predicates: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    topics_regex: str | None = Field(None, alias="topics.regex")
    errors_tolerance: Literal["none", "all"] = Field("none", alias="errors.tolerance")
    errors_retry_timeout_ms: int = Field(0, alias="errors.retry.timeout", ge=-1)
    errors_retry_delay_max_ms: int = Field(60000, alias="errors.retry.delay.max.ms", ge=0)
    errors_log_enable: bool = Field(False, alias="errors.log.enable")
    errors_log_include_messages: bool = Field(False, alias="errors.log.include.messages")
    errors_dlq_topic: str = Field("", alias="errors.deadletterqueue.topic.name")
    errors_dlq_replication_factor: int = Field(
        1, alias="errors.deadletterqueue.topic.replication.factor", ge=1
    )
    errors_dlq_context_headers: bool = Field(
        True, alias="errors.deadletterqueue.context.headers.enable"
    )

    @field_validator("header_converter")
    @classmethod
    def _known_header_converter(cls, value: str) -> str:
        from pipeway.connect.runtime.header_conversion import header_converter_name

        header_converter_name(value)  # ValueError naming the known converters
        return value

    @field_validator("transforms", "predicates", "topics", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value


RUNTIME_KEYS = frozenset((f.alias or n) for n, f in RuntimeSettings.model_fields.items())


def split_config(raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Split a flat config into (runtime keys, prefixed group keys, connector keys)."""
    runtime, grouped, connector = {}, {}, {}
    for key, value in raw.items():
        if key in RUNTIME_KEYS:
            runtime[key] = value
        elif key.startswith(PREFIXED_GROUPS):
            grouped[key] = value
        else:
            connector[key] = value
    return runtime, grouped, connector


def errors_by_key(exc: ValidationError, model: type[BaseModel]) -> dict[str, list[str]]:
    """Turn a pydantic error into ``{config key: [messages]}`` using the dotted aliases."""
    aliases = {n: (f.alias or n) for n, f in model.model_fields.items()}
    out: dict[str, list[str]] = {}
    for error in exc.errors():
        loc = error["loc"]
        key = aliases.get(str(loc[0]), str(loc[0])) if loc else "(config)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown configuration key"
        out.setdefault(key, []).append(message)
    return out
