"""Errors of the datagen connector.

A schema whose ``arg.properties`` annotations cannot be honoured is a configuration error:
it is found when the settings are validated, before any task starts.
"""

from __future__ import annotations

from pipeway.connect.exceptions import ConnectError
from pipeway.errors import ConfigError


class DatagenError(ConnectError):
    """Base class of the datagen connector's errors."""


class SchemaAnnotationError(DatagenError, ConfigError):
    """A schema or one of its ``arg.properties`` cannot be generated; ``path`` locates it."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.path, self.message))


class UnsupportedRegex(DatagenError, ConfigError):
    """A ``regex`` annotation uses a construct the generator cannot produce strings for."""

    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(f"cannot generate strings for regex {pattern!r}: {reason}")
        self.pattern = pattern
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.pattern, self.reason))
