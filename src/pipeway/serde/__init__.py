"""Converters between Python objects and Kafka bytes, shared by every pipeway component.

Serializers are callables ``(obj, ctx) -> bytes | None`` and deserializers
``(data, ctx) -> object`` (confluent-kafka's convention); ``None`` passes through both.

- :class:`AvroSerializer` / :class:`AvroDeserializer`: Avro in Confluent wire format with
  a schema registry (:class:`RegistryClient`).
- :class:`AvroContainerSerializer` / :class:`AvroContainerDeserializer`: self-describing Avro.
- :class:`JsonSerializer` / :class:`JsonDeserializer`: Kafka Connect JsonConverter JSON.
- :mod:`pipeway.serde.primitive`: strings, bytes and big-endian numbers.
- :func:`converters_from_properties`: build any of them from Kafka Connect converter config.
"""

from pipeway.serde.avro_confluent import AvroDeserializer, AvroSerializer
from pipeway.serde.avro_container import AvroContainerDeserializer, AvroContainerSerializer
from pipeway.serde.base import Deserializer, MessageField, SerializationContext, Serializer
from pipeway.serde.connect_schema import ConnectSchema, connect_schema_from_avro
from pipeway.serde.converter_config import ConverterConfig, converter_config_from_properties
from pipeway.serde.converters import (
    ConverterPair,
    available_converters,
    build_converter,
    converters_from_properties,
    register_converter,
    registry_from_config,
)
from pipeway.serde.exceptions import (
    ConnectDataError,
    DeserializationError,
    IncompatibleSchemaError,
    InvalidSchemaError,
    RegistryAuthError,
    RegistryServerError,
    RegistryUnavailableError,
    SchemaConversionError,
    SchemaNotFoundError,
    SchemaParseError,
    SchemaRegistryError,
    SerdeConfigError,
    SerdeError,
    SerializationError,
    SubjectNotFoundError,
    UnknownSchemaIdError,
    VersionNotFoundError,
    WireFormatError,
)
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
from pipeway.serde.registry_models import (
    CompatibilityResult,
    RegisteredSchema,
    SchemaReference,
    SchemaRegistry,
)
from pipeway.serde.subject import (
    SubjectNameStrategy,
    get_subject_name_strategy,
    record_name_strategy,
    topic_name_strategy,
    topic_record_name_strategy,
)

__all__ = [
    "AvroContainerDeserializer",
    "AvroContainerSerializer",
    "AvroDeserializer",
    "AvroSerializer",
    "BytesDeserializer",
    "BytesSerializer",
    "CompatibilityResult",
    "ConnectDataError",
    "ConnectSchema",
    "ConverterConfig",
    "ConverterPair",
    "DeserializationError",
    "Deserializer",
    "DoubleDeserializer",
    "DoubleSerializer",
    "FloatDeserializer",
    "FloatSerializer",
    "IncompatibleSchemaError",
    "IntegerDeserializer",
    "IntegerSerializer",
    "InvalidSchemaError",
    "JsonDeserializer",
    "JsonSerializer",
    "LongDeserializer",
    "LongSerializer",
    "MessageField",
    "RegisteredSchema",
    "RegistryAuthError",
    "RegistryClient",
    "RegistryServerError",
    "RegistryUnavailableError",
    "SchemaConversionError",
    "SchemaNotFoundError",
    "SchemaParseError",
    "SchemaReference",
    "SchemaRegistry",
    "SchemaRegistryError",
    "SerdeConfigError",
    "SerdeError",
    "SerializationContext",
    "SerializationError",
    "Serializer",
    "ShortDeserializer",
    "ShortSerializer",
    "StringDeserializer",
    "StringSerializer",
    "SubjectNameStrategy",
    "SubjectNotFoundError",
    "UnknownSchemaIdError",
    "VersionNotFoundError",
    "WireFormatError",
    "available_converters",
    "build_converter",
    "connect_schema_from_avro",
    "converter_config_from_properties",
    "converters_from_properties",
    "get_subject_name_strategy",
    "record_name_strategy",
    "register_converter",
    "registry_from_config",
    "topic_name_strategy",
    "topic_record_name_strategy",
]
