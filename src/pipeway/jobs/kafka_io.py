"""``KafkaIO``: one object binding a Spark session, the Kafka cluster and the registry.

Jobs (and the job runner) create one per job and call its methods instead of passing the same
three things to every function of :mod:`pipeway.jobs`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming import DataStreamWriter

from pipeway.jobs import avro_decode, avro_encode, cdc, dead_letters, json_decode
from pipeway.jobs.avro_decode import KeyFormat
from pipeway.jobs.avro_encode import EncodedTopic, KeyEncoding, KeySpec
from pipeway.jobs.avro_schema import TimestampPrecision
from pipeway.jobs.decoded import DecodedTopic
from pipeway.jobs.json_decode import JsonSchema
from pipeway.jobs.kafka_source import read_kafka
from pipeway.jobs.registry import registry_client
from pipeway.jobs.settings import KafkaSettings
from pipeway.serde import RegistryClient


class KafkaIO:
    """Schema-aware reads and writes of one job.

    Example::

        io = KafkaIO(spark, KafkaSettings(bootstrap_servers="127.0.0.1:9092",
                                          registry_url="http://127.0.0.1:8081"), job="views")
        actions = io.read_avro("tv.actions")
        io.write_dead_letters_stream(actions).start()
        counts = actions.values().groupBy("channel_id").count()
        io.write_avro_stream(counts, "tv.views", key="channel_id").outputMode("update").start()
    """

    def __init__(
        self,
        spark: SparkSession,
        kafka: KafkaSettings,
        job: str = "pipeway-job",
        registry: RegistryClient | None = None,
    ) -> None:
        self.spark = spark
        self.kafka = kafka
        self.job = job
        self._registry = registry

    @property
    def registry(self) -> RegistryClient:
        """The registry client (created from ``kafka.registry_url`` on first use)."""
        if self._registry is None:
            self._registry = registry_client(self.kafka)
        return self._registry

    @property
    def dead_letter_topic(self) -> str:
        return dead_letters.dead_letter_topic(self.job)

    def read_raw(
        self, topic: str, *, streaming: bool = True, starting_offsets: str = "earliest"
    ) -> DataFrame:
        """The topic's binary ``key``/``value`` and metadata, undecoded."""
        return read_kafka(
            self.spark, topic, self.kafka, streaming=streaming, starting_offsets=starting_offsets
        )

    def read_avro(
        self,
        topic: str,
        *,
        streaming: bool = True,
        key_format: KeyFormat = "auto",
        required: Sequence[str] = (),
        starting_offsets: str = "earliest",
        options: Mapping[str, str] | None = None,
    ) -> DecodedTopic:
        """See :func:`pipeway.jobs.avro_decode.read_avro`."""
        return avro_decode.read_avro(
            self.spark,
            topic,
            self.kafka,
            self.registry,
            streaming=streaming,
            key_format=key_format,
            required=required,
            starting_offsets=starting_offsets,
            options=options,
        )

    def read_json(
        self,
        topic: str,
        schema: JsonSchema | None = None,
        *,
        streaming: bool = True,
        key_format: KeyFormat = "string",
        required: Sequence[str] | None = None,
        sample_size: int = 1000,
        starting_offsets: str = "earliest",
        options: Mapping[str, str] | None = None,
    ) -> DecodedTopic:
        """See :func:`pipeway.jobs.json_decode.read_json`."""
        return json_decode.read_json(
            self.spark,
            topic,
            self.kafka,
            schema,
            streaming=streaming,
            key_format=key_format,
            registry=self._registry_if_configured(),
            required=required,
            sample_size=sample_size,
            starting_offsets=starting_offsets,
            options=options,
        )

    def read_changelog(
        self,
        topic: str,
        *,
        streaming: bool = True,
        key_format: KeyFormat = "auto",
        starting_offsets: str = "earliest",
    ) -> tuple[DataFrame, DecodedTopic]:
        """See :func:`pipeway.jobs.cdc.read_changelog`."""
        return cdc.read_changelog(
            self.spark,
            topic,
            self.kafka,
            self.registry,
            streaming=streaming,
            key_format=key_format,
            starting_offsets=starting_offsets,
        )

    def write_avro_batch(
        self,
        df: DataFrame,
        topic: str,
        *,
        key: KeySpec = None,
        key_encoding: KeyEncoding = "avro",
        value_columns: Sequence[str] | None = None,
        timestamps: TimestampPrecision = "millis",
    ) -> EncodedTopic:
        """See :func:`pipeway.jobs.avro_encode.write_avro_batch`."""
        return avro_encode.write_avro_batch(
            df,
            topic,
            self.kafka,
            self.registry,
            key=key,
            key_encoding=key_encoding,
            value_columns=value_columns,
            timestamps=timestamps,
        )

    def write_avro_stream(
        self,
        df: DataFrame,
        topic: str,
        *,
        key: KeySpec = None,
        key_encoding: KeyEncoding = "avro",
        value_columns: Sequence[str] | None = None,
        timestamps: TimestampPrecision = "millis",
        checkpoint_location: str | None = None,
        query_name: str | None = None,
    ) -> DataStreamWriter:
        """See :func:`pipeway.jobs.avro_encode.write_avro_stream` (returns an unstarted writer)."""
        return avro_encode.write_avro_stream(
            df,
            topic,
            self.kafka,
            self.registry,
            key=key,
            key_encoding=key_encoding,
            value_columns=value_columns,
            timestamps=timestamps,
            checkpoint_location=checkpoint_location,
            query_name=query_name,
        )

    def write_dead_letters_batch(self, dead: DecodedTopic | DataFrame) -> None:
        """Write a batch decode's dead letters to this job's dead letter topic."""
        dead_letters.write_dead_letters_batch(dead, self.job, self.kafka)

    def write_dead_letters_stream(
        self,
        dead: DecodedTopic | DataFrame,
        checkpoint_location: str | None = None,
        query_name: str | None = None,
    ) -> DataStreamWriter:
        """An unstarted query writing a stream's dead letters to this job's topic."""
        return dead_letters.write_dead_letters_stream(
            dead,
            self.job,
            self.kafka,
            checkpoint_location=checkpoint_location,
            query_name=query_name,
        )

    def _registry_if_configured(self) -> RegistryClient | None:
        return self._registry if self._registry or not self.kafka.registry_url else self.registry
