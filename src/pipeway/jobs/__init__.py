"""PySpark Structured Streaming for pipeway: sessions and schema-aware Kafka I/O.

- :func:`get_spark` / :class:`SparkSettings`: the session, with the Kafka and Avro connectors
  from the local jar cache (no network at job start).
- :class:`KafkaIO` (or the functions it wraps): read Confluent-Avro topics decoded into the
  latest registered schema (:func:`read_avro`), JSON topics (:func:`read_json`) and Debezium
  change topics (:func:`read_changelog`, :func:`as_of_join`); write Avro with registered
  schemas (:func:`write_avro_batch`, :func:`write_avro_stream`); route undecodable records
  to a dead letter topic with their reason (:func:`write_dead_letters_stream`).

See docs/jobs/kafka-io.md.
"""

from pipeway.jobs.avro_decode import decode_avro, read_avro
from pipeway.jobs.avro_encode import (
    EncodedTopic,
    encode_avro,
    write_avro_batch,
    write_avro_stream,
)
from pipeway.jobs.avro_schema import avro_schema_for, record_fullname
from pipeway.jobs.cdc import as_of_join, changelog, read_changelog, state_as_of
from pipeway.jobs.dead_letters import (
    dead_letter_messages,
    dead_letter_topic,
    write_dead_letters_batch,
    write_dead_letters_stream,
)
from pipeway.jobs.decoded import DecodedTopic
from pipeway.jobs.exceptions import (
    JobsConfigError,
    JobsError,
    SparkSetupError,
    TopicSchemaError,
    UnsupportedSchemaError,
)
from pipeway.jobs.json_decode import decode_json, infer_json_schema, read_json
from pipeway.jobs.kafka_io import KafkaIO
from pipeway.jobs.kafka_source import read_kafka
from pipeway.jobs.session import connector_jars, get_spark, stop_spark
from pipeway.jobs.settings import KafkaSettings, SparkSettings

__all__ = [
    "DecodedTopic",
    "EncodedTopic",
    "JobsConfigError",
    "JobsError",
    "KafkaIO",
    "KafkaSettings",
    "SparkSettings",
    "SparkSetupError",
    "TopicSchemaError",
    "UnsupportedSchemaError",
    "as_of_join",
    "avro_schema_for",
    "changelog",
    "connector_jars",
    "dead_letter_messages",
    "dead_letter_topic",
    "decode_avro",
    "decode_json",
    "encode_avro",
    "get_spark",
    "infer_json_schema",
    "read_avro",
    "read_changelog",
    "read_json",
    "read_kafka",
    "record_fullname",
    "state_as_of",
    "stop_spark",
    "write_avro_batch",
    "write_avro_stream",
    "write_dead_letters_batch",
    "write_dead_letters_stream",
]
