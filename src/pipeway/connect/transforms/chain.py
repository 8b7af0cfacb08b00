"""The transform chain of a connector, built from Kafka Connect's flat keys.

::

    transforms=route,unwrap
    transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState
    transforms.route.type=RegexRouter
    transforms.route.regex=(.*)\\.public\\.(.*)
    transforms.route.replacement=$1.$2
    transforms.route.predicate=isCdc
    transforms.route.negate=false
    predicates=isCdc
    predicates.isCdc.type=TopicNameMatches
    predicates.isCdc.pattern=.*\\.public\\..*

Every problem is collected under its full key before anything is raised, so the REST API's
validate endpoint can show all of them at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeway.connect.exceptions import InvalidConnectorConfig, RecordError, UnknownPlugin
from pipeway.connect.plugins import load_class
from pipeway.connect.transforms.base import Predicate, R, Transformation
from pipeway.connect.transforms.exceptions import TransformConfigError, TransformError
from pipeway.connect.transforms.names import PREDICATES, TRANSFORMS

_CHAIN_KEYS = frozenset(("type", "predicate", "negate"))
Errors = dict[str, list[str]]


@dataclass(frozen=True, slots=True)
class Step:
    """One configured transform and the predicate that gates it."""

    alias: str
    transform: Transformation
    predicate: Predicate | None = None
    negate: bool = False


def _aliases(props: Mapping[str, Any], key: str, errors: Errors) -> list[str]:
    raw = props.get(key, "")
    names = [n.strip() for n in raw.split(",")] if isinstance(raw, str) else list(raw)
    names = [n for n in names if n]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        errors.setdefault(key, []).append(f"duplicate alias(es): {', '.join(duplicates)}")
    for stray in sorted({k.split(".")[1] for k in props if k.startswith(key + ".")} - set(names)):
        errors.setdefault(f"{key}.{stray}", []).append(f"alias {stray!r} is not listed in {key!r}")
    return list(dict.fromkeys(names))


def _group(props: Mapping[str, Any], prefix: str) -> dict[str, str]:
    return {k[len(prefix) :]: v for k, v in props.items() if k.startswith(prefix)}


def _build(
    prefix: str, sub: dict[str, str], table: dict[str, str], base: type, errors: Errors
) -> Any:
    """Instantiate the plugin named by ``<prefix>type`` with the other keys of its group."""
    name = sub.pop("type", "").strip()
    if not name:
        errors.setdefault(prefix + "type", []).append("field required")
        return None
    try:
        cls = load_class(name, table)
    except UnknownPlugin as exc:
        errors.setdefault(prefix + "type", []).append(str(exc))
        return None
    if not (isinstance(cls, type) and issubclass(cls, base)):
        errors.setdefault(prefix + "type", []).append(f"{name!r} is not a {base.__name__}")
        return None
    plugin: Any = cls
    try:
        return plugin(sub)
    except TransformConfigError as exc:
        for key, messages in exc.errors.items():
            full = prefix.rstrip(".") if key == "(config)" else prefix + key
            errors.setdefault(full, []).extend(messages)
    return None


def _negate(value: str | None, key: str, errors: Errors) -> bool:
    text = (value or "false").strip().lower()
    if text not in ("true", "false"):
        errors.setdefault(key, []).append("must be true or false")
    return text == "true"


class TransformChain:
    """Transforms applied in order; a None result drops the record and stops the chain."""

    def __init__(self, steps: list[Step]) -> None:
        self.steps = tuple(steps)
        self._run = tuple((s.alias, s.transform.apply, s.predicate, s.negate) for s in steps)

    @classmethod
    def from_config(cls, props: Mapping[str, Any], connector: str = "") -> TransformChain:
        """Build the chain from a connector's flat config (other keys are ignored).

        Raises:
            InvalidConnectorConfig: with every invalid key and its messages.
        """
        errors: Errors = {}
        predicates: dict[str, Predicate | None] = {}
        for alias in _aliases(props, "predicates", errors):
            prefix = f"predicates.{alias}."
            predicates[alias] = _build(prefix, _group(props, prefix), PREDICATES, Predicate, errors)
        steps = [
            step
            for alias in _aliases(props, "transforms", errors)
            if (step := cls._step(alias, props, predicates, errors)) is not None
        ]
        if errors:
            raise InvalidConnectorConfig(connector or str(props.get("name", "")), errors)
        return cls(steps)

    @staticmethod
    def _step(
        alias: str,
        props: Mapping[str, Any],
        predicates: dict[str, Predicate | None],
        errors: Errors,
    ) -> Step | None:
        prefix = f"transforms.{alias}."
        sub = _group(props, prefix)
        predicate_name = sub.pop("predicate", None)
        negate = _negate(sub.pop("negate", None), prefix + "negate", errors)
        predicate = None
        if predicate_name:
            predicate = predicates.get(predicate_name)
            if predicate_name not in predicates:
                message = f"unknown predicate {predicate_name!r}: not listed in 'predicates'"
                errors.setdefault(prefix + "predicate", []).append(message)
        elif prefix + "negate" in props:
            errors.setdefault(prefix + "negate", []).append("needs transforms.<alias>.predicate")
        transform = _build(prefix, sub, TRANSFORMS, Transformation, errors)
        return None if transform is None else Step(alias, transform, predicate, negate)

    def apply(self, record: R) -> R | None:
        """Run every transform whose predicate (negated if asked) holds.

        Raises:
            RecordError: when a transform cannot process the record.
        """
        current = record
        for alias, apply, predicate, negate in self._run:
            if predicate is not None and predicate.test(current) == negate:
                continue
            try:
                result = apply(current)
            except RecordError:
                raise
            except Exception as exc:
                raise TransformError(f"transform {alias!r} failed: {exc}", record) from exc
            if result is None:
                return None
            current = result
        return current

    def close(self) -> None:
        for step in self.steps:
            step.transform.close()

    def __len__(self) -> int:
        return len(self.steps)
