"""Tailing ``_schemas`` into the state: a consumer thread feeding the event loop.

The consumer (``read_committed``, so aborted writes never show) runs in its own thread because
its calls block; decoded records are handed to the event loop with ``call_soon_threadsafe`` and
applied there, so the state is only ever touched from the loop and request handlers need no
locks. ``position`` is the offset up to which the state holds the log, which is what writers
wait on to see their own records.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Message, TopicPartition

from pipeway.registry.exceptions import StoreError, StoreTimeoutError
from pipeway.registry.records import Record, decode
from pipeway.registry.settings import RegistrySettings
from pipeway.registry.topic import kafka_config

log = logging.getLogger(__name__)

POLL_TIMEOUT_S = 0.1
BATCH_SIZE = 500


class LogTailer:
    def __init__(self, settings: RegistrySettings, apply: Callable[[Record], None]) -> None:
        self._settings = settings
        self._apply = apply
        self._tp = TopicPartition(settings.topic, 0)
        self.position = 0
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._consumer: Consumer | None = None
        self._meta: Consumer | None = None  # watermark queries, from other threads

    def _new_consumer(self) -> Consumer:
        return Consumer(
            {
                **kafka_config(self._settings),
                "group.id": self._settings.effective_group_id,
                "enable.auto.commit": False,
                "isolation.level": "read_committed",
                "auto.offset.reset": "earliest",
                "fetch.wait.max.ms": 100,
            }
        )

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._consumer = self._new_consumer()
        self._consumer.assign([TopicPartition(self._settings.topic, 0, OFFSET_BEGINNING)])
        self._meta = self._new_consumer()
        self._thread = threading.Thread(target=self._run, name="registry-tailer", daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 5)
        for consumer in (self._consumer, self._meta):
            if consumer is not None:
                await asyncio.to_thread(consumer.close)
        for _, waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(StoreError("registry is shutting down"))

    async def end_offset(self) -> int:
        """The offset after the last record of the log (what "caught up" means)."""
        assert self._meta is not None, "start() first"
        meta = self._meta
        try:
            _, high = await asyncio.to_thread(
                meta.get_watermark_offsets, self._tp, self._settings.kafka_timeout_s, False
            )
        except KafkaException as exc:
            raise StoreError(f"Error in the backend data store: {exc.args[0]}") from exc
        return int(high)

    async def wait_for(self, offset: int, timeout: float) -> None:
        """Return once the state holds every record before ``offset``."""
        if self.position >= offset:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((offset, waiter))
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            raise StoreTimeoutError(
                f"Operation timed out: the schemas log was read up to offset {self.position} "
                f"of {offset}"
            ) from None

    def _deliver(self, records: list[Record], position: int) -> None:
        """On the event loop: apply a batch, advance the position, wake satisfied waiters."""
        for record in records:
            try:
                self._apply(record)
            except Exception:  # one bad record must not stop the registry
                log.exception("failed to apply record=%r", record)
        self.position = max(self.position, position)
        pending = []
        for offset, waiter in self._waiters:
            if offset <= self.position:
                if not waiter.done():
                    waiter.set_result(None)
            else:
                pending.append((offset, waiter))
        self._waiters = pending

    def _run(self) -> None:
        """Consumer thread: poll, decode, hand over; also report position moves past markers."""
        assert self._consumer is not None and self._loop is not None
        consumer, loop, reported = self._consumer, self._loop, -1
        while not self._stopping.is_set():
            try:
                messages = self._poll(consumer)
                position = self._read_position(consumer, messages)
            except KafkaException as exc:
                log.warning("tailer poll failed topic=%s error=%s", self._settings.topic, exc)
                self._stopping.wait(0.5)
                continue
            if messages or position > reported:
                reported = max(reported, position)
                records = [r for r in map(_decode_message, messages) if r is not None]
                try:
                    loop.call_soon_threadsafe(self._deliver, records, reported)
                except RuntimeError:  # the loop is closed: the process is exiting
                    return

    @staticmethod
    def _poll(consumer: Consumer) -> list[Message]:
        first = consumer.poll(POLL_TIMEOUT_S)
        if first is None:
            return []
        return [first, *consumer.consume(BATCH_SIZE, 0)]

    def _read_position(self, consumer: Consumer, messages: list[Message]) -> int:
        """The next offset to read; moves past transaction markers that yield no message."""
        offset = consumer.position([self._tp])[0].offset
        if offset < 0:  # nothing consumed yet
            offsets = [m.offset() or 0 for m in messages if m.error() is None]
            return max(offsets) + 1 if offsets else 0
        return int(offset)


def _decode_message(message: Message) -> Record | None:
    error = message.error()
    if error is not None:
        log.warning("tailer message error=%s", error)
        return None
    return decode(message.key(), message.value())
