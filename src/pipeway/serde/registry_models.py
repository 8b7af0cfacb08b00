"""Values exchanged with a schema registry, and the interface serializers need from one.

Serializers depend on the small :class:`SchemaRegistry` protocol rather than on the HTTP
client, so tests and tools can hand them any object with these five methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

AVRO = "AVRO"


@dataclass(frozen=True, slots=True)
class SchemaReference:
    """A named type a schema imports from another subject (Confluent ``references`` entry)."""

    name: str
    subject: str
    version: int

    def to_json(self) -> dict[str, Any]:
        """Return the REST API form ``{"name", "subject", "version"}``."""
        return {"name": self.name, "subject": self.subject, "version": self.version}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SchemaReference:
        """Build a reference from its REST API form."""
        return cls(name=data["name"], subject=data["subject"], version=int(data["version"]))


@dataclass(frozen=True, slots=True)
class RegisteredSchema:
    """A schema as the registry stores it; ``subject``/``version`` when fetched by subject."""

    id: int
    schema_str: str
    schema_type: str = AVRO
    references: tuple[SchemaReference, ...] = ()
    subject: str | None = None
    version: int | None = None


@dataclass(frozen=True, slots=True)
class CompatibilityResult:
    """Answer of a compatibility test; truthy when compatible, ``messages`` explain why not."""

    is_compatible: bool
    messages: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return self.is_compatible


class SchemaRegistry(Protocol):
    """What the Avro serializer and deserializer need from a schema registry."""

    def register(
        self,
        subject: str,
        schema_str: str,
        schema_type: str = AVRO,
        references: Sequence[SchemaReference] | None = None,
        normalize: bool = False,
    ) -> int:
        """Register the schema under ``subject`` (idempotent) and return its global id."""
        ...

    def lookup(
        self,
        subject: str,
        schema_str: str,
        schema_type: str = AVRO,
        references: Sequence[SchemaReference] | None = None,
        normalize: bool = False,
    ) -> tuple[int, int]:
        """Return ``(id, version)`` of a schema already registered under ``subject``."""
        ...

    def get_schema(self, schema_id: int) -> RegisteredSchema:
        """Return the schema with this global id."""
        ...

    def get_latest(self, subject: str) -> RegisteredSchema:
        """Return the newest version registered under ``subject``."""
        ...

    def get_version(self, subject: str, version: int) -> RegisteredSchema:
        """Return one version of ``subject``."""
        ...
