"""Converters by Kafka Connect name: config → (serializer, deserializer) pairs.

Connector configs name converters the way Kafka Connect does
(``io.confluent.connect.avro.AvroConverter``, ``org.apache.kafka.connect.json.JsonConverter``
...) or by short name (``avro``, ``json``...). :func:`converters_from_properties` turns such a
config into a serializer and a deserializer; :func:`register_converter` adds new kinds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, Protocol
from urllib.parse import urlsplit, urlunsplit

from pipeway.serde.avro_confluent import AvroDeserializer, AvroSerializer
from pipeway.serde.avro_container import (
    AvroContainerDeserializer,
    AvroContainerSerializer,
    check_codec,
)
from pipeway.serde.base import Deserializer, Serializer
from pipeway.serde.connect_schema import connect_schema_from_avro
from pipeway.serde.converter_config import ConverterConfig, converter_config_from_properties
from pipeway.serde.exceptions import SerdeConfigError
from pipeway.serde.json_converter import JsonDeserializer, JsonSerializer
from pipeway.serde.primitive import (
    BytesDeserializer,
    BytesSerializer,
    DoubleDeserializer,
    DoubleSerializer,
    FloatDeserializer,
    FloatSerializer,
    IntegerDeserializer,
    IntegerSerializer,
    LongDeserializer,
    LongSerializer,
    ShortDeserializer,
    ShortSerializer,
    StringDeserializer,
    StringSerializer,
)
from pipeway.serde.registry_client import RegistryClient
from pipeway.serde.registry_models import SchemaRegistry
from pipeway.serde.subject import get_subject_name_strategy

logger = logging.getLogger(__name__)


class ConverterPair(NamedTuple):
    """A serializer and its matching deserializer.

    ``serializer`` is ``None`` when the converter needs a writer schema that was not given
    (Avro without ``schema_str`` and without ``use.latest.version``): such a pair can only
    read, which is all a sink needs.
    """

    serializer: Serializer | None
    deserializer: Deserializer


class ConverterFactory(Protocol):
    """Builds a converter pair from its config."""

    def __call__(
        self,
        config: ConverterConfig,
        *,
        is_key: bool,
        schema_str: str | None,
        registry: SchemaRegistry | None,
    ) -> ConverterPair:
        """Build the pair; ``schema_str`` is an Avro schema for schema-aware converters."""
        ...


_FACTORIES: dict[str, ConverterFactory] = {}
_ALIASES: dict[str, str] = {}
_OPTIONS_BY_KIND: dict[str, frozenset[str]] = {}


def register_converter(
    name: str,
    factory: ConverterFactory,
    aliases: Iterable[str] = (),
    options: Iterable[str] = (),
) -> None:
    """Make a converter available under a short name and any class-name aliases.

    Args:
        name: the short name, e.g. ``avro``.
        factory: builds the (serializer, deserializer) pair.
        aliases: other accepted names, e.g. the Kafka Connect class name.
        options: the config fields that apply to it (others only log a warning).
    """
    _FACTORIES[name] = factory
    _ALIASES.update({alias: name for alias in (name, *aliases)})
    _OPTIONS_BY_KIND[name] = frozenset(options)


def available_converters() -> list[str]:
    """Return every accepted converter name (short names and class names), sorted."""
    return sorted(_ALIASES)


def build_converter(
    config: ConverterConfig,
    *,
    is_key: bool,
    schema_str: str | None = None,
    registry: SchemaRegistry | None = None,
) -> ConverterPair:
    """Build the converter pair a config describes.

    Args:
        config: the converter settings.
        is_key: whether the pair converts keys (selects ``key.subject.name.strategy``).
        schema_str: Avro writer schema for the Avro serializers; for JSON it becomes the
            Connect schema of the envelope.
        registry: a registry client to share instead of creating one from the config.

    Returns:
        The (serializer, deserializer) pair.

    Raises:
        SerdeConfigError: unknown converter or invalid option (key relative to the prefix).
    """
    kind = _ALIASES.get(config.converter.strip())
    if kind is None:
        known = ", ".join(sorted(_FACTORIES))
        reason = f"unknown converter '{config.converter}'; short names: {known}"
        raise SerdeConfigError("converter", reason)
    _warn_inapplicable(config, kind)
    return _FACTORIES[kind](config, is_key=is_key, schema_str=schema_str, registry=registry)


def converters_from_properties(
    properties: Mapping[str, Any],
    prefix: str = "value.converter",
    *,
    schema_str: str | None = None,
    registry: SchemaRegistry | None = None,
) -> ConverterPair:
    """Build the pair configured by ``properties[prefix]`` and the ``<prefix>.*`` options.

    Args:
        properties: connector properties (``key.converter``, ``value.converter.*``...).
        prefix: ``key.converter`` or ``value.converter``; a prefix starting with ``key``
            builds a key converter.
        schema_str: Avro writer schema (see :func:`build_converter`).
        registry: a registry client to share instead of creating one.

    Returns:
        The (serializer, deserializer) pair.

    Raises:
        SerdeConfigError: naming the full property key that is missing or invalid.
    """
    config = converter_config_from_properties(properties, prefix)
    is_key = prefix.startswith("key")
    try:
        return build_converter(config, is_key=is_key, schema_str=schema_str, registry=registry)
    except SerdeConfigError as exc:
        key = prefix if exc.key == "converter" else f"{prefix}.{exc.key}"
        raise SerdeConfigError(key, exc.reason) from exc


def _warn_inapplicable(config: ConverterConfig, kind: str) -> None:
    """Log options that were set but mean nothing to this converter (Connect ignores them)."""
    ignored = config.model_fields_set - _OPTIONS_BY_KIND[kind] - {"converter"}
    for name in sorted(ignored):
        alias = ConverterConfig.model_fields[name].alias or name
        logger.warning("converter option %s does not apply to the %s converter", alias, kind)


def registry_from_config(config: ConverterConfig) -> RegistryClient:
    """Create a registry client from ``schema.registry.url`` and the basic-auth options.

    Raises:
        SerdeConfigError: the URL is missing or the credentials are malformed.
    """
    if not config.schema_registry_url:
        raise SerdeConfigError("schema.registry.url", "required by schema-registry converters")
    url, auth = config.schema_registry_url, None
    if config.basic_auth_credentials_source == "URL":
        url, auth = _split_url_credentials(url)
    elif config.basic_auth_user_info is not None:
        user, sep, password = config.basic_auth_user_info.get_secret_value().partition(":")
        if not sep:
            raise SerdeConfigError("basic.auth.user.info", "expected 'user:password'")
        auth = (user, password)
    return RegistryClient(url, auth=auth)


def _split_url_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """Move ``user:password@`` out of the URL into basic-auth credentials."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    netloc = parts.hostname or ""
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    bare = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return bare, (parts.username, parts.password or "")


