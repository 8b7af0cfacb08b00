"""The line-file source task: new lines of the folder's files, resumable to the byte.

Each file is one source partition ``{"file": name}``; the offset of a record is
``{"position": p, "line_no": n}`` where ``p`` is the byte offset just after its line. The
runtime commits an offset only once Kafka holds every record up to it, and a (re)started
task reads each file from its committed position, so a restart neither skips nor repeats
a line. A line is emitted only once it ends with a newline (a writer may be mid-line).
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO

from pipeway.connect.api import SourceRecord, SourceTask, SourceTaskContext
from pipeway_example_fs.settings import LineFileSettings

log = logging.getLogger(__name__)

TASK_INDEX = "task.index"
TASK_COUNT = "task.count"
READ_CHUNK = 64 * 1024
"""Bytes read at a time; a line longer than this is read in several chunks."""

LINE_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "Line",
    "namespace": "pipeway.example.fs",
    "doc": "One line of a text file.",
    "fields": [
        {"name": "file", "type": "string", "doc": "File name, relative to the folder."},
        {"name": "line_no", "type": "long", "doc": "1-based line number."},
        {"name": "text", "type": "string", "doc": "The line without its line ending."},
    ],
}
"""One dict object for every record: the runtime registers it once and caches by identity."""


def owner(file_name: str, task_count: int) -> int:
    """The index of the task that reads ``file_name`` (stable across restarts)."""
    return zlib.crc32(file_name.encode()) % task_count


class LineFileTask(SourceTask):
    """Reads the files of one folder that hash to this task, ``batch.size`` lines a poll."""

    config: LineFileSettings

    def __init__(
        self, config: LineFileSettings, task_config: Mapping[str, Any], context: SourceTaskContext
    ) -> None:
        super().__init__(config, task_config, context)  # validate, no I/O
        self._index = int(task_config.get(TASK_INDEX, 0))
        self._count = int(task_config.get(TASK_COUNT, 1))
        self._positions: dict[str, tuple[int, int]] = {}  # file -> (byte position, line_no)

    def start(self) -> None:
        """Probe the folder once; positions are loaded per file when it is first seen."""
        if not self.config.path.is_dir():
            raise FileNotFoundError(f"{self.config.path} is not a folder")
        log.info(
            "line-file task started path=%s pattern=%s task=%s/%s",
            self.config.path,
            self.config.file_pattern,
            self._index,
            self._count,
        )

    def poll(self) -> Sequence[SourceRecord]:
        """Up to ``batch.size`` new lines; [] after ``poll.interval.ms`` when there are none."""
        records: list[SourceRecord] = []
        for name in self._my_files():
            room = self.config.batch_size - len(records)
            if room <= 0:
                break
            records += self._read_lines(name, room)
        if not records:
            time.sleep(self.config.poll_interval_ms / 1000)  # stays well under a second
        return records

    def commit(self, offsets: Mapping[Any, Mapping[str, Any]]) -> None:
        """Offsets are in Kafka now; a file source has nothing to acknowledge upstream."""
        log.debug("offsets committed files=%s", len(offsets))

    def stop(self) -> None:
        """No connection to release: files are opened per read."""
        log.info("line-file task stopped task=%s", self._index)

    def _my_files(self) -> list[str]:
        folder = self.config.path
        names = sorted(
            p.relative_to(folder).as_posix()
            for p in folder.glob(self.config.file_pattern)
            if p.is_file()
        )
        return [n for n in names if owner(n, self._count) == self._index]

    def _position(self, name: str) -> tuple[int, int]:
        if name not in self._positions:
            offset = self.context.offset({"file": name}) or {}
            self._positions[name] = (int(offset.get("position", 0)), int(offset.get("line_no", 0)))
        return self._positions[name]

    def _read_lines(self, name: str, limit: int) -> list[SourceRecord]:
        path = self.config.path / name
        position, line_no = self._position(name)
        try:
            size = path.stat().st_size
        except FileNotFoundError:  # deleted since the folder was listed
            return []
        if size < position:  # truncated or replaced: start it again
            log.warning("file shrank, reading it again file=%s size=%s", name, size)
            position, line_no = 0, 0
        if size == position:
            return []
        records: list[SourceRecord] = []
        with path.open("rb") as f:
            f.seek(position)
            for raw in _complete_lines(f, limit):
                position += len(raw)
                line_no += 1
                records.append(self._record(name, raw, position, line_no))
        self._positions[name] = (position, line_no)
        return records

    def _record(self, name: str, raw: bytes, position: int, line_no: int) -> SourceRecord:
        text = raw.rstrip(b"\r\n").decode("utf-8", errors="replace")
        return SourceRecord(
            topic=self.config.topic,
            key=name,  # lines of one file stay in order on one Kafka partition
            value={"file": name, "line_no": line_no, "text": text},
            key_schema="string",
            value_schema=LINE_SCHEMA,
            source_partition={"file": name},
            source_offset={"position": position, "line_no": line_no},
        )


def _complete_lines(f: BinaryIO, limit: int) -> list[bytes]:
    """Up to ``limit`` newline-terminated lines from ``f``'s position; a partial tail waits."""
    lines: list[bytes] = []
    pending = b""
    while len(lines) < limit:
        chunk = f.read(READ_CHUNK)
        if not chunk:
            break
        *complete, pending = (pending + chunk).split(b"\n")
        lines += [line + b"\n" for line in complete]
    return lines[:limit]
