"""The local platform: starts, stops and reports its components in dependency order."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

from pipeway.platform import artifacts
from pipeway.platform.components.base import Component, ComponentStatus
from pipeway.platform.components.connect import ConnectComponent
from pipeway.platform.components.kafka import KafkaComponent
from pipeway.platform.components.mariadb import MariaDbComponent
from pipeway.platform.components.registry import RegistryComponent
from pipeway.platform.config import PlatformConfig
from pipeway.platform.exceptions import PlatformError, UnknownComponent

log = logging.getLogger(__name__)

COMPONENT_TYPES: tuple[type[Component], ...] = (
    KafkaComponent,
    RegistryComponent,
    MariaDbComponent,
    ConnectComponent,
)
ENGINES: dict[str, str] = {"kafka": "kafka"}
Notify = Callable[[str], None]


class Platform:
    """All components of one data directory, in start order."""

    def __init__(self, config: PlatformConfig) -> None:
        self.config = config
        self.components: dict[str, Component] = {t.name: t(config) for t in COMPONENT_TYPES}

    def select(
        self, only: Iterable[str] | None = None, skip: Iterable[str] | None = None
    ) -> list[Component]:
        """Components chosen by ``--only``/``--skip``, in start order.

        Raises:
            UnknownComponent: when a name is not a component of the platform.
        """
        only_set, skip_set = set(only or ()), set(skip or ())
        unknown = sorted((only_set | skip_set) - self.components.keys())
        if unknown:
            raise UnknownComponent(unknown, list(self.components))
        names = only_set or set(self.components)
        return [c for n, c in self.components.items() if n in names and n not in skip_set]

    def prepare_artifacts(self, components: list[Component], notify: Notify | None = None) -> None:
        """Resolve the jars the chosen components need (quick once cached)."""
        for component in components:
            engine = ENGINES.get(component.name)
            if engine and not artifacts.is_resolved(engine):
                if notify:
                    notify(f"resolving {engine} jars with Maven (first run only)")
                artifacts.resolve(engine)

    def up(
        self,
        only: Iterable[str] | None = None,
        skip: Iterable[str] | None = None,
        notify: Notify | None = None,
    ) -> list[ComponentStatus]:
        """Start every chosen component that is not already running; idempotent."""
        chosen = self.select(only, skip)
        self.prepare_artifacts(chosen, notify)
        self.config.save()
        for component in chosen:
            self._check_dependencies(component)
            if component.process.is_running():
                component.wait_healthy(self.config.start_timeout_s)
                continue
            started = time.monotonic()
            component.start()
            if notify:
                notify(f"{component.name} healthy in {time.monotonic() - started:.1f} s")
        return [c.status() for c in chosen]

    def down(
        self, only: Iterable[str] | None = None, skip: Iterable[str] | None = None
    ) -> list[str]:
        """Stop the chosen components in reverse order; returns the names that were stopped."""
        stopped = []
        for component in reversed(self.select(only, skip)):
            if component.process.stop():
                stopped.append(component.name)
        return stopped

    def status(
        self, only: Iterable[str] | None = None, skip: Iterable[str] | None = None
    ) -> list[ComponentStatus]:
        return [c.status() for c in self.select(only, skip)]

    def supervise(
        self,
        stop: threading.Event,
        only: Iterable[str] | None = None,
        skip: Iterable[str] | None = None,
        interval_s: float = 2.0,
    ) -> None:
        """Restart chosen components that died, until ``stop`` is set (foreground mode)."""
        chosen = self.select(only, skip)
        while not stop.wait(interval_s):
            for component in chosen:
                if component.process.is_running():
                    continue
                log.warning("component=%s exited; restarting", component.name)
                try:
                    component.start()
                except PlatformError as exc:
                    log.error("component=%s restart failed: %s", component.name, exc)

    def _check_dependencies(self, component: Component) -> None:
        for dep in component.depends_on:
            if not self.components[dep].process.is_running():
                raise PlatformError(
                    f"{component.name} needs {dep}, which is not running "
                    f"(start it too, or drop it from --skip)"
                )
