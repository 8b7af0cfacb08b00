"""The fenced single writer: a transactional producer whose id every instance shares.

``init_transactions()`` with the shared ``transactional.id`` bumps the producer epoch, which
fences every other holder: their next produce or commit fails. So a commit can only succeed
for the instance that initialised last, and only if nobody initialised since — which is what
lets a writer trust the state it read after initialising (see docs/registry.md). The producer
is kept between writes; it is only replaced after an error (a fenced producer is unusable).

All methods block and are meant for one dedicated thread.
"""

from __future__ import annotations

import contextlib
import logging
import time

from confluent_kafka import KafkaError, KafkaException, Message, Producer

from pipeway.registry.settings import RegistrySettings
from pipeway.registry.topic import kafka_config

log = logging.getLogger(__name__)


class _ExpectedFenceFilter(logging.Filter):
    """librdkafka reports being fenced as a fatal error; here it is the normal hand-over of
    the writer role between instances (the write is retried), so log it as INFO."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if record.levelno > logging.INFO and ("fenced" in text or "old epoch" in text):
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


_librdkafka_log = logging.getLogger("pipeway.registry.kafka.writer")
_librdkafka_log.addFilter(_ExpectedFenceFilter())


class WriteAborted(Exception):
    """The transaction did not commit (fenced, aborted, timed out): retry from the start."""


class FencedWriter:
    def __init__(self, settings: RegistrySettings) -> None:
        self._settings = settings
        self._producer: Producer | None = None

    def ensure_ready(self) -> None:
        """Create and initialise the producer if there is none (fencing the previous holder)."""
        if self._producer is not None:
            return
        started = time.monotonic()
        producer = Producer(
            {
                **kafka_config(self._settings),
                "logger": _librdkafka_log,
                "transactional.id": self._settings.effective_transactional_id,
                "transaction.timeout.ms": int(self._settings.write_timeout_s * 1000),
                "linger.ms": 0,
                "enable.idempotence": True,
                # init_transactions right after another instance's commit gets
                # CONCURRENT_TRANSACTIONS until the markers are written: retry quickly
                "retry.backoff.ms": 10,
                "retry.backoff.max.ms": 100,
            }
        )
        try:
            producer.init_transactions(self._settings.kafka_timeout_s)
        except KafkaException as exc:
            raise WriteAborted(f"init_transactions failed: {exc.args[0]}") from exc
        self._producer = producer
        log.info(
            "writer initialised transactional_id=%s elapsed_ms=%.0f",
            self._settings.effective_transactional_id,
            (time.monotonic() - started) * 1000,
        )

    def commit(self, messages: list[tuple[bytes, bytes | None]]) -> int:
        """Append ``messages`` in one transaction; the offset of the last one."""
        producer = self._producer
        if producer is None:
            raise WriteAborted("writer not initialised")
        offsets: list[int] = []
        errors: list[KafkaError] = []

        def delivered(err: KafkaError | None, msg: Message) -> None:
            if err is not None:
                errors.append(err)
            else:
                offsets.append(msg.offset() or 0)

        try:
            producer.begin_transaction()
            for key, value in messages:
                producer.produce(self._settings.topic, key=key, value=value, on_delivery=delivered)
            producer.commit_transaction(self._settings.kafka_timeout_s)
        except KafkaException as exc:
            self._discard(exc.args[0])
            raise WriteAborted(str(exc.args[0])) from exc
        if errors or len(offsets) != len(messages):
            self._discard(errors[0] if errors else None)
            raise WriteAborted(f"delivery failed: {errors}")
        return max(offsets)

    def _discard(self, error: KafkaError | None) -> None:
        """Drop the producer after any failure; the next write initialises a new one.

        Simpler than telling abortable from fatal errors, and always correct: the new
        producer's ``init_transactions`` aborts whatever the old one left open.
        """
        log.info(
            "discarding transactional producer error=%s fenced=%s",
            error,
            error is not None and error.code() in _FENCED_CODES,
        )
        producer, self._producer = self._producer, None
        if producer is not None:
            with contextlib.suppress(KafkaException, RuntimeError):
                producer.purge()

    def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.flush(1)


_FENCED_CODES = {
    KafkaError._FENCED,
    KafkaError.PRODUCER_FENCED,
    KafkaError.INVALID_PRODUCER_EPOCH,
}
