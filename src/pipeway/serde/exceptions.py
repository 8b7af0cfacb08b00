"""Errors raised by pipeway's serializers, deserializers and schema registry client.

Every exception keeps its constructor inputs as attributes and passes them to
``Exception.__init__`` so that ``self.args`` reproduces the instance: pickling (used by
multiprocessing and Spark workers) round-trips without custom ``__reduce__`` methods.
Messages are built in ``__str__`` from those attributes.
"""

from __future__ import annotations

from pipeway.errors import ConfigError, PipewayError, TransientError


class SerdeError(PipewayError):
    """Base class for every error of the serde package."""


class SerializationError(SerdeError):
    """An object could not be turned into bytes (usually: it does not match the schema)."""

    def __init__(
        self,
        reason: str,
        topic: str | None = None,
        field: str | None = None,
        field_path: str | None = None,
    ) -> None:
        super().__init__(reason, topic, field, field_path)
        self.reason = reason
        self.topic = topic
        self.field = field
        self.field_path = field_path

    def __str__(self) -> str:
        where = _where(self.topic, self.field)
        at = f" at field '{self.field_path}'" if self.field_path else ""
        return f"cannot serialize {where}{at}: {self.reason}"


class DeserializationError(SerdeError):
    """Bytes could not be turned back into an object (bad framing, unknown schema, corrupt)."""

    def __init__(self, reason: str, topic: str | None = None, field: str | None = None) -> None:
        super().__init__(reason, topic, field)
        self.reason = reason
        self.topic = topic
        self.field = field

    def __str__(self) -> str:
        return f"cannot deserialize {_where(self.topic, self.field)}: {self.reason}"


class WireFormatError(DeserializationError):
    """The bytes do not start with the Confluent header (magic byte 0 + 4-byte schema id)."""


class UnknownSchemaIdError(DeserializationError):
    """The schema id found in a message is not known to the schema registry."""

    def __init__(self, schema_id: int, topic: str | None = None, field: str | None = None) -> None:
        reason = (
            f"schema id {schema_id} is not in the schema registry; the message was written "
            "against another registry or the schema was deleted permanently"
        )
        super().__init__(reason, topic, field)
        self.schema_id = schema_id
        self.args = (schema_id, topic, field)


class SchemaParseError(SerdeError):
    """A schema string is not a valid Avro schema (or names a type nobody defines)."""

    def __init__(
        self, reason: str, schema_id: int | None = None, subject: str | None = None
    ) -> None:
        super().__init__(reason, schema_id, subject)
        self.reason = reason
        self.schema_id = schema_id
        self.subject = subject

    def __str__(self) -> str:
        origin = []
        if self.schema_id is not None:
            origin.append(f"schema id {self.schema_id}")
        if self.subject is not None:
            origin.append(f"subject '{self.subject}'")
        suffix = f" ({', '.join(origin)})" if origin else ""
        return f"invalid Avro schema{suffix}: {self.reason}"


class SchemaConversionError(SerdeError):
    """An Avro schema has a construct Kafka Connect's JSON schema cannot express."""

    def __init__(self, reason: str, path: str) -> None:
        super().__init__(reason, path)
        self.reason = reason
        self.path = path

    def __str__(self) -> str:
        return f"cannot convert Avro schema to a Connect schema at '{self.path}': {self.reason}"


class SchemaRegistryError(SerdeError):
    """The schema registry answered with an error body ``{"error_code": N, "message": ...}``."""

    def __init__(self, status: int, error_code: int, message: str, url: str | None = None) -> None:
        super().__init__(status, error_code, message, url)
        self.status = status
        self.error_code = error_code
        self.message = message
        self.url = url

    def __str__(self) -> str:
        target = f" ({self.url})" if self.url else ""
        return (
            f"schema registry error HTTP {self.status}, error_code {self.error_code}"
            f"{target}: {self.message}"
        )


class SubjectNotFoundError(SchemaRegistryError):
    """error_code 40401: the subject does not exist (nothing registered under it yet)."""


class VersionNotFoundError(SchemaRegistryError):
    """error_code 40402: the subject exists but not that version."""


class SchemaNotFoundError(SchemaRegistryError):
    """error_code 40403 (or a 404 on a lookup): no such schema id / schema under the subject."""


class IncompatibleSchemaError(SchemaRegistryError):
    """HTTP 409: the schema breaks the subject's compatibility level; evolve it compatibly."""


class InvalidSchemaError(SchemaRegistryError):
    """error_code 42201: the registry rejected the schema text or its type."""


class RegistryAuthError(SchemaRegistryError):
    """HTTP 401/403: missing or wrong credentials (``basic.auth.user.info``)."""


class RegistryServerError(SchemaRegistryError, TransientError):
    """HTTP 5xx or 429: the registry is overloaded, restarting or lost its leader; retry."""


class RegistryUnavailableError(SerdeError, TransientError):
    """The registry could not be reached at all (connection refused, DNS, timeout)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url, reason)
        self.url = url
        self.reason = reason

    def __str__(self) -> str:
        return f"schema registry at {self.url} is unreachable: {self.reason}"


class SerdeConfigError(ConfigError, SerdeError):
    """A converter or serializer setting is missing or invalid; names the config key."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(key, reason)
        self.key = key
        self.reason = reason

    def __str__(self) -> str:
        return f"invalid converter config '{self.key}': {self.reason}"


class ConnectDataError(SerdeError):
    """A value does not fit its Kafka Connect schema (raised with the path of the value)."""

    def __init__(self, reason: str, path: str) -> None:
        super().__init__(reason, path)
        self.reason = reason
        self.path = path

    def __str__(self) -> str:
        where = self.path or "<root>"
        return f"value at '{where}' does not fit its Connect schema: {self.reason}"


def _where(topic: str | None, field: str | None) -> str:
    """Describe the message being converted, e.g. ``value of topic 'orders'``."""
    part = field or "message"
    return f"{part} of topic '{topic}'" if topic else part
