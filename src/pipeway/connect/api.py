"""What a connector author implements: settings, a connector, and its tasks.

A connector is a pydantic settings model plus a :class:`Connector` that splits the work into
task configurations, and a task class that does the work. ``__init__`` methods validate and do
no I/O; ``start()`` connects and makes one cheap probe; the runtime paces the loop, converts,
transforms, produces/consumes and commits offsets only after the next hop holds the data.

Schemas travel with records as Avro schemas (the JSON-decoded dict or a primitive name), so
the runtime can register them and convert values with any converter.

Example::

    class TickerSettings(ConnectorSettings):
        topic: str
        interval_ms: int = Field(1000, alias="interval.ms", gt=0)

    class TickerTask(SourceTask):
        def start(self) -> None:
            last = self.context.offset({"ticker": self.config.topic})
            self.n = last["n"] if last else 0

        def poll(self) -> list[SourceRecord]:
            time.sleep(self.config.interval_ms / 1000)
            self.n += 1
            return [SourceRecord(topic=self.config.topic, key=None, value={"n": self.n},
                                 value_schema=TICK_SCHEMA,
                                 source_partition={"ticker": self.config.topic},
                                 source_offset={"n": self.n})]

    class TickerConnector(SourceConnector):
        settings_class = TickerSettings
        task_class = TickerTask
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol

from pydantic import BaseModel, ConfigDict

AvroSchema = dict[str, Any] | list[Any] | str
"""An Avro schema as decoded JSON (record dict, union list or primitive name)."""

Headers = list[tuple[str, Any]]
"""Record headers: bytes pass through as they are; other values are written (source) and
read (sink) by the connector's ``header.converter``."""


class ConnectorSettings(BaseModel):
    """Base of every connector's own settings (the keys that are not the runtime's).

    Dotted Kafka Connect keys are field aliases; unknown keys fail with their name;
    credentials are ``SecretStr`` so they never show in logs or the REST API.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


@dataclass(slots=True, frozen=True)
class SourceRecord:
    """A record a source task hands to the runtime.

    ``source_partition`` names the stream the record came from (a table, a file) and
    ``source_offset`` its position in it; the runtime stores the latest offset per
    partition once Kafka has acknowledged every record up to it.
    """

    topic: str
    key: Any
    value: Any
    source_partition: Mapping[str, Any]
    source_offset: Mapping[str, Any]
    key_schema: AvroSchema | None = None
    value_schema: AvroSchema | None = None
    headers: Headers = field(default_factory=list)
    timestamp: int | None = None
    kafka_partition: int | None = None


@dataclass(slots=True, frozen=True)
class SinkRecord:
    """A record a sink task receives: decoded key and value plus its Kafka coordinates.

    ``key_schema``/``value_schema`` are the writer's schemas as Avro (the registered schema
    for Avro, the envelope's schema translated for JSON with schemas), None without one;
    header values are decoded by ``header.converter``.
    """

    topic: str
    kafka_partition: int
    kafka_offset: int
    key: Any
    value: Any
    key_schema: AvroSchema | None = None
    value_schema: AvroSchema | None = None
    headers: Headers = field(default_factory=list)
    timestamp: int | None = None


ConnectRecord = SourceRecord | SinkRecord
"""What transforms and predicates work on (they return new records, never mutate)."""


class SourceTaskContext(Protocol):
    """What the runtime offers a source task."""

    connector_name: str
    task_id: int

    def offset(self, partition: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The last committed offset of ``partition`` (None when never committed)."""
        ...


class SinkTaskContext(Protocol):
    connector_name: str
    task_id: int


class SourceTask(ABC):
    """Reads from a source system. One instance per task, driven by one runtime thread."""

    def __init__(
        self, config: Any, task_config: Mapping[str, Any], context: SourceTaskContext
    ) -> None:
        self.config = config
        self.task_config = task_config
        self.context = context

    def start(self) -> None:
        """Connect and resume from ``self.context.offset(...)``."""

    @abstractmethod
    def poll(self) -> Sequence[SourceRecord]:
        """Return the next records; return [] within about a second when there are none."""

    def commit(self, offsets: Mapping[tuple[tuple[str, Any], ...], Mapping[str, Any]]) -> None:
        """Called after offsets were committed to Kafka (e.g. to ack upstream)."""

    def stop(self) -> None:
        """Release connections; called once, also after a failure."""


class SinkTask(ABC):
    """Writes to a destination. ``put`` may buffer; ``flush`` must make everything durable."""

    def __init__(
        self, config: Any, task_config: Mapping[str, Any], context: SinkTaskContext
    ) -> None:
        self.config = config
        self.task_config = task_config
        self.context = context

    def start(self) -> None:
        """Connect and make one cheap probe."""

    @abstractmethod
    def put(self, records: Sequence[SinkRecord]) -> None:
        """Accept a batch of records.

        Raise ``RecordError(message, record)`` for a single bad record: the records before it
        count as accepted, that one goes to the dead letter queue (or fails the task, per
        ``errors.tolerance``) and the rest are put again. Raise ``RetriableError`` to have
        the batch put again after a backoff.
        """

    def flush(self) -> None:
        """Make every record given to ``put`` durable; offsets are committed after this."""

    def stop(self) -> None:
        """Release connections; called once, also after a failure."""


class Connector(ABC):
    """A connector plugin: validates settings and splits work into task configurations."""

    kind: ClassVar[Literal["source", "sink"]]
    settings_class: ClassVar[type[ConnectorSettings]]
    task_class: ClassVar[type[SourceTask] | type[SinkTask]]
    version: ClassVar[str] = "0.1.0"

    def __init__(self, name: str, settings: Any) -> None:
        self.name = name
        self.settings = settings

    def task_configs(self, max_tasks: int) -> list[dict[str, Any]]:
        """One dict per task to run (at most ``max_tasks``); the default is a single task."""
        return [{}]


class SourceConnector(Connector):
    kind: ClassVar[Literal["source", "sink"]] = "source"
    task_class: ClassVar[type[SourceTask]]


class SinkConnector(Connector):
    kind: ClassVar[Literal["source", "sink"]] = "sink"
    task_class: ClassVar[type[SinkTask]]
