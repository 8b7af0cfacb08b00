"""Source conversion caching and errors, sink decoding (in-memory registry, no Kafka)."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest

from pipeway.connect.api import SourceRecord
from pipeway.connect.runtime.conversion import SourceConverter, converter_properties, infer_schema
from pipeway.connect.runtime.exceptions import StageError
from pipeway.serde import AvroDeserializer, RegistryClient, SerializationContext

from ...serde.fake_registry import FakeRegistry
from .test_settings_policy import runtime_settings

SCHEMA = {"type": "record", "name": "Row", "fields": [{"name": "id", "type": "long"}]}


@pytest.fixture
def registry() -> Iterator[RegistryClient]:
    client = RegistryClient("http://registry.test", transport=FakeRegistry().transport())
    yield client
    client.close()


def record(value: object, key: object = "k", schema: object = SCHEMA) -> SourceRecord:
    return SourceRecord(
        topic="rows",
        key=key,
        value=value,
        value_schema=schema,  # type: ignore[arg-type]
        source_partition={"t": "rows"},
        source_offset={"id": 1},
    )


def test_converter_properties_merge_runtime_and_prefixed_keys() -> None:
    props = converter_properties(
        runtime_settings(**{"key.converter": "string"}),
        {"value.converter.auto.register.schemas": "false", "transforms.x.type": "y"},
    )
    assert props == {
        "key.converter": "string",
        "value.converter": "avro",
        "value.converter.auto.register.schemas": "false",
        "header.converter": "simple",
    }


def test_avro_round_trip_and_schema_cache_by_identity(registry: RegistryClient) -> None:
    converter = SourceConverter({"key.converter": "avro", "value.converter": "avro"}, registry)
    key, value = converter.convert(record({"id": 7}))
    decode = AvroDeserializer(registry)
    assert decode(value, SerializationContext("rows", "value")) == {"id": 7}
    assert decode(key, SerializationContext("rows", "key")) == "k"  # inferred "string"
    converter.convert(record({"id": 8}))
    converter.convert(record({"id": 9}, key=5))  # inferred "long", cached per type
    assert len(converter._cache) == 4  # value schema, schemaless key, "string", "long"


def test_equal_but_distinct_schema_objects_get_their_own_entry(registry: RegistryClient) -> None:
    converter = SourceConverter({"key.converter": "avro", "value.converter": "avro"}, registry)
    converter.convert(record({"id": 1}))
    converter.convert(record({"id": 1}, schema=orjson.loads(orjson.dumps(SCHEMA))))
    assert len([k for k in converter._cache if k[1] == "value"]) == 2


def test_value_not_matching_schema_is_a_value_converter_error(registry: RegistryClient) -> None:
    converter = SourceConverter({"key.converter": "avro", "value.converter": "avro"}, registry)
    with pytest.raises(StageError) as info:
        converter.convert(record({"id": "nope"}))
    assert info.value.stage == "VALUE_CONVERTER"
    assert info.value.executing_class.endswith("AvroSerializer")


def test_record_without_schema_needs_one_for_avro(registry: RegistryClient) -> None:
    converter = SourceConverter({"key.converter": "avro", "value.converter": "avro"}, registry)
    with pytest.raises(StageError, match="needs a schema"):
        converter.convert(record({"id": 1}, schema=None))


def test_json_converter_needs_no_schema() -> None:
    converter = SourceConverter(
        {
            "key.converter": "string",
            "value.converter": "json",
            "value.converter.schemas.enable": "false",
        },
        None,
    )
    key, value = converter.convert(record({"id": 1}, schema=None))
    assert key == b"k" and orjson.loads(value or b"") == {"id": 1}


def test_tombstones_stay_none(registry: RegistryClient) -> None:
    converter = SourceConverter({"key.converter": "avro", "value.converter": "avro"}, registry)
    assert converter.convert(record(None, key=None)) == (None, None)


def test_infer_schema() -> None:
    assert [infer_schema(v) for v in (True, 1, 1.5, "s", b"b")] == [
        "boolean",
        "long",
        "double",
        "string",
        "bytes",
    ]
    with pytest.raises(TypeError):
        infer_schema({"a": 1})
