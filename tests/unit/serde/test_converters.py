"""Converter registry and config: Kafka Connect names and options → serde pairs."""

from __future__ import annotations

import logging

import orjson
import pytest

from pipeway.errors import ConfigError
from pipeway.serde import (
    AvroContainerDeserializer,
    AvroContainerSerializer,
    AvroDeserializer,
    AvroSerializer,
    BytesDeserializer,
    ConverterConfig,
    ConverterPair,
    IntegerSerializer,
    JsonDeserializer,
    JsonSerializer,
    RegistryClient,
    SerdeConfigError,
    SerializationContext,
    StringDeserializer,
    StringSerializer,
    available_converters,
    build_converter,
    converter_config_from_properties,
    converters,
    converters_from_properties,
    register_converter,
    registry_from_config,
)

from .fake_registry import FakeRegistry
from .schemas import USER, USER_V1

URL = "http://registry.test:8081"


@pytest.mark.parametrize(
    ("name", "serializer", "deserializer"),
    [
        ("org.apache.kafka.connect.json.JsonConverter", JsonSerializer, JsonDeserializer),
        ("json", JsonSerializer, JsonDeserializer),
        ("org.apache.kafka.connect.storage.StringConverter", StringSerializer, StringDeserializer),
        ("string", StringSerializer, StringDeserializer),
        ("org.apache.kafka.connect.converters.ByteArrayConverter", type(None), BytesDeserializer),
        ("org.apache.kafka.connect.converters.IntegerConverter", IntegerSerializer, object),
    ],
)
def test_connect_class_and_short_names(name, serializer, deserializer):
    pair = converters_from_properties({"value.converter": name})

    assert isinstance(pair, ConverterPair)
    if serializer is not type(None):
        assert isinstance(pair.serializer, serializer)
    assert isinstance(pair.deserializer, deserializer)


def test_avro_converter_with_shared_registry(registry: RegistryClient, fake_registry, value_ctx):
    props = {
        "value.converter": "io.confluent.connect.avro.AvroConverter",
        "value.converter.schema.registry.url": URL,
    }

    serializer, deserializer = converters_from_properties(
        props, schema_str=USER_V1, registry=registry
    )

    assert isinstance(serializer, AvroSerializer)
    assert isinstance(deserializer, AvroDeserializer)
    assert deserializer(serializer(USER, value_ctx), value_ctx) == USER
    assert list(fake_registry.subjects) == ["users-value"]


def test_avro_key_converter_uses_key_strategy(registry: RegistryClient, fake_registry):
    props = {
        "key.converter": "avro",
        "key.converter.schema.registry.url": URL,
        "key.converter.key.subject.name.strategy": "RecordNameStrategy",
        "key.converter.value.subject.name.strategy": "TopicRecordNameStrategy",
    }
    serializer, _ = converters_from_properties(
        props, "key.converter", schema_str=USER_V1, registry=registry
    )
    assert serializer is not None

    serializer(USER, SerializationContext("users", "key"))

    assert list(fake_registry.subjects) == ["com.example.User"]


def test_avro_options_reach_the_serializer(registry: RegistryClient, fake_registry, value_ctx):
    fake_registry.register_direct("users-value", USER_V1)
    props = {
        "value.converter": "avro",
        "value.converter.schema.registry.url": URL,
        "value.converter.auto.register.schemas": "false",
        "value.converter.use.latest.version": "true",
    }

    serializer, _ = converters_from_properties(props, registry=registry)
    assert serializer is not None
    serializer(USER, value_ctx)

    assert [r.method for r in fake_registry.requests] == ["GET"]  # latest, no register


def test_avro_without_schema_is_read_only(registry: RegistryClient):
    props = {"value.converter": "avro", "value.converter.schema.registry.url": URL}

    pair = converters_from_properties(props, registry=registry)

    assert pair.serializer is None
    assert isinstance(pair.deserializer, AvroDeserializer)


