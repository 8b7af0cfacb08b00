"""pipeway's schema registry as a child process of the local platform."""

from __future__ import annotations

import sys

import httpx

from pipeway.platform.components.base import Component


class RegistryComponent(Component):
    """The Confluent-compatible schema registry, backed by the platform's Kafka."""

    name = "registry"
    depends_on = ("kafka",)

    @property
    def url(self) -> str:
        return self.config.registry_url

    @property
    def ports(self) -> list[int]:
        return [self.config.registry_port]

    def command(self) -> list[str]:
        c = self.config
        return [
            sys.executable,
            "-m",
            "pipeway.registry",
            "--bootstrap-servers",
            c.bootstrap_servers,
            "--host",
            c.host,
            "--port",
            str(c.registry_port),
            "--workers",
            str(c.registry_workers),
        ]

    def healthy(self) -> bool:
        """The registry answers ``GET /subjects``."""
        try:
            return httpx.get(f"{self.url}/subjects", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False
