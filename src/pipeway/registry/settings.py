"""Settings of one registry process (validated once at start, never on the request path)."""

from __future__ import annotations

import os
import socket

from pydantic import BaseModel, Field


def _default_instance_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class RegistrySettings(BaseModel):
    """Where the registry listens and which Kafka log holds its state."""

    bootstrap_servers: str = Field(description="Kafka bootstrap servers, host:port[,host:port]")
    host: str = "127.0.0.1"
    port: int = Field(8081, ge=0, le=65535)
    topic: str = Field("_schemas", min_length=1, description="compacted topic holding all state")
    workers: int = Field(1, ge=1, le=32, description="uvicorn worker processes")
    instance_id: str = Field(default_factory=_default_instance_id)
    group_id: str | None = Field(None, description="consumer group id (no offsets are committed)")
    transactional_id: str | None = Field(
        None, description="shared by every instance; defaults to pipeway-registry-<topic>"
    )
    default_compatibility: str = "BACKWARD"
    replication_factor: int = Field(-1, description="for the topic if created; -1 = broker default")
    startup_timeout_s: float = Field(30.0, gt=0)
    write_timeout_s: float = Field(30.0, gt=0)
    kafka_timeout_s: float = Field(10.0, gt=0, description="per Kafka admin/transaction call")
    lookup_cache_size: int = Field(10_000, ge=0)
    kafka_config: dict[str, str] = Field(
        default_factory=dict, description="extra librdkafka settings (security, ...)"
    )

    @property
    def effective_transactional_id(self) -> str:
        """One id for all instances: a write by one fences every other writer."""
        return self.transactional_id or f"pipeway-registry-{self.topic}"

    @property
    def effective_group_id(self) -> str:
        return self.group_id or f"pipeway-registry-{self.instance_id}"
