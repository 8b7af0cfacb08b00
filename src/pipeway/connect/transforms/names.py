"""The names transforms and predicates answer to.

Each plugin is reachable three ways, so configs copied from Kafka Connect or Debezium work
unchanged and new ones stay short:

- the Java class name: ``org.apache.kafka.connect.transforms.InsertField$Value``,
  ``io.debezium.transforms.ExtractNewRecordState``;
- the Java simple name: ``InsertField$Value``;
- a kebab-case short name: the simple name in kebab case, with ``$Key``/``$Value`` as a
  ``-key``/``-value`` suffix: ``insert-field-value``, ``regex-router``, ``topic-name-matches``.

Anything else is imported as a Python path (``package.module.Class``).
"""

from __future__ import annotations

import re

_PKG = "pipeway.connect.transforms"
_KAFKA = "org.apache.kafka.connect.transforms."
_KAFKA_PREDICATES = _KAFKA + "predicates."
_DEBEZIUM = "io.debezium.transforms."

_KEY_VALUE = {
    "InsertField": "insert_field",
    "ReplaceField": "replace_field",
    "MaskField": "mask_field",
    "ExtractField": "extract_field",
    "Cast": "cast",
    "TimestampConverter": "timestamp_converter",
}
_SINGLE = {
    "ValueToKey": (_KAFKA, "value_to_key"),
    "RegexRouter": (_KAFKA, "routers"),
    "TimestampRouter": (_KAFKA, "routers"),
    "Filter": (_KAFKA, "filter"),
    "ExtractNewRecordState": (_DEBEZIUM, "debezium"),
}
_PREDICATES = ("TopicNameMatches", "HasHeaderKey", "RecordIsTombstone")


def kebab(simple_name: str) -> str:
    """``InsertField$Value`` → ``insert-field-value``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", simple_name.replace("$", "-"))
    return words.lower()


def _add(table: dict[str, str], java_package: str, simple: str, target: str) -> None:
    for name in (java_package + simple, simple, kebab(simple)):
        table[name] = target


def _transforms() -> dict[str, str]:
    table: dict[str, str] = {}
    for simple, module in _KEY_VALUE.items():
        for part in ("Key", "Value"):
            _add(table, _KAFKA, f"{simple}${part}", f"{_PKG}.{module}:{simple}{part}")
    for simple, (java_package, module) in _SINGLE.items():
        _add(table, java_package, simple, f"{_PKG}.{module}:{simple}")
    return table


def _predicates() -> dict[str, str]:
    table: dict[str, str] = {}
    for simple in _PREDICATES:
        _add(table, _KAFKA_PREDICATES, simple, f"{_PKG}.predicates:{simple}")
    return table


TRANSFORMS: dict[str, str] = _transforms()
"""Transform names (Java class, simple and kebab-case) → ``module:Class``."""

PREDICATES: dict[str, str] = _predicates()
"""Predicate names (Java class, simple and kebab-case) → ``module:Class``."""
