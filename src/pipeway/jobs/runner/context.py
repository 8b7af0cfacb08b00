"""What a job's ``build(ctx)`` gets: decoded streams in, Avro topics out, checkpoints handled.

Every query a job starts through the context gets the job's trigger, a checkpoint folder of
its own (``<data dir>/jobs/<job>/checkpoints/<query>``) and the name ``<job>.<query>``, so a
restarted job continues each query exactly where its checkpoint says, and progress events can
be told apart per job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming import DataStreamWriter, StreamingQuery

from pipeway.jobs.avro_decode import KeyFormat, read_avro
from pipeway.jobs.avro_encode import KeySpec, write_avro_stream
from pipeway.jobs.dead_letters import dead_letter_topic, write_dead_letters_stream
from pipeway.jobs.decoded import DecodedTopic
from pipeway.jobs.exceptions import JobsConfigError
from pipeway.jobs.registry import registry_client
from pipeway.jobs.runner.modes import RunMode, trigger_kwargs
from pipeway.jobs.settings import KafkaSettings
from pipeway.serde import RegistryClient

OutputMode = Literal["append", "update", "complete"]


@dataclass
class JobContext:
    """The job's view of the platform while its ``build`` function runs."""

    name: str
    spark: SparkSession
    kafka: KafkaSettings
    job_dir: Path
    mode: RunMode = RunMode.CONTINUOUS
    interval: str = "1 second"
    options: dict[str, str] = field(default_factory=dict)
    """The job's own settings from ``pipeway jobs run --option key=value``; a job validates
    the ones it knows (and refuses others) itself."""
    queries: list[StreamingQuery] = field(default_factory=list)
    _registry: RegistryClient | None = None

    @property
    def registry(self) -> RegistryClient:
        if self._registry is None:
            self._registry = registry_client(self.kafka)
        return self._registry

    @property
    def dead_letter_topic(self) -> str:
        return dead_letter_topic(self.name)

    def checkpoint(self, query: str) -> Path:
        """The checkpoint folder of the job's query ``query``."""
        return self.job_dir / "checkpoints" / query

    def decoded(
        self, topic: str, *, required: Sequence[str] = (), key_format: KeyFormat = "auto"
    ) -> DecodedTopic:
        """``topic`` decoded with the registry, good rows and dead letters apart."""
        return read_avro(
            self.spark,
            topic,
            self.kafka,
            self.registry,
            required=required,
            key_format=key_format,
        )

    def read(
        self,
        topic: str,
        *,
        required: Sequence[str] = (),
        key_format: KeyFormat = "auto",
        dead_letters: bool = True,
    ) -> DataFrame:
        """The value fields of ``topic``'s records as columns (a streaming DataFrame).

        Records that fail to decode or miss a ``required`` field go to the job's dead
        letter topic (``pipeway-jobs-dlq.<job>``) with the reason, through a query of
        their own (``dlq-<topic>``) unless ``dead_letters`` is false.
        """
        decoded = self.decoded(topic, required=required, key_format=key_format)
        if dead_letters:
            query = f"dlq-{topic}"
            self.start(write_dead_letters_stream(decoded, self.name, self.kafka), query, "append")
        return decoded.values()

    def write(
        self,
        df: DataFrame,
        topic: str,
        *,
        key: KeySpec = None,
        output_mode: OutputMode = "append",
        query: str | None = None,
        value_columns: Sequence[str] | None = None,
    ) -> StreamingQuery:
        """Start a query writing ``df`` to ``topic`` as Confluent Avro (schema registered).

        Args:
            key: column(s) of the record key (see :func:`pipeway.jobs.encode_avro`).
            output_mode: Spark's output mode; ``update`` for aggregates read as upserts.
            query: the query's short name (default: the topic).
        """
        writer = write_avro_stream(
            df, topic, self.kafka, self.registry, key=key, value_columns=value_columns
        )
        return self.start(writer, query or topic, output_mode)

    def start(
        self, writer: DataStreamWriter, query: str, output_mode: OutputMode | None = None
    ) -> StreamingQuery:
        """Start any stream writer as one of the job's queries (trigger, checkpoint, name)."""
        if any(q.name == self.query_name(query) for q in self.queries):
            raise JobsConfigError(f"job {self.name}: two queries named {query!r}")
        writer = writer.option("checkpointLocation", str(self.checkpoint(query)))
        writer = writer.queryName(self.query_name(query))
        if output_mode:
            writer = writer.outputMode(output_mode)
        trigger: dict[str, Any] = trigger_kwargs(self.mode, self.interval)
        started = writer.trigger(**trigger).start()
        self.queries.append(started)
        return started

    def query_name(self, query: str) -> str:
        return f"{self.name}.{query}"
