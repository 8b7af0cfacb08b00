"""The JSON-lines sink task: ``put`` buffers, ``flush`` writes and fsyncs.

The runtime commits the consumer offsets of the records ``put`` accepted only after
``flush`` returned, so a record is in Kafka's committed position only once it is on disk.
After a crash the records since the last commit are delivered again (at least once).
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Mapping, Sequence
from typing import IO, Any

from pipeway.connect.api import SinkRecord, SinkTask, SinkTaskContext
from pipeway.connect.exceptions import RecordError, RetriableError
from pipeway_example_fs.settings import JsonLinesSinkSettings

log = logging.getLogger(__name__)


class JsonLinesSinkTask(SinkTask):
    """Appends ``{"topic", "partition", "offset", "timestamp", "key", "value"}`` lines."""

    config: JsonLinesSinkSettings

    def __init__(
        self,
        config: JsonLinesSinkSettings,
        task_config: Mapping[str, Any],
        context: SinkTaskContext,
    ) -> None:
        super().__init__(config, task_config, context)
        self._buffer: list[str] = []
        self._file: IO[str] | None = None

    def start(self) -> None:
        """Open the file for appending: the one cheap probe that it is writable."""
        self._file = self.config.file.open("a", encoding="utf-8")

    def put(self, records: Sequence[SinkRecord]) -> None:
        """Buffer one JSON line per record; a record JSON cannot hold is a RecordError."""
        for record in records:
            try:
                line = json.dumps(to_document(record), ensure_ascii=False, allow_nan=False)
            except (TypeError, ValueError) as exc:
                # the lines buffered so far count as accepted; this one goes to the DLQ
                raise RecordError(f"not JSON serializable: {exc}", record) from exc
            self._buffer.append(line + "\n")

    def flush(self) -> None:
        """Write the buffer and fsync; a full disk is retried at the next commit interval."""
        if not self._buffer:
            return
        if self._file is None:
            raise RuntimeError("flush() before start()")
        try:
            self._file.writelines(self._buffer)
            self._file.flush()
            if self.config.fsync:
                os.fsync(self._file.fileno())
        except OSError as exc:
            raise RetriableError(f"cannot write {self.config.file}: {exc}") from exc
        log.debug("flushed lines=%s file=%s", len(self._buffer), self.config.file)
        self._buffer = []

    def stop(self) -> None:
        """Close the file; unflushed lines are dropped (their offsets were not committed)."""
        if self._file is not None:
            self._file.close()
            self._file = None


def to_document(record: SinkRecord) -> dict[str, Any]:
    """A new dict for ``record`` (the record itself is never changed); key bytes as base64."""
    key = record.key
    if isinstance(key, bytes):
        key = base64.b64encode(key).decode("ascii")
    return {
        "topic": record.topic,
        "partition": record.kafka_partition,
        "offset": record.kafka_offset,
        "timestamp": record.timestamp,
        "key": key,
        "value": record.value,
    }