def test_avro_creates_registry_client_from_url():
    props = {"value.converter": "avro", "value.converter.schema.registry.url": URL}

    pair = converters_from_properties(props)

    assert isinstance(pair.deserializer._registry, RegistryClient)  # type: ignore[attr-defined]
    assert pair.deserializer._registry.url == URL  # type: ignore[attr-defined]


def test_avro_requires_registry_url():
    with pytest.raises(SerdeConfigError) as err:
        converters_from_properties({"value.converter": "avro"})

    assert err.value.key == "value.converter.schema.registry.url"


def test_bad_registry_url_names_prefixed_key():
    props = {"value.converter": "avro", "value.converter.schema.registry.url": "registry:8081"}

    with pytest.raises(SerdeConfigError) as err:
        converters_from_properties(props)

    assert err.value.key == "value.converter.schema.registry.url"


def test_unknown_strategy_names_prefixed_key(registry: RegistryClient):
    props = {
        "value.converter": "avro",
        "value.converter.value.subject.name.strategy": "Nope",
    }

    with pytest.raises(SerdeConfigError) as err:
        converters_from_properties(props, registry=registry)

    assert err.value.key == "value.converter.value.subject.name.strategy"


class _RecordingClient:
    def __init__(self, url: str, *, auth: tuple[str, str] | None = None) -> None:
        self.url, self.auth = url, auth


