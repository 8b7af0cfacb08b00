"""Errors raised while building Spark sessions and schema-aware Kafka reads and writes.

Record-level problems (undecodable bytes, unknown schema ids, missing fields) are never raised:
they become dead letters with a reason. These exceptions are for set-up mistakes a person has
to fix before the query can run.
"""

from __future__ import annotations

from pipeway.errors import ConfigError, PipewayError


class JobsError(PipewayError):
    """Base class for every error of the jobs package."""


class SparkSetupError(JobsError):
    """Spark cannot start: no suitable Java, or the connector jars are missing."""


class UnsupportedSchemaError(JobsError):
    """A Spark or Avro schema cannot be mapped to the other side; the message names the field."""


class TopicSchemaError(JobsError):
    """A topic's registered schemas cannot be used to decode it (none registered, references)."""

    def __init__(self, subject: str, reason: str) -> None:
        super().__init__(subject, reason)
        self.subject = subject
        self.reason = reason

    def __str__(self) -> str:
        return f"cannot decode subject '{self.subject}': {self.reason}"


class JobsConfigError(JobsError, ConfigError):
    """An argument or setting of the jobs API is invalid; the message says which."""
