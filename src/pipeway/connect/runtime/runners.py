"""``create_runner``: what the worker calls to run one task of a connector here.

It wires the pieces a task needs from its connector's configuration: converters (sharing
the worker's registry client unless the connector names its own URL), the transform chain,
the error handler and dead letter queue, and the offset store (sources) or consumer group
(sinks).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pipeway.connect.api import Connector, SinkTask, SourceTask
from pipeway.connect.runtime.contract import TaskId, TaskRunner, WorkerSettings
from pipeway.connect.runtime.conversion import SinkDecoder, SourceConverter, converter_properties
from pipeway.connect.runtime.error_handling import DeadLetterQueue, ErrorHandler, ErrorPolicy
from pipeway.connect.runtime.metrics import TaskMetrics
from pipeway.connect.runtime.offsets import OffsetStore
from pipeway.connect.runtime.sink_runner import SinkRunnerConfig, SinkTaskRunner
from pipeway.connect.runtime.source_runner import RecordChain, SourceRunnerConfig, SourceTaskRunner
from pipeway.connect.settings import RuntimeSettings
from pipeway.connect.transforms import TransformChain
from pipeway.serde import RegistryClient, SchemaRegistry

logger = logging.getLogger(__name__)

TOPIC_PARTITIONS_KEY = "topic.creation.default.partitions"


def sink_group_id(connector: str) -> str:
    """Kafka Connect's consumer group of a sink connector."""
    return f"connect-{connector}"


def resolve_transforms(
    runtime: RuntimeSettings, grouped_props: Mapping[str, Any], transforms: Any
) -> RecordChain | None:
    """The chain to run: the one given, else ``TransformChain.from_config``, else None.

    ``None`` means identity: the runner skips the call entirely.
    """
    if transforms is not None:
        return None if _is_empty(transforms) else transforms
    if not runtime.transforms:
        return None
    props = {
        **grouped_props,
        "transforms": ",".join(runtime.transforms),
        "predicates": ",".join(runtime.predicates),
    }
    return TransformChain.from_config(props, connector=runtime.name)


def _is_empty(transforms: Any) -> bool:
    try:
        return len(transforms) == 0
    except TypeError:
        return False


def create_runner(
    task_id: TaskId,
    connector_cls: type[Connector],
    connector_settings: Any,
    runtime: RuntimeSettings,
    grouped_props: dict[str, str],
    task_config: dict[str, Any],
    worker: WorkerSettings,
    offsets: OffsetStore,
    transforms: Any = None,
    registry: SchemaRegistry | None = None,
) -> TaskRunner:
    """Build (but do not start) the runner of one task.

    Args:
        task_id: connector name and task number.
        connector_cls: the connector plugin; its ``kind`` picks a source or sink runner.
        connector_settings: the validated connector settings (``task.config``).
        runtime: the connector's runtime keys (converters, errors.*, topics...).
        grouped_props: the prefixed keys (``key.converter.*``, ``transforms.*``...).
        task_config: this task's share of the work (from ``Connector.task_configs``).
        worker: worker settings (bootstrap servers, registry, flush interval).
        offsets: the started offset store (sources).
        transforms: a chain with ``apply(record) -> record | None``; None builds it from
            ``runtime.transforms`` (identity when there are none).
        registry: a registry client to share; one is created from the worker when None.

    Raises:
        SerdeConfigError: a converter setting is invalid (sinks: at creation).
        UnknownPlugin: a transform cannot be loaded.
    """
    chain = resolve_transforms(runtime, grouped_props, transforms)
    client = registry if registry is not None else RegistryClient(worker.registry_url)
    props = converter_properties(runtime, grouped_props)
    policy = ErrorPolicy.from_runtime(runtime)
    dlq = DeadLetterQueue(worker.bootstrap_servers, policy) if policy.dlq_topic else None
    metrics = TaskMetrics()
    errors = ErrorHandler(policy, task_id, metrics, dlq)
    if connector_cls.kind == "source":
        runner: SourceTaskRunner | SinkTaskRunner = _source_runner(
            task_id,
            connector_cls,
            connector_settings,
            task_config,
            worker,
            grouped_props,
            offsets,
            SourceConverter(props, client),
            errors,
            chain,
        )
    else:
        runner = _sink_runner(
            task_id,
            connector_cls,
            connector_settings,
            task_config,
            worker,
            runtime,
            SinkDecoder(props, client),
            errors,
            chain,
        )
    runner.task_metrics = metrics
    logger.info("runner created task=%s kind=%s", task_id, connector_cls.kind)
    return runner


def _source_runner(
    task_id: TaskId,
    connector_cls: type[Connector],
    settings: Any,
    task_config: dict[str, Any],
    worker: WorkerSettings,
    grouped_props: Mapping[str, Any],
    offsets: OffsetStore,
    converter: SourceConverter,
    errors: ErrorHandler,
    chain: RecordChain | None,
) -> SourceTaskRunner:
    task_class = connector_cls.task_class
    config = SourceRunnerConfig(
        bootstrap_servers=worker.bootstrap_servers,
        offset_flush_interval_ms=worker.offset_flush_interval_ms,
        topic_partitions=int(grouped_props.get(TOPIC_PARTITIONS_KEY, 1)),
    )

    def factory(context: Any) -> SourceTask:
        task = task_class(settings, task_config, context)
        if not isinstance(task, SourceTask):
            raise TypeError(f"{task_class.__name__} is not a SourceTask")
        return task

    return SourceTaskRunner(
        task_id,
        factory,
        config=config,
        offsets=offsets,
        converter=converter,
        errors=errors,
        transforms=chain,
    )


def _sink_runner(
    task_id: TaskId,
    connector_cls: type[Connector],
    settings: Any,
    task_config: dict[str, Any],
    worker: WorkerSettings,
    runtime: RuntimeSettings,
    decoder: SinkDecoder,
    errors: ErrorHandler,
    chain: RecordChain | None,
) -> SinkTaskRunner:
    task_class = connector_cls.task_class
    config = SinkRunnerConfig(
        bootstrap_servers=worker.bootstrap_servers,
        group_id=sink_group_id(task_id.connector),
        topics=tuple(runtime.topics),
        topics_regex=runtime.topics_regex,
        offset_flush_interval_ms=worker.offset_flush_interval_ms,
    )

    def factory(context: Any) -> SinkTask:
        task = task_class(settings, task_config, context)
        if not isinstance(task, SinkTask):
            raise TypeError(f"{task_class.__name__} is not a SinkTask")
        return task

    return SinkTaskRunner(
        task_id, factory, config=config, decoder=decoder, errors=errors, transforms=chain
    )
