"""Start the platform's components for tests: free ports, a throwaway data directory."""

from __future__ import annotations

import logging
import re
import uuid
from pathlib import Path

from confluent_kafka.admin import AdminClient

from pipeway.kafka.topics import ensure_topic
from pipeway.platform.components.mariadb import MariaDbEndpoint
from pipeway.platform.config import PlatformConfig
from pipeway.platform.manager import Platform
from pipeway.platform.ports import free_port

log = logging.getLogger(__name__)


def unique_name(prefix: str) -> str:
    """A topic/subject-safe name that no other test uses."""
    clean = re.sub(r"[^A-Za-z0-9._-]+", "-", prefix).strip("-")[:60]
    return f"{clean}-{uuid.uuid4().hex[:10]}"


class LocalServices:
    """A private platform for one test session; components start on first use."""

    def __init__(self, data_dir: Path) -> None:
        config = PlatformConfig(
            data_dir=data_dir,
            kafka_port=free_port(),
            kafka_controller_port=free_port(),
            registry_port=free_port(),
            mariadb_port=free_port(),
            connect_port=free_port(),
            kafka_heap="768m",
            die_with_parent=True,
        )
        self.platform = Platform(config)
        self._started: list[str] = []

    @property
    def config(self) -> PlatformConfig:
        return self.platform.config

    def ensure(self, *names: str) -> None:
        """Start the named components (and nothing else) if this session has not yet."""
        missing = [n for n in names if n not in self._started]
        if missing:
            self.platform.up(only=missing)
            self._started.extend(missing)

    def bootstrap_servers(self) -> str:
        self.ensure("kafka")
        return self.config.bootstrap_servers

    def registry_url(self) -> str:
        self.ensure("kafka", "registry")
        return self.config.registry_url

    def mariadb(self) -> MariaDbEndpoint:
        self.ensure("mariadb")
        return MariaDbEndpoint(host=self.config.host, port=self.config.mariadb_port)

    def stop(self) -> None:
        stopped = self.platform.down(only=self._started) if self._started else []
        log.info("stopped test services: %s", stopped)


def create_topic(
    bootstrap_servers: str, name: str, partitions: int = 1, config: dict[str, str] | None = None
) -> str:
    """Create ``name`` and wait until every partition has a leader."""
    ensure_topic(AdminClient({"bootstrap.servers": bootstrap_servers}), name, partitions, 1, config)
    return name
