"""Errors raised while setting up or running the local platform."""

from __future__ import annotations

from pipeway.errors import ConfigError, PipewayError


class PlatformError(PipewayError):
    """Base class for local platform failures."""


class PrerequisiteMissing(PlatformError):
    """A required tool (Java, Maven) is not installed or too old."""

    def __init__(self, tool: str, hint: str) -> None:
        super().__init__(f"{tool} is required: {hint}")
        self.tool = tool
        self.hint = hint

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.tool, self.hint))


class ArtifactResolutionError(PlatformError):
    """Maven could not resolve an engine's jars."""

    def __init__(self, engine: str, detail: str) -> None:
        super().__init__(f"could not resolve the {engine} jars with Maven: {detail}")
        self.engine = engine
        self.detail = detail

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.engine, self.detail))


class PortInUse(PlatformError):
    """A component's port is already taken by another process."""

    def __init__(self, component: str, host: str, port: int) -> None:
        super().__init__(
            f"{component} cannot start: port {port} on {host} is already in use "
            f"(stop what holds it, or choose another port with --{component}-port)"
        )
        self.component = component
        self.host = host
        self.port = port

    def __reduce__(self) -> tuple[type, tuple[str, str, int]]:
        return (type(self), (self.component, self.host, self.port))


class ComponentFailed(PlatformError):
    """A component exited or never became healthy; carries the end of its log."""

    def __init__(self, component: str, reason: str, log_tail: str = "") -> None:
        message = f"{component} failed to start: {reason}"
        if log_tail:
            message += f"\n--- last lines of the {component} log ---\n{log_tail}"
        super().__init__(message)
        self.component = component
        self.reason = reason
        self.log_tail = log_tail

    def __reduce__(self) -> tuple[type, tuple[str, str, str]]:
        return (type(self), (self.component, self.reason, self.log_tail))


class UnknownComponent(ConfigError):
    """--only/--skip named a component the platform does not have."""

    def __init__(self, names: list[str], known: list[str]) -> None:
        super().__init__(f"unknown component(s): {', '.join(names)}; known: {', '.join(known)}")
        self.names = names
        self.known = known

    def __reduce__(self) -> tuple[type, tuple[list[str], list[str]]]:
        return (type(self), (self.names, self.known))
