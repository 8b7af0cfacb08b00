"""Reading JSON topics with a given schema (StructType or DDL) or one inferred from a sample."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from confluent_kafka import Consumer, TopicPartition
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from pipeway.jobs.avro_decode import KeyFormat, key_decoder, missing_fields_reason
from pipeway.jobs.decoded import DecodedTopic, assemble
from pipeway.jobs.exceptions import TopicSchemaError
from pipeway.jobs.kafka_source import read_kafka
from pipeway.jobs.settings import KafkaSettings
from pipeway.serde import RegistryClient

CORRUPT = "__pipeway_corrupt"
JsonSchema = T.StructType | str


class JsonDecoder:
    """Parses UTF-8 JSON objects with ``schema``; malformed or wrong-typed rows are dead letters.

    ``required`` fields (default: the schema's non-nullable ones, e.g. ``id LONG NOT NULL``
    in DDL) must be present and not null.
    """

    def __init__(self, schema: JsonSchema, required: Sequence[str] | None = None) -> None:
        self.schema = parse_schema(schema)
        if CORRUPT in self.schema.fieldNames():
            raise TopicSchemaError("json", f"the field name {CORRUPT} is reserved")
        declared = [f.name for f in self.schema.fields if not f.nullable]
        self.required = tuple(dict.fromkeys([*declared, *(required or ())]))
        self._parse_schema = T.StructType(
            [f.__class__(f.name, f.dataType, True) for f in self.schema.fields]
            + [T.StructField(CORRUPT, T.StringType(), True)]
        )

    def prepare(self, raw: Column) -> Column:
        return F.lit(None)

    def decode(self, raw: Column, prepared: Column) -> Column:
        options = {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": CORRUPT}
        return F.from_json(raw.cast("string"), self._parse_schema, options)

    def reason(self, raw: Column, decoded: Column, prepared: Column) -> Column:
        out = (
            F.when(raw.isNull(), F.lit(None))
            .when(decoded.isNull(), F.lit("not a JSON object"))
            .when(
                decoded.getField(CORRUPT).isNotNull(),
                F.lit("malformed JSON, or a field whose type does not match the schema"),
            )
        )
        missing = missing_fields_reason(decoded, self.required)
        if missing is not None:
            out = out.when(missing.isNotNull(), missing)
        return out.cast("string")

    def finish(self, decoded: Column) -> Column:
        return decoded.dropFields(CORRUPT)


def parse_schema(schema: JsonSchema) -> T.StructType:
    """A StructType from itself or from DDL (``"id LONG NOT NULL, name STRING"``)."""
    if isinstance(schema, T.StructType):
        return schema
    parsed = T._parse_datatype_string(schema)
    if not isinstance(parsed, T.StructType):
        raise TopicSchemaError("json", f"schema {schema!r} is not a struct (list its fields)")
    return parsed


def decode_json(
    raw: DataFrame,
    topic: str,
    schema: JsonSchema,
    *,
    key_format: KeyFormat = "string",
    registry: RegistryClient | None = None,
    required: Sequence[str] | None = None,
) -> DecodedTopic:
    """Decode a raw Kafka frame of a JSON topic (values are JSON objects)."""
    key = key_decoder(topic, key_format, registry)
    return DecodedTopic(topic, assemble(raw, key, JsonDecoder(schema, required)))


def read_json(
    spark: SparkSession,
    topic: str,
    kafka: KafkaSettings,
    schema: JsonSchema | None = None,
    *,
    streaming: bool = True,
    key_format: KeyFormat = "string",
    registry: RegistryClient | None = None,
    required: Sequence[str] | None = None,
    sample_size: int = 1000,
    starting_offsets: str = "earliest",
    options: Mapping[str, str] | None = None,
) -> DecodedTopic:
    """Read a JSON topic; without ``schema`` it is inferred from the first ``sample_size``
    records of each partition (so it is fixed for the query's life, as Spark requires)."""
    if schema is None:
        schema = infer_json_schema(spark, topic, kafka, sample_size)
    raw = read_kafka(
        spark,
        topic,
        kafka,
        streaming=streaming,
        starting_offsets=starting_offsets,
        options=options,
    )
    return decode_json(
        raw, topic, schema, key_format=key_format, registry=registry, required=required
    )


def infer_json_schema(
    spark: SparkSession, topic: str, kafka: KafkaSettings, sample_size: int = 1000
) -> T.StructType:
    """The schema Spark infers from up to ``sample_size`` records per partition of ``topic``.

    Raises:
        TopicSchemaError: the topic is empty or holds no JSON object to learn from.
    """
    start, end = _sample_offsets(topic, kafka, sample_size)
    if not end:
        raise TopicSchemaError(topic, "the topic has no records to infer a JSON schema from")
    sample = read_kafka(
        spark,
        topic,
        kafka,
        streaming=False,
        starting_offsets=json.dumps({topic: start}),
        options={"endingOffsets": json.dumps({topic: end})},
    )
    texts = [r[0] for r in sample.select(F.col("value").cast("string")).collect() if r[0]]
    inferred = spark.read.json(spark.sparkContext.parallelize(texts)).schema if texts else None
    fields = [f for f in (inferred.fields if inferred else []) if f.name != "_corrupt_record"]
    if not fields:
        raise TopicSchemaError(topic, "no JSON object found in the sample; pass schema=")
    return T.StructType(fields)


def _sample_offsets(
    topic: str, kafka: KafkaSettings, sample_size: int
) -> tuple[dict[str, int], dict[str, int]]:
    """Per-partition ``[low, min(high, low + sample_size))`` of the non-empty partitions."""
    consumer = Consumer(
        {"bootstrap.servers": kafka.bootstrap_servers, "group.id": "pipeway-jobs-json-sample"}
    )
    try:
        meta = consumer.list_topics(topic, timeout=10).topics.get(topic)
        partitions = sorted(meta.partitions) if meta and meta.error is None else []
        start: dict[str, int] = {}
        end: dict[str, int] = {}
        for p in partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            if high > low:
                start[str(p)], end[str(p)] = low, min(high, low + sample_size)
        return start, end
    finally:
        consumer.close()
