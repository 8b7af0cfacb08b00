"""AvroContainerSerializer / AvroContainerDeserializer: self-describing Avro messages."""

from __future__ import annotations

import io

import fastavro
import orjson
import pytest

from pipeway.serde import (
    AvroContainerDeserializer,
    AvroContainerSerializer,
    DeserializationError,
    SerdeConfigError,
    SerializationError,
)
from pipeway.serde.avro_container import check_codec

from .schemas import USER, USER_V1, USER_V2


def test_each_message_is_a_readable_container_file(value_ctx):
    data = AvroContainerSerializer(USER_V1)(USER, value_ctx)

    reader = fastavro.reader(io.BytesIO(data))

    assert data.startswith(b"Obj\x01")
    assert list(reader) == [USER]
    assert reader.writer_schema["name"] == "com.example.User"


def test_round_trip_and_tombstones(value_ctx):
    serializer, deserializer = AvroContainerSerializer(USER_V1), AvroContainerDeserializer()

    assert deserializer(serializer(USER, value_ctx), value_ctx) == USER
    assert serializer(None, value_ctx) is None
    assert deserializer(None, value_ctx) is None


def test_reads_files_written_by_fastavro_directly():
    buf = io.BytesIO()
    fastavro.writer(buf, fastavro.parse_schema(orjson.loads(USER_V1)), [USER], codec="deflate")

    assert AvroContainerDeserializer()(buf.getvalue()) == USER


@pytest.mark.parametrize("codec", ["null", "deflate", "bzip2", "xz"])
def test_codecs(codec: str, value_ctx):
    data = AvroContainerSerializer(USER_V1, codec=codec)(USER, value_ctx)

    assert fastavro.reader(io.BytesIO(data)).codec == codec
    assert AvroContainerDeserializer()(data, value_ctx) == USER


def test_reader_schema_resolution(value_ctx):
    data = AvroContainerSerializer(USER_V1)(USER, value_ctx)

    assert AvroContainerDeserializer(USER_V2)(data, value_ctx) == {**USER, "country": "NL"}


def test_metadata_is_written():
    data = AvroContainerSerializer(USER_V1, metadata={"producer": "pipeway"})(USER, None)

    assert fastavro.reader(io.BytesIO(data)).metadata["producer"] == "pipeway"


def test_unknown_codec():
    with pytest.raises(SerdeConfigError, match="unknown codec 'gzip'"):
        AvroContainerSerializer(USER_V1, codec="gzip")


def test_codec_without_library_is_reported_at_construction(monkeypatch):
    def missing(*args: object, **kwargs: object) -> None:
        raise ValueError("snappy codec is supported but you need to install cramjam")

    monkeypatch.setattr(fastavro, "writer", missing)

    with pytest.raises(SerdeConfigError, match="codec.*cramjam"):
        check_codec("snappy")


def test_mismatch_names_field(value_ctx):
    with pytest.raises(SerializationError) as err:
        AvroContainerSerializer(USER_V1)({"id": 1, "name": 7}, value_ctx)

    assert err.value.field_path == "com.example.User.name"
    assert err.value.topic == "users"


def test_not_a_container(value_ctx):
    with pytest.raises(DeserializationError, match="not an Avro object container"):
        AvroContainerDeserializer()(b"\x00\x00\x00\x00\x01\x02", value_ctx)


def test_corrupt_container(value_ctx):
    data = AvroContainerSerializer(USER_V1)(USER, value_ctx)

    with pytest.raises(DeserializationError, match="corrupt Avro container"):
        AvroContainerDeserializer()(data[: len(data) - 20], value_ctx)


def test_more_than_one_record_is_rejected(value_ctx):
    buf = io.BytesIO()
    fastavro.writer(buf, fastavro.parse_schema(orjson.loads(USER_V1)), [USER, USER])

    with pytest.raises(DeserializationError, match="exactly one record.*found 2"):
        AvroContainerDeserializer()(buf.getvalue(), value_ctx)
