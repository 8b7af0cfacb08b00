"""Hiding secrets in every config the worker shows (REST answers, CLI output).

A key is secret when the connector's settings declare it ``SecretStr`` (or a converter option
is ``SecretStr``, like ``value.converter.basic.auth.user.info``), or when its name says so
(``password``, ``secret``, ``sasl.jaas.config``). The stored config keeps the value: tasks need
it. Nothing here logs values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeway.connect.exceptions import UnknownPlugin
from pipeway.connect.plugins import load_connector
from pipeway.connect.worker.fields import fields_by_key, is_secret
from pipeway.serde.converter_config import ConverterConfig

HIDDEN = "[hidden]"
SECRET_WORDS = ("password", "secret", "sasl.jaas.config")
CONVERTER_PREFIXES = ("key.converter.", "value.converter.", "header.converter.")


def _converter_secrets() -> frozenset[str]:
    fields = fields_by_key(ConverterConfig)
    return frozenset(key for key, field in fields.items() if is_secret(field))


_CONVERTER_SECRETS = _converter_secrets()


def settings_secrets(connector_class: Any) -> frozenset[str]:
    """Keys of ``connector.class``'s settings declared as secrets (none if it won't load)."""
    try:
        cls = load_connector(str(connector_class))
        settings = cls.settings_class
    except (UnknownPlugin, AttributeError):
        return frozenset()
    return frozenset(key for key, field in fields_by_key(settings).items() if is_secret(field))


def is_secret_key(key: str, declared: frozenset[str]) -> bool:
    lowered = key.lower()
    if key in declared or any(word in lowered for word in SECRET_WORDS):
        return True
    for prefix in CONVERTER_PREFIXES:
        if key.startswith(prefix) and key[len(prefix) :] in _CONVERTER_SECRETS:
            return True
    return False


def mask(config: Mapping[str, Any], connector_class: Any = None) -> dict[str, Any]:
    """A copy of ``config`` with every secret value replaced by ``[hidden]``.

    ``connector_class`` defaults to the config's own ``connector.class``; pass it for task
    configs, which do not carry it.
    """
    declared = settings_secrets(connector_class or config.get("connector.class", ""))
    return {
        key: HIDDEN if value is not None and is_secret_key(key, declared) else value
        for key, value in config.items()
    }
