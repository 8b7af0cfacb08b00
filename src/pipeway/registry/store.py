"""The log behind the registry: an interface, and its Kafka implementation.

Every change is a record appended to the log, and the state is only ever changed by applying
records read back from it. :class:`SchemaLog` is the small interface the service depends on;
:class:`KafkaSchemaLog` implements it on a compacted topic with a tailing consumer and a
fenced transactional writer (see docs/registry.md, "How multi-instance writes are ordered").
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from pipeway.registry.exceptions import StoreError, StoreTimeoutError
from pipeway.registry.records import Record, encode
from pipeway.registry.settings import RegistrySettings
from pipeway.registry.state import RegistryState
from pipeway.registry.tailer import LogTailer
from pipeway.registry.topic import ensure_topic
from pipeway.registry.writer import FencedWriter, WriteAborted

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_WRITE_ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class WritePlan(Generic[T]):
    """Records to append (possibly none) and the result to answer once they are applied."""

    records: list[Record]
    result: T


class SchemaLog(Protocol):
    """What the service needs from the log."""

    async def start(self) -> None:
        """Replay the log into the state; return once the state is current."""

    async def stop(self) -> None: ...

    async def write(self, plan: Callable[[], WritePlan[T]]) -> T:
        """Run ``plan`` on a state that holds every record written so far, append its records
        atomically, and return its result once this instance's state holds them."""
        ...


class KafkaSchemaLog:
    """:class:`SchemaLog` on a compacted, single-partition Kafka topic."""

    def __init__(self, settings: RegistrySettings, state: RegistryState) -> None:
        self._settings = settings
        self._tailer = LogTailer(settings, state.apply)
        self._writer = FencedWriter(settings)
        self._lock = asyncio.Lock()  # one write at a time per instance
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="registry-writer")

    async def start(self) -> None:
        started = time.monotonic()
        await asyncio.to_thread(ensure_topic, self._settings)
        await self._tailer.start()
        end = await self._tailer.end_offset()
        await self._tailer.wait_for(end, self._settings.startup_timeout_s)
        log.info(
            "registry state loaded topic=%s end_offset=%d elapsed_ms=%.0f",
            self._settings.topic,
            end,
            (time.monotonic() - started) * 1000,
        )

    async def stop(self) -> None:
        await self._tailer.stop()
        await asyncio.get_running_loop().run_in_executor(self._executor, self._writer.close)
        self._executor.shutdown(wait=False)

    async def write(self, plan: Callable[[], WritePlan[T]]) -> T:
        async with self._lock:
            deadline = time.monotonic() + self._settings.write_timeout_s
            for attempt in range(1, MAX_WRITE_ATTEMPTS + 1):
                try:
                    return await self._attempt(plan, deadline)
                except WriteAborted as exc:
                    log.info("write aborted attempt=%d reason=%s; retrying", attempt, exc)
                    if time.monotonic() > deadline:
                        break
                    await asyncio.sleep(random.uniform(0.01, 0.05) * attempt)
            raise StoreError("Error in the backend data store: write failed after retries")

    async def _attempt(self, plan: Callable[[], WritePlan[T]], deadline: float) -> T:
        """Hold the transactional id, catch up with the log, plan, append, see it applied."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._writer.ensure_ready)
        end = await self._tailer.end_offset()
        await self._tailer.wait_for(end, _remaining(deadline))
        planned = plan()  # on the event loop: the state cannot change under it
        if not planned.records:
            return planned.result
        messages = [encode(record) for record in planned.records]
        last_offset = await loop.run_in_executor(self._executor, self._writer.commit, messages)
        await self._tailer.wait_for(last_offset + 1, _remaining(deadline))
        return planned.result


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise StoreTimeoutError("Operation timed out waiting for the schemas log")
    return left