def _avro(
    config: ConverterConfig,
    *,
    is_key: bool,
    schema_str: str | None,
    registry: SchemaRegistry | None,
) -> ConverterPair:
    """Confluent-framed Avro with the schema registry."""
    client = registry if registry is not None else registry_from_config(config)
    key = "key.subject.name.strategy" if is_key else "value.subject.name.strategy"
    name = config.key_subject_name_strategy if is_key else config.value_subject_name_strategy
    strategy = get_subject_name_strategy(name, key)
    serializer = None
    if schema_str is not None or config.use_latest_version:
        serializer = AvroSerializer(
            client,
            schema_str,
            subject_name_strategy=strategy,
            auto_register=config.auto_register_schemas,
            use_latest_version=config.use_latest_version,
            normalize=config.normalize_schemas,
        )
    return ConverterPair(serializer, AvroDeserializer(client))


def _avro_container(
    config: ConverterConfig,
    *,
    is_key: bool,
    schema_str: str | None,
    registry: SchemaRegistry | None,
) -> ConverterPair:
    """Self-describing Avro (one object container file per message)."""
    check_codec(config.codec)
    serializer = AvroContainerSerializer(schema_str, config.codec) if schema_str else None
    return ConverterPair(serializer, AvroContainerDeserializer())


def _json(
    config: ConverterConfig,
    *,
    is_key: bool,
    schema_str: str | None,
    registry: SchemaRegistry | None,
) -> ConverterPair:
    """JsonConverter-compatible JSON; an Avro schema becomes the envelope's Connect schema."""
    schema = connect_schema_from_avro(schema_str) if schema_str else None
    serializer = JsonSerializer(config.schemas_enable, schema, config.decimal_format)
    return ConverterPair(serializer, JsonDeserializer(config.schemas_cache_size))


def _string(
    config: ConverterConfig,
    *,
    is_key: bool,
    schema_str: str | None,
    registry: SchemaRegistry | None,
) -> ConverterPair:
    """Text in the configured encoding."""
    return ConverterPair(StringSerializer(config.encoding), StringDeserializer(config.encoding))


def _fixed(serializer: type, deserializer: type) -> ConverterFactory:
    """Factory for the option-less converters (bytes and big-endian numbers)."""

    def factory(
        config: ConverterConfig,
        *,
        is_key: bool,
        schema_str: str | None,
        registry: SchemaRegistry | None,
    ) -> ConverterPair:
        return ConverterPair(serializer(), deserializer())

    return factory


_REGISTRY_OPTIONS = (
    "schema_registry_url",
    "basic_auth_credentials_source",
    "basic_auth_user_info",
    "auto_register_schemas",
    "use_latest_version",
    "normalize_schemas",
    "key_subject_name_strategy",
    "value_subject_name_strategy",
)
_CONNECT = "org.apache.kafka.connect"

register_converter(
    "avro", _avro, ["io.confluent.connect.avro.AvroConverter"], options=_REGISTRY_OPTIONS
)
register_converter("avro-container", _avro_container, options=["codec"])
register_converter(
    "json",
    _json,
    [f"{_CONNECT}.json.JsonConverter"],
    options=["schemas_enable", "schemas_cache_size", "decimal_format"],
)
register_converter("string", _string, [f"{_CONNECT}.storage.StringConverter"], ["encoding"])
for _name, _ser, _de, _cls in (
    ("bytes", BytesSerializer, BytesDeserializer, "ByteArrayConverter"),
    ("short", ShortSerializer, ShortDeserializer, "ShortConverter"),
    ("int", IntegerSerializer, IntegerDeserializer, "IntegerConverter"),
    ("long", LongSerializer, LongDeserializer, "LongConverter"),
    ("float", FloatSerializer, FloatDeserializer, "FloatConverter"),
    ("double", DoubleSerializer, DoubleDeserializer, "DoubleConverter"),
):
    register_converter(_name, _fixed(_ser, _de), [f"{_CONNECT}.converters.{_cls}"])
