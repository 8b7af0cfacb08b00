"""Decoding Confluent-wire Avro in Spark, with every writer version into the latest schema.

Design: the driver fetches the subject's versions when the query is planned. In the JVM, each
row's 5-byte header is split off and a ``CASE WHEN schema_id = …`` picks the
``from_avro(payload, writer_schema, {"avroSchema": latest, "mode": "PERMISSIVE"})`` branch of
its writer, so Avro schema resolution maps every version onto the reader schema and no row
leaves the JVM. A row whose header is wrong, whose id is not a known version, whose writer
lacks a field the reader requires, whose payload does not decode, or that misses a required
field gets a dead letter reason instead (see :class:`pipeway.jobs.decoded.DecodedTopic`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.avro.functions import from_avro

from pipeway.jobs.avro_schema import is_nullable, missing_required_fields, schema_json
from pipeway.jobs.decoded import (
    BinaryDecoder,
    ColumnDecoder,
    DecodedTopic,
    StringDecoder,
    assemble,
)
from pipeway.jobs.exceptions import JobsConfigError
from pipeway.jobs.kafka_source import read_kafka
from pipeway.jobs.registry import (
    SubjectSchemas,
    fetch_subject,
    registry_client,
    subject_exists,
    subject_for,
)
from pipeway.jobs.settings import KafkaSettings
from pipeway.serde import RegistryClient
from pipeway.serde.wire_format import HEADER_SIZE, MAGIC_BYTE

KeyFormat = Literal["auto", "avro", "string", "binary"]
DECODED_MARK = "__pipeway_decoded"
"""A reader-only field (default true) added to record schemas: Spark's PERMISSIVE from_avro
returns a record of nulls on failure, so a null mark is how a failed row is told apart from a
record whose fields are all null."""
_REST = 2**31 - 1


def framed_schema_id(raw: Column) -> Column:
    """The schema id of a Confluent-framed value; null when it is too short or not magic 0."""
    framed = (F.length(raw) >= HEADER_SIZE) & (
        F.substring(raw, 1, 1) == F.lit(bytearray([MAGIC_BYTE]))
    )
    return F.when(framed, schema_id(raw))


def magic_byte(raw: Column) -> Column:
    """The first byte of a framed value, as an int."""
    return F.conv(F.hex(F.substring(raw, 1, 1)), 16, 10).cast("int")


def schema_id(raw: Column) -> Column:
    """The 4-byte big-endian schema id after the magic byte, as a long."""
    return F.conv(F.hex(F.substring(raw, 2, 4)), 16, 10).cast("long")


def avro_payload(raw: Column) -> Column:
    """The Avro body after the 5-byte header."""
    return F.substring(raw, HEADER_SIZE + 1, _REST)


def missing_fields_reason(decoded: Column, required: Sequence[str]) -> Column | None:
    """``missing required field(s): a, b`` when any of ``required`` is null, else null."""
    if not required:
        return None
    nulls = [decoded.getField(name).isNull() for name in required]
    names = F.concat_ws(
        ", ", *[F.when(n, F.lit(name)) for n, name in zip(nulls, required, strict=True)]
    )
    any_null = nulls[0]
    for n in nulls[1:]:
        any_null = any_null | n
    return F.when(any_null, F.concat(F.lit("missing required field(s): "), names))


class AvroDecoder:
    """Decodes one part (key or value) of a topic written under ``schemas.subject``."""

    def __init__(self, schemas: SubjectSchemas, required: Sequence[str] = ()) -> None:
        self.schemas = schemas
        self.required = tuple(required)
        reader = schemas.reader_schema
        self._lacking = {
            i: missing_required_fields(schemas.writer_schema(i), reader) for i in schemas.writers
        }
        self._usable = sorted(i for i, lacking in self._lacking.items() if not lacking)
        self._reader_nullable = is_nullable(reader)
        self._marked = isinstance(reader, dict) and reader.get("type") == "record"
        if self._marked:
            assert isinstance(reader, dict)
            mark = {"name": DECODED_MARK, "type": "boolean", "default": True}
            reader = {**reader, "fields": [*reader["fields"], mark]}
        self._reader_text = schema_json(reader)

    def prepare(self, raw: Column) -> Column:
        return framed_schema_id(raw)

    def decode(self, raw: Column, prepared: Column) -> Column:
        options = {"avroSchema": self._reader_text, "mode": "PERMISSIVE"}
        payload, sid = avro_payload(raw), prepared
        first, *rest = self._usable  # the latest version is always usable
        branches = F.when(sid == first, from_avro(payload, self.schemas.writers[first], options))
        for i in rest:
            branches = branches.when(sid == i, from_avro(payload, self.schemas.writers[i], options))
        return branches

    def reason(self, raw: Column, decoded: Column, prepared: Column) -> Column:
        subject, sid = self.schemas.subject, prepared
        known = sorted(self.schemas.writers)
        out = (
            F.when(raw.isNull(), F.lit(None))
            .when(
                sid.isNull() & (F.length(raw) < HEADER_SIZE),
                F.lit(f"shorter than the {HEADER_SIZE}-byte Confluent wire format header"),
            )
            .when(
                sid.isNull(),
                F.concat(
                    F.lit("magic byte "),
                    magic_byte(raw).cast("string"),
                    F.lit(" is not 0: not Confluent wire format"),
                ),
            )
            .when(
                ~sid.isin(known),
                F.concat(
                    F.lit("unknown schema id "),
                    sid.cast("string"),
                    F.lit(
                        f": not a version of subject '{subject}' when the query started "
                        f"(known ids {known}); restart the query after registering new versions"
                    ),
                ),
            )
        )
        for i, lacking in sorted(self._lacking.items()):
            if lacking:
                out = out.when(sid == i, F.lit(self._lacking_reason(i, lacking)))
        failed = decoded.getField(DECODED_MARK).isNull() if self._marked else decoded.isNull()
        if self._marked or not self._reader_nullable:
            out = out.when(
                failed,
                F.concat(
                    F.lit("payload does not decode as Avro written with schema id "),
                    sid.cast("string"),
                ),
            )
        missing = missing_fields_reason(decoded, self.required)
        if missing is not None:
            out = out.when(missing.isNotNull(), missing)
        return out.cast("string")

    def finish(self, decoded: Column) -> Column:
        return decoded.dropFields(DECODED_MARK) if self._marked else decoded

    def _lacking_reason(self, writer_id: int, lacking: list[str]) -> str:
        reader = self.schemas.reader
        return (
            f"missing required field(s): {', '.join(lacking)} (writer schema id {writer_id} "
            f"has none and the reader schema id {reader.id}, version {reader.version} of "
            f"'{self.schemas.subject}', gives no default)"
        )


def key_decoder(
    topic: str, key_format: KeyFormat, registry: RegistryClient | None
) -> ColumnDecoder:
    """The decoder of ``topic``'s keys; ``auto`` is Avro when ``<topic>-key`` is registered.

    Raises:
        JobsConfigError: ``avro`` without a registry, or an unknown format.
    """
    subject = subject_for(topic, "key")
    if key_format == "auto":
        use_avro = registry is not None and subject_exists(registry, subject)
        key_format = "avro" if use_avro else "binary"
    if key_format == "avro":
        if registry is None:
            raise JobsConfigError("key_format='avro' needs a schema registry")
        return AvroDecoder(fetch_subject(registry, subject))
    if key_format == "string":
        return StringDecoder()
    if key_format == "binary":
        return BinaryDecoder()
    raise JobsConfigError(f"key_format must be auto, avro, string or binary, not {key_format!r}")


def decode_avro(
    raw: DataFrame,
    topic: str,
    registry: RegistryClient,
    *,
    key_format: KeyFormat = "auto",
    required: Sequence[str] = (),
    value_subject: str | None = None,
) -> DecodedTopic:
    """Decode a raw Kafka frame (from :func:`read_kafka`) of a Confluent-Avro topic.

    Args:
        required: value fields that must not be null (beyond what the schema enforces);
            rows where one is null become dead letters.
        value_subject: the value subject when it is not ``<topic>-value``.
    """
    value = AvroDecoder(
        fetch_subject(registry, value_subject or subject_for(topic, "value")), required
    )
    key = key_decoder(topic, key_format, registry)
    return DecodedTopic(topic, assemble(raw, key, value))


def read_avro(
    spark: SparkSession,
    topic: str,
    kafka: KafkaSettings,
    registry: RegistryClient | None = None,
    *,
    streaming: bool = True,
    key_format: KeyFormat = "auto",
    required: Sequence[str] = (),
    starting_offsets: str = "earliest",
    options: Mapping[str, str] | None = None,
) -> DecodedTopic:
    """Read a Confluent-Avro topic decoded into its latest registered value schema.

    Example::

        decoded = read_avro(spark, "tv.actions", kafka)
        actions = decoded.values()                 # one column per Avro field
        dead = decoded.dead_letters()              # bytes, metadata, reason, stage
    """
    client = registry_client(kafka, registry)
    raw = read_kafka(
        spark,
        topic,
        kafka,
        streaming=streaming,
        starting_offsets=starting_offsets,
        options=options,
    )
    return decode_avro(raw, topic, client, key_format=key_format, required=required)
