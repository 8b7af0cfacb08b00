"""The settings of one converter, read from Kafka-Connect-style properties.

A connector config says ``value.converter=io.confluent.connect.avro.AvroConverter`` and sets
converter options under the same prefix (``value.converter.schema.registry.url=...``). This
module extracts those keys into a validated model; errors name the full property key.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, ValidationError

from pipeway.serde.exceptions import SerdeConfigError

logger = logging.getLogger(__name__)


class ConverterConfig(BaseModel):
    """Options of a key or value converter; field aliases are the Connect property names."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_by_alias=True, validate_by_name=True
    )

    converter: str = Field(description="Connect class name or short name (avro, json...).")
    schemas_enable: bool = Field(True, alias="schemas.enable")
    schemas_cache_size: int = Field(1000, alias="schemas.cache.size", gt=0)
    decimal_format: Literal["BASE64", "NUMERIC"] = Field("BASE64", alias="decimal.format")
    schema_registry_url: str | None = Field(None, alias="schema.registry.url")
    basic_auth_credentials_source: Literal["USER_INFO", "URL"] = Field(
        "USER_INFO", alias="basic.auth.credentials.source"
    )
    basic_auth_user_info: SecretStr | None = Field(None, alias="basic.auth.user.info")
    auto_register_schemas: bool = Field(True, alias="auto.register.schemas")
    use_latest_version: bool = Field(False, alias="use.latest.version")
    normalize_schemas: bool = Field(False, alias="normalize.schemas")
    key_subject_name_strategy: str = Field("TopicNameStrategy", alias="key.subject.name.strategy")
    value_subject_name_strategy: str = Field(
        "TopicNameStrategy", alias="value.subject.name.strategy"
    )
    encoding: str = Field("utf-8", validation_alias=AliasChoices("encoding", "converter.encoding"))
    codec: str = Field("null", alias="codec")


def converter_config_from_properties(
    properties: Mapping[str, Any], prefix: str = "value.converter"
) -> ConverterConfig:
    """Extract the converter named by ``properties[prefix]`` and its ``<prefix>.*`` options.

    Args:
        properties: connector properties, values as strings or already typed.
        prefix: ``key.converter`` or ``value.converter`` (or any other prefix).

    Returns:
        The validated converter config.

    Raises:
        SerdeConfigError: the converter is missing, or an option is unknown or invalid;
            the error names the full key, e.g. ``value.converter.schemas.enable``.
    """
    if prefix not in properties:
        raise SerdeConfigError(prefix, "missing: set it to a converter class or short name")
    options = {
        key[len(prefix) + 1 :]: value
        for key, value in properties.items()
        if key.startswith(prefix + ".")
    }
    try:
        return ConverterConfig.model_validate({"converter": properties[prefix], **options})
    except ValidationError as exc:
        raise _config_error(exc, prefix) from exc


def _config_error(exc: ValidationError, prefix: str) -> SerdeConfigError:
    """Turn pydantic's first error into a SerdeConfigError naming the full property key."""
    first = exc.errors()[0]
    option = ".".join(str(part) for part in first["loc"])
    key = prefix if option == "converter" else f"{prefix}.{option}"
    if first["type"] == "extra_forbidden":
        return SerdeConfigError(key, "unknown converter option")
    if "auth" in option:  # never echo credentials
        return SerdeConfigError(key, first["msg"])
    return SerdeConfigError(key, f"{first['msg']} (got {first.get('input')!r:.60})")
