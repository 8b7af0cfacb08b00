"""Errors of transforms and predicates.

Configuration errors carry ``{key: [messages]}`` with the transform's own keys (``regex``);
the chain prefixes them with ``transforms.<alias>.`` so the REST API can point at the field.
A record a transform cannot handle is a :class:`~pipeway.connect.exceptions.RecordError`, so
the runtime's ``errors.tolerance`` decides between the dead letter queue and failing the task.
"""

from __future__ import annotations

from typing import Any

from pipeway.connect.exceptions import ConnectError, RecordError
from pipeway.errors import ConfigError


class TransformConfigError(ConfigError, ConnectError):
    """A transform or predicate was given invalid properties; ``errors`` maps key to messages."""

    def __init__(self, plugin: str, errors: dict[str, list[str]]) -> None:
        details = "; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items())
        super().__init__(f"{plugin} has an invalid configuration: {details}")
        self.plugin = plugin
        self.errors = errors

    def __reduce__(self) -> tuple[type, tuple[str, dict[str, list[str]]]]:
        return (type(self), (self.plugin, self.errors))


class TransformError(RecordError):
    """A transform cannot process one record (wrong shape, missing field, bad value)."""

    def __init__(self, message: str, record: Any = None) -> None:
        super().__init__(message, record)
