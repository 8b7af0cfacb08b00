"""Subject name strategies: which schema registry subject a topic's key or value uses.

The three strategies and their config names are Confluent's, so a subject written by a Java
or confluent-kafka producer is found by pipeway and vice versa.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeway.serde.base import SerializationContext
from pipeway.serde.exceptions import SerdeConfigError, SerializationError

SubjectNameStrategy = Callable[[SerializationContext, str | None], str]
"""``(ctx, record_name) -> subject``; ``record_name`` is the schema's full name or ``None``."""

_JAVA_PACKAGE = "io.confluent.kafka.serializers.subject."


def topic_name_strategy(ctx: SerializationContext, record_name: str | None) -> str:
    """Return ``<topic>-key`` or ``<topic>-value``: one schema lineage per topic (the default)."""
    return f"{ctx.topic}-{ctx.field}"


def record_name_strategy(ctx: SerializationContext, record_name: str | None) -> str:
    """Return the fully-qualified record name: one lineage per type, across topics.

    Raises:
        SerializationError: the schema is not a named type (record, enum or fixed).
    """
    return _require_record_name(ctx, record_name, "RecordNameStrategy")


def topic_record_name_strategy(ctx: SerializationContext, record_name: str | None) -> str:
    """Return ``<topic>-<fullname>``: several record types per topic, each with its lineage.

    Raises:
        SerializationError: the schema is not a named type (record, enum or fixed).
    """
    name = _require_record_name(ctx, record_name, "TopicRecordNameStrategy")
    return f"{ctx.topic}-{name}"


STRATEGIES: dict[str, SubjectNameStrategy] = {
    "TopicNameStrategy": topic_name_strategy,
    "RecordNameStrategy": record_name_strategy,
    "TopicRecordNameStrategy": topic_record_name_strategy,
}


def get_subject_name_strategy(name: str, key: str = "subject.name.strategy") -> SubjectNameStrategy:
    """Look a strategy up by its Confluent config name.

    Args:
        name: ``TopicNameStrategy``, ``RecordNameStrategy``, ``TopicRecordNameStrategy`` or the
            Java class name ``io.confluent.kafka.serializers.subject.<Name>``.
        key: the config key the name came from, quoted in the error.

    Returns:
        The strategy function.

    Raises:
        SerdeConfigError: the name is not one of the three strategies.
    """
    short = name.strip().removeprefix(_JAVA_PACKAGE)
    strategy = STRATEGIES.get(short)
    if strategy is None:
        known = ", ".join(STRATEGIES)
        raise SerdeConfigError(key, f"unknown subject name strategy '{name}'; use one of {known}")
    return strategy


def _require_record_name(ctx: SerializationContext, record_name: str | None, strategy: str) -> str:
    """Return ``record_name`` or explain that primitive schemas have no name to use."""
    if not record_name:
        raise SerializationError(
            f"{strategy} needs a named schema (record, enum or fixed); "
            "use TopicNameStrategy for primitive or union schemas",
            ctx.topic,
            str(ctx.field),
        )
    return record_name
