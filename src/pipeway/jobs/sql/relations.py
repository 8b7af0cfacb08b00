"""Which tables a SQL statement names, and which topic each one means.

The statement is parsed by Spark's own parser (no analysis, so nothing has to exist yet) and
its unresolved relations are collected. A name resolves to the topic of the same name when
the registry has ``<name>-value``; otherwise underscores may stand for dots, so ``tv_actions``
finds ``tv.actions`` (the issue's example) and backquoted ``\\`tv.actions\\``` works as well.
"""

from __future__ import annotations

from typing import Any

from pyspark.sql import SparkSession

from pipeway.jobs.registry import subject_exists, subject_for
from pipeway.serde import RegistryClient


def relation_names(spark: SparkSession, sql: str) -> list[str]:
    r"""One-part names of the tables ``sql`` reads, in order, once each.

    ``tv_actions`` and backquoted ``\`tv.actions\``` are one-part names; ``db.table`` names
    a catalog table and is left to Spark.
    """
    jvm_session: Any = spark._jsparkSession
    plan = jvm_session.sessionState().sqlParser().parsePlan(sql)
    names: list[str] = []
    _walk(plan, names)
    return list(dict.fromkeys(names))


def _walk(node: Any, names: list[str]) -> None:
    if node.nodeName() == "UnresolvedRelation":
        parts = node.multipartIdentifier()
        if parts.size() == 1:
            names.append(parts.apply(0))
    for children in (node.children(), node.innerChildren()):
        iterator = children.iterator()
        while iterator.hasNext():
            child = iterator.next()
            if hasattr(child, "nodeName") and hasattr(child, "children"):
                _walk(child, names)


def topic_candidates(name: str) -> list[str]:
    """Topics ``name`` may mean: itself, then with ``_`` read as ``.`` (first one, then all)."""
    candidates = [name]
    if "_" in name:
        candidates.append(name.replace("_", ".", 1))
        candidates.append(name.replace("_", "."))
    return list(dict.fromkeys(candidates))


def resolve_topic(registry: RegistryClient, name: str) -> str | None:
    """The registered topic ``name`` means, or None when no candidate has a value subject."""
    for topic in topic_candidates(name):
        if subject_exists(registry, subject_for(topic, "value")):
            return topic
    return None
