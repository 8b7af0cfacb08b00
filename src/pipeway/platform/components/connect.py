"""pipeway's connect worker as a child process of the local platform."""

from __future__ import annotations

import sys

import httpx

from pipeway.platform.components.base import Component


class ConnectComponent(Component):
    """One connect worker (Kafka Connect's REST API), on the platform's Kafka and registry."""

    name = "connect"
    depends_on = ("kafka", "registry")

    @property
    def url(self) -> str:
        return f"http://{self.config.host}:{self.config.connect_port}"

    @property
    def ports(self) -> list[int]:
        return [self.config.connect_port]

    def command(self) -> list[str]:
        c = self.config
        return [
            sys.executable,
            "-m",
            "pipeway.connect.worker",
            "--bootstrap-servers",
            c.bootstrap_servers,
            "--registry-url",
            c.registry_url,
            "--rest-host",
            c.host,
            "--rest-port",
            str(c.connect_port),
        ]

    def healthy(self) -> bool:
        """The worker answers ``GET /connectors`` (it has read its config topic)."""
        try:
            return httpx.get(f"{self.url}/connectors", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False
