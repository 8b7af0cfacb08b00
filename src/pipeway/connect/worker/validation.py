"""Checking a connector config as a whole, collecting every error under its key.

Each owner validates its own keys: :class:`RuntimeSettings` the runtime's, the connector's
``settings_class`` its own, the transform chain ``transforms.*``/``predicates.*`` and the
converter config ``*.converter.*``. Nothing stops at the first error, so one answer names
every field to fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from pipeway.connect.api import Connector, ConnectorSettings
from pipeway.connect.exceptions import InvalidConnectorConfig, UnknownPlugin
from pipeway.connect.plugins import load_connector
from pipeway.connect.runtime.header_conversion import header_converter_name
from pipeway.connect.settings import RuntimeSettings, errors_by_key, split_config
from pipeway.connect.transforms import TransformChain
from pipeway.serde.converter_config import converter_config_from_properties
from pipeway.serde.converters import available_converters
from pipeway.serde.exceptions import SerdeConfigError

Errors = dict[str, list[str]]
CONVERTER_KEYS = ("key.converter", "value.converter", "header.converter")


@dataclass(frozen=True, slots=True)
class ValidatedConfig:
    """Everything ``create_runner`` needs, parsed once per config version."""

    name: str
    raw: dict[str, Any]
    runtime: RuntimeSettings
    connector_cls: type[Connector]
    settings: ConnectorSettings
    grouped: dict[str, Any]

    @property
    def kind(self) -> str:
        return self.connector_cls.kind


def validate(config: Mapping[str, Any]) -> ValidatedConfig:
    """Parse ``config`` or raise with every invalid key.

    Raises:
        InvalidConnectorConfig: naming each invalid key with its messages.
    """
    validated, errors = check(config)
    if errors or validated is None:
        raise InvalidConnectorConfig(str(config.get("name", "")), errors)
    return validated


def check(config: Mapping[str, Any]) -> tuple[ValidatedConfig | None, Errors]:
    """Validate every part of ``config``; the parsed config only when there is no error."""
    raw = dict(config)
    runtime_keys, grouped, own = split_config(raw)
    errors: Errors = {}
    runtime = _model(RuntimeSettings, runtime_keys, errors)
    cls = _connector_class(raw, errors)
    settings = _model(cls.settings_class, own, errors) if cls is not None else None
    _merge(errors, transform_errors(raw))
    _merge(errors, converter_errors(raw, grouped))
    if errors or runtime is None or cls is None or settings is None:
        return None, errors
    return ValidatedConfig(runtime.name, raw, runtime, cls, settings, grouped), errors


def _model(model: type[Any], values: dict[str, Any], errors: Errors) -> Any:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        _merge(errors, errors_by_key(exc, model))
        return None


def _merge(errors: Errors, more: Errors) -> None:
    for key, messages in more.items():
        errors.setdefault(key, []).extend(messages)


def _connector_class(raw: Mapping[str, Any], errors: Errors) -> type[Connector] | None:
    name = raw.get("connector.class")
    if not name:
        return None  # RuntimeSettings reports the missing key
    try:
        cls = load_connector(str(name))
    except UnknownPlugin as exc:
        errors.setdefault("connector.class", []).append(str(exc))
        return None
    if not (isinstance(cls, type) and issubclass(cls, Connector)):
        errors.setdefault("connector.class", []).append(f"{name!r} is not a Connector class")
        return None
    return cls


def transform_errors(raw: Mapping[str, Any]) -> Errors:
    """Errors of ``transforms``/``predicates`` and their ``transforms.<alias>.*`` options."""
    try:
        TransformChain.from_config(raw, connector=str(raw.get("name", "")))
    except InvalidConnectorConfig as exc:
        return {k: list(v) for k, v in exc.errors.items()}
    return {}


def converter_errors(raw: Mapping[str, Any], grouped: Mapping[str, Any]) -> Errors:
    """Errors of the key/value/header converter names and their ``<prefix>.*`` options."""
    defaults = RuntimeSettings.model_fields
    errors: Errors = {}
    known = set(available_converters())
    header = str(raw.get("header.converter", defaults["header_converter"].default))
    try:
        header_converter_name(header)
    except ValueError as exc:
        errors["header.converter"] = [str(exc)]
    for prefix in CONVERTER_KEYS[:2]:  # the header converter is not a serde converter
        field = defaults[prefix.replace(".", "_")]
        name = str(raw.get(prefix, field.default))
        if name not in known:
            errors.setdefault(prefix, []).append(f"unknown converter {name!r}")
            continue
        props = {k: v for k, v in grouped.items() if k.startswith(prefix + ".")}
        try:
            converter_config_from_properties({prefix: name, **props}, prefix)
        except SerdeConfigError as exc:
            key = exc.key if exc.key.startswith(prefix) else f"{prefix}.{exc.key}"
            errors.setdefault(key, []).append(exc.reason)
    return errors