def test_basic_auth_user_info(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(converters, "RegistryClient", _RecordingClient)
    config = ConverterConfig.model_validate(
        {"converter": "avro", "schema.registry.url": URL, "basic.auth.user.info": "u:p:w"}
    )

    client = registry_from_config(config)

    assert (client.url, client.auth) == (URL, ("u", "p:w"))


def test_basic_auth_from_url(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(converters, "RegistryClient", _RecordingClient)
    config = ConverterConfig.model_validate(
        {
            "converter": "avro",
            "schema.registry.url": "https://alice:secret@registry.test:8443/sr",
            "basic.auth.credentials.source": "URL",
        }
    )

    client = registry_from_config(config)

    assert (client.url, client.auth) == ("https://registry.test:8443/sr", ("alice", "secret"))


def test_user_info_is_secret():
    config = ConverterConfig.model_validate(
        {"converter": "avro", "basic.auth.user.info": "u:hunter2"}
    )

    assert "hunter2" not in repr(config)


def test_malformed_user_info_is_not_echoed():
    props = {
        "value.converter": "avro",
        "value.converter.schema.registry.url": URL,
        "value.converter.basic.auth.user.info": "no-colon-secret",
    }

    with pytest.raises(SerdeConfigError) as err:
        converters_from_properties(props)

    assert err.value.key == "value.converter.basic.auth.user.info"
    assert "no-colon-secret" not in str(err.value)


def test_json_converter_options(value_ctx):
    props = {
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
        "value.converter.decimal.format": "NUMERIC",
        "value.converter.schemas.cache.size": "10",
    }

    serializer, deserializer = converters_from_properties(props, schema_str=USER_V1)
    assert serializer is not None
    data = serializer(USER, value_ctx)

    assert orjson.loads(data) == USER
    assert deserializer(data, value_ctx) == USER


def test_json_converter_envelope_from_avro_schema(value_ctx):
    serializer, _ = converters_from_properties({"value.converter": "json"}, schema_str=USER_V1)
    assert serializer is not None

    envelope = orjson.loads(serializer(USER, value_ctx))

    assert envelope["schema"]["name"] == "com.example.User"
    assert envelope["payload"] == USER


def test_string_converter_encoding(value_ctx):
    for key in ("encoding", "converter.encoding"):
        props = {"key.converter": "string", f"key.converter.{key}": "latin-1"}
        serializer, deserializer = converters_from_properties(props, "key.converter")
        assert serializer is not None

        assert serializer("é", value_ctx) == b"\xe9"
        assert deserializer(b"\xe9", value_ctx) == "é"


def test_avro_container_converter(value_ctx):
    props = {"value.converter": "avro-container", "value.converter.codec": "deflate"}

    serializer, deserializer = converters_from_properties(props, schema_str=USER_V1)

    assert isinstance(serializer, AvroContainerSerializer)
    assert isinstance(deserializer, AvroContainerDeserializer)
    assert deserializer(serializer(USER, value_ctx), value_ctx) == USER


def test_avro_container_bad_codec():
    props = {"value.converter": "avro-container", "value.converter.codec": "rar"}

    with pytest.raises(SerdeConfigError) as err:
        converters_from_properties(props)

    assert err.value.key == "value.converter.codec"


def test_missing_converter_key():
    with pytest.raises(ConfigError) as err:
        converters_from_properties({"value.converter.schemas.enable": "true"})

    assert err.value.key == "value.converter"  # type: ignore[attr-defined]


def test_unknown_converter_name():
    with pytest.raises(SerdeConfigError, match="unknown converter 'com.acme.Magic'") as err:
        converters_from_properties({"value.converter": "com.acme.Magic"})

    assert err.value.key == "value.converter"
    assert "avro" in err.value.reason


def test_unknown_option_names_full_key():
    props = {"value.converter": "json", "value.converter.schemas.enabled": "true"}

    with pytest.raises(SerdeConfigError) as err:
        converters_from_properties(props)

    assert err.value.key == "value.converter.schemas.enabled"
    assert "unknown converter option" in str(err.value)


def test_invalid_option_value_names_full_key():
    props = {"value.converter": "json", "value.converter.schemas.enable": "maybe"}

    with pytest.raises(SerdeConfigError) as err:
        converters_from_properties(props)

    assert err.value.key == "value.converter.schemas.enable"
    assert "'maybe'" in str(err.value)


def test_other_prefixes_are_ignored():
    props = {
        "value.converter": "json",
        "key.converter": "string",
        "key.converter.encoding": "latin-1",
        "value.converter.schemas.enable": "false",
        "topics": "orders",
    }

    value_config = converter_config_from_properties(props, "value.converter")
    key_config = converter_config_from_properties(props, "key.converter")

    assert (value_config.converter, value_config.schemas_enable) == ("json", False)
    assert (key_config.converter, key_config.encoding) == ("string", "latin-1")


def test_inapplicable_option_only_warns(caplog: pytest.LogCaptureFixture):
    props = {"value.converter": "string", "value.converter.schemas.enable": "false"}

    with caplog.at_level(logging.WARNING, logger="pipeway.serde.converters"):
        pair = converters_from_properties(props)

    assert isinstance(pair.serializer, StringSerializer)
    assert "schemas.enable does not apply to the string converter" in caplog.text


def test_config_model_by_field_name():
    config = ConverterConfig(converter="json", schemas_enable=False)

    pair = build_converter(config, is_key=False)

    assert isinstance(pair.serializer, JsonSerializer)


def test_available_converters_lists_names():
    names = available_converters()

    for expected in (
        "avro",
        "avro-container",
        "json",
        "string",
        "bytes",
        "io.confluent.connect.avro.AvroConverter",
        "org.apache.kafka.connect.json.JsonConverter",
        "org.apache.kafka.connect.storage.StringConverter",
        "org.apache.kafka.connect.converters.ByteArrayConverter",
        "org.apache.kafka.connect.converters.LongConverter",
    ):
        assert expected in names


def test_register_converter_extends_the_registry(monkeypatch: pytest.MonkeyPatch):
    for table in ("_FACTORIES", "_ALIASES", "_OPTIONS_BY_KIND"):
        monkeypatch.setattr(converters, table, dict(getattr(converters, table)))

    def factory(config, *, is_key, schema_str, registry):
        return ConverterPair(StringSerializer(), StringDeserializer())

    register_converter("test-upper", factory, ["com.example.UpperConverter"])

    pair = converters_from_properties({"value.converter": "com.example.UpperConverter"})

    assert isinstance(pair.serializer, StringSerializer)


def test_fake_registry_is_not_needed_for_non_registry_converters(fake_registry: FakeRegistry):
    converters_from_properties({"value.converter": "json"})

    assert fake_registry.requests == []
