"""An in-memory :class:`SchemaLog` for unit tests: a list of encoded records.

Records go through the same encode/decode as the Kafka log, so the record layout is exercised
too; a list shared between two instances stands for the topic surviving a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from pipeway.registry.records import decode, encode
from pipeway.registry.settings import RegistrySettings
from pipeway.registry.state import RegistryState
from pipeway.registry.store import WritePlan

T = TypeVar("T")
Messages = list[tuple[bytes, bytes | None]]


class InMemoryLog:
    def __init__(self, state: RegistryState, messages: Messages | None = None) -> None:
        self.state = state
        self.messages: Messages = messages if messages is not None else []
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        for key, value in self.messages:
            record = decode(key, value)
            if record is not None:
                self.state.apply(record)

    async def stop(self) -> None:
        return None

    async def write(self, plan: Callable[[], WritePlan[T]]) -> T:
        async with self._lock:
            planned = plan()
            for record in planned.records:
                key, value = encode(record)
                self.messages.append((key, value))
                decoded = decode(key, value)
                assert decoded is not None
                self.state.apply(decoded)
            return planned.result


def memory_log_factory(
    messages: Messages | None = None,
) -> Callable[[RegistrySettings, RegistryState], InMemoryLog]:
    """A ``log_factory`` for ``create_app``; pass the same list again to "restart"."""
    shared: Messages = messages if messages is not None else []
    return lambda _settings, state: InMemoryLog(state, shared)
