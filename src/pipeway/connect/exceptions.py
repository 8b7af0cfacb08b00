"""Errors of the connector runtime and of connectors.

Connectors raise :class:`RetriableError` for failures worth retrying with backoff (a dropped
database connection, a 503 from an API) and :class:`RecordError` for one bad record (it goes
to the dead letter queue or fails the task, per ``errors.tolerance``). Anything else fails
the task with its trace.
"""

from __future__ import annotations

from typing import Any

from pipeway.errors import ConfigError, PipewayError, TransientError


class ConnectError(PipewayError):
    """Base class of connector runtime errors."""


class RetriableError(ConnectError, TransientError):
    """A transient failure: the runtime retries the operation with backoff."""


class RecordError(ConnectError):
    """One record cannot be converted or delivered; the task itself is healthy."""

    def __init__(self, message: str, record: Any = None) -> None:
        super().__init__(message)
        self.record = record

    def __reduce__(self) -> tuple[type, tuple[str, Any]]:
        return (type(self), (str(self), self.record))


class InvalidConnectorConfig(ConfigError, ConnectError):
    """A connector configuration has invalid fields; ``errors`` maps each key to its messages."""

    def __init__(self, connector: str, errors: dict[str, list[str]]) -> None:
        details = "; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items())
        super().__init__(f"connector {connector!r} has an invalid configuration: {details}")
        self.connector = connector
        self.errors = errors

    def __reduce__(self) -> tuple[type, tuple[str, dict[str, list[str]]]]:
        return (type(self), (self.connector, self.errors))


class UnknownPlugin(ConfigError, ConnectError):
    """``connector.class`` (or a transform ``type``) names nothing pipeway can load."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(
            f"cannot load plugin {name!r}: not a known short name ({', '.join(known)}) "
            "nor an importable 'package.module.Class' path"
        )
        self.name = name
        self.known = known

    def __reduce__(self) -> tuple[type, tuple[str, list[str]]]:
        return (type(self), (self.name, self.known))
