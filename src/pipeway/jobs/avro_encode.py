"""Writing DataFrames to topics as Confluent-wire Avro, registering the derived schemas.

The value schema is derived from the DataFrame's schema (:mod:`pipeway.jobs.avro_schema`),
registered under ``<topic>-value`` when the write is planned, and every row is framed as
``0x00 + schema id + to_avro(row)`` in the JVM; the key likewise under ``<topic>-key``. So
confluent-kafka's ``AvroDeserializer``, Kafka Connect's ``AvroConverter`` and pipeway's own
readers decode the output like any producer's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.avro.functions import to_avro
from pyspark.sql.streaming import DataStreamWriter

from pipeway.jobs.avro_schema import (
    TimestampPrecision,
    avro_schema_for,
    record_fullname,
    schema_json,
)
from pipeway.jobs.exceptions import JobsConfigError
from pipeway.jobs.kafka_sink import kafka_batch_write, kafka_stream_writer
from pipeway.jobs.registry import registry_client, subject_for
from pipeway.jobs.settings import KafkaSettings
from pipeway.serde import RegistryClient
from pipeway.serde.wire_format import encode_header

KeySpec = str | Sequence[str] | None
KeyEncoding = Literal["avro", "string"]


@dataclass(frozen=True)
class EncodedTopic:
    """Rows ready for Spark's Kafka sink (``key``, ``value`` bytes) and what was registered."""

    topic: str
    frame: DataFrame
    value_schema_id: int
    key_schema_id: int | None


def encode_avro(
    df: DataFrame,
    topic: str,
    registry: RegistryClient,
    *,
    key: KeySpec = None,
    key_encoding: KeyEncoding = "avro",
    value_columns: Sequence[str] | None = None,
    timestamps: TimestampPrecision = "millis",
) -> EncodedTopic:
    """Frame ``df`` as Confluent Avro for ``topic``, registering its schemas.

    Args:
        key: column(s) making the record key: one column gives its own type as key schema
            (``"string"``, ``"long"``, a record for a struct), several give a record
            ``<topic>.Key``; ``None`` writes null keys.
        key_encoding: ``avro`` (registered under ``<topic>-key``) or ``string`` (UTF-8 text,
            what ``StringSerializer`` writes; no registration).
        value_columns: the columns of the value record (default: all, keys included).
        timestamps: ``millis`` (Kafka Connect's Timestamp) or ``micros`` (lossless).

    Raises:
        UnsupportedSchemaError: a column has no Avro equivalent or an invalid name.
        IncompatibleSchemaError: the subject's compatibility rules refuse the schema.
    """
    value_cols = list(value_columns or df.columns)
    value_struct = F.struct(*[F.col(c) for c in value_cols])
    value_type = df.select(value_struct.alias("v")).schema["v"].dataType
    value_schema = avro_schema_for(value_type, record_fullname(topic, "Value"), False, timestamps)
    value_text = schema_json(value_schema)
    value_id = registry.register(subject_for(topic, "value"), value_text)
    value = F.concat(F.lit(encode_header(value_id)), to_avro(value_struct, value_text))

    key_col, key_id = _encode_key(df, topic, registry, key, key_encoding, timestamps)
    return EncodedTopic(
        topic, df.select(key_col.alias("key"), value.alias("value")), value_id, key_id
    )


def write_avro_batch(
    df: DataFrame,
    topic: str,
    kafka: KafkaSettings,
    registry: RegistryClient | None = None,
    *,
    key: KeySpec = None,
    key_encoding: KeyEncoding = "avro",
    value_columns: Sequence[str] | None = None,
    timestamps: TimestampPrecision = "millis",
) -> EncodedTopic:
    """Encode a batch DataFrame (:func:`encode_avro`) and write it to ``topic`` now."""
    encoded = encode_avro(
        df,
        topic,
        registry_client(kafka, registry),
        key=key,
        key_encoding=key_encoding,
        value_columns=value_columns,
        timestamps=timestamps,
    )
    kafka_batch_write(encoded.frame, topic, kafka)
    return encoded


def write_avro_stream(
    df: DataFrame,
    topic: str,
    kafka: KafkaSettings,
    registry: RegistryClient | None = None,
    *,
    key: KeySpec = None,
    key_encoding: KeyEncoding = "avro",
    value_columns: Sequence[str] | None = None,
    timestamps: TimestampPrecision = "millis",
    checkpoint_location: str | None = None,
    query_name: str | None = None,
) -> DataStreamWriter:
    """A not-yet-started stream writer of ``df`` to ``topic`` as Confluent Avro.

    The caller chooses the trigger and output mode and starts it::

        write_avro_stream(counts, "tv.channel_minute", kafka, key="channel_id",
                          checkpoint_location=str(ckpt)).outputMode("update").start()
    """
    encoded = encode_avro(
        df,
        topic,
        registry_client(kafka, registry),
        key=key,
        key_encoding=key_encoding,
        value_columns=value_columns,
        timestamps=timestamps,
    )
    return kafka_stream_writer(encoded.frame, topic, kafka, checkpoint_location, query_name)


def _encode_key(
    df: DataFrame,
    topic: str,
    registry: RegistryClient,
    key: KeySpec,
    encoding: KeyEncoding,
    timestamps: TimestampPrecision,
) -> tuple[Column, int | None]:
    if key is None:
        return F.lit(None).cast("binary"), None
    names = [key] if isinstance(key, str) else list(key)
    if not names:
        raise JobsConfigError("key= needs at least one column name, or None for null keys")
    column = F.col(names[0]) if len(names) == 1 else F.struct(*[F.col(n) for n in names])
    if encoding == "string":
        return column.cast("string").cast("binary"), None
    if encoding != "avro":
        raise JobsConfigError(f"key_encoding must be avro or string, not {encoding!r}")
    field = df.select(column.alias("k")).schema["k"]
    schema = avro_schema_for(
        field.dataType, record_fullname(topic, "Key"), field.nullable, timestamps
    )
    text = schema_json(schema)
    key_id = registry.register(subject_for(topic, "key"), text)
    framed = F.concat(F.lit(encode_header(key_id)), to_avro(column, text))
    return F.when(column.isNull(), F.lit(None).cast("binary")).otherwise(framed), key_id
