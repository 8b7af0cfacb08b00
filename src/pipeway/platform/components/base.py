"""What every platform component has in common: a process, ports, a health check."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel

from pipeway.platform.config import PlatformConfig
from pipeway.platform.exceptions import ComponentFailed, PortInUse
from pipeway.platform.ports import port_in_use
from pipeway.platform.process import ManagedProcess


class ComponentStatus(BaseModel):
    """One line of ``pipeway platform status`` (and one object of ``--json``)."""

    name: str
    state: str
    healthy: bool
    url: str
    port: int
    pid: int | None = None
    uptime_s: float | None = None


class Component(ABC):
    """A supervised child process of the local platform.

    Subclasses say how to prepare (resolve jars, write config files), which command to run
    and how to tell that the process is ready to serve.
    """

    name: str
    depends_on: tuple[str, ...] = ()

    def __init__(self, config: PlatformConfig) -> None:
        self.config = config
        self.home = config.data_dir / self.name
        self.process = ManagedProcess(self.name, config.data_dir / "run", config.data_dir / "logs")

    @property
    @abstractmethod
    def url(self) -> str: ...

    @property
    @abstractmethod
    def ports(self) -> list[int]:
        """Every port the component listens on; the first is the one users connect to."""

    @abstractmethod
    def command(self) -> list[str]: ...

    @abstractmethod
    def healthy(self) -> bool:
        """One cheap probe that the component serves requests."""

    def prepare(self) -> None:
        """Create directories and configuration; runs before each start."""
        self.home.mkdir(parents=True, exist_ok=True)

    def env(self) -> Mapping[str, str]:
        return {}

    def start(self) -> None:
        """Start the process and wait until it is healthy.

        Raises:
            PortInUse: when another process holds one of the ports.
            ComponentFailed: when the process exits or stays unhealthy past the timeout.
        """
        for port in self.ports:
            if port_in_use(self.config.host, port):
                raise PortInUse(self.name, self.config.host, port)
        self.prepare()
        self.process.start(self.command(), env=self.env(), cwd=self.home)
        self.wait_healthy(self.config.start_timeout_s)

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.process.is_running():
                code = self.process.exit_code()
                raise ComponentFailed(
                    self.name, f"process exited (code {code})", self.process.log_tail()
                )
            if self.healthy():
                return
            time.sleep(0.1)
        tail = self.process.log_tail()
        self.process.stop()
        raise ComponentFailed(self.name, f"not healthy after {timeout:.0f} s", tail)

    def status(self) -> ComponentStatus:
        info = self.process.info()
        healthy = info is not None and self.healthy()
        state = "stopped" if info is None else ("running" if healthy else "unhealthy")
        return ComponentStatus(
            name=self.name,
            state=state,
            healthy=healthy,
            url=self.url,
            port=self.ports[0],
            pid=info.pid if info else None,
            uptime_s=round(time.time() - info.started_at, 1) if info else None,
        )

    @property
    def log_file(self) -> Path:
        return self.process.log_file
