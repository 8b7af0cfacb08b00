"""Reading binlog events on a thread, so socket waits overlap the task's conversion work.

The task thread spends a good part of a poll waiting for the server's dump to arrive, and the
server's dump thread waits whenever the task is busy converting or producing and nobody
reads the socket. A reader thread fetches events (socket reads release the GIL) into a
bounded queue while the task thread builds change records from the events already read.

Events keep their order and the task thread keeps all position bookkeeping: the reader
thread never reconnects. The end of a non-blocking dump and a failure travel through the
queue after the events read before them, so the task thread handles everything that was
read, then decides where to reconnect (see ``streaming``).
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
from dataclasses import dataclass
from typing import Any

from pymysqlreplication.row_event import RowsEvent

from pipeway.connect.sources.mysql_cdc.binlog_reader import BinlogReader

_PUT_WAIT_S = 0.1
_JOIN_WAIT_S = 2.0


@dataclass(frozen=True, slots=True)
class EndOfStream:
    """The server sent everything it had (non-blocking dump): where the stream ended."""

    file: str
    pos: int


@dataclass(frozen=True, slots=True)
class ReadFailed:
    """Reading stopped with ``error`` (raised on the task thread when it gets here)."""

    error: BaseException


class InlineFeed:
    """Reads on the task thread itself (``binlog.prefetch.events=0``, the default)."""

    def __init__(self, reader: BinlogReader) -> None:
        self.reader = reader

    def get(self, timeout: float) -> Any:
        """The next event or ``EndOfStream`` (errors propagate; waits as long as the read)."""
        event = self.reader.fetchone()
        if event is None:
            return EndOfStream(str(self.reader.log_file), int(self.reader.log_pos))
        return event

    def close(self) -> None:
        self.reader.close()


class EventPrefetcher:
    """Runs ``reader.fetchone()`` on a thread, ``depth`` events ahead of the consumer."""

    def __init__(self, reader: BinlogReader, depth: int) -> None:
        self.reader = reader
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="mysql-cdc-binlog-reader", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        reader = self.reader
        try:
            while not self._stop.is_set():
                event = reader.fetchone()
                if event is None:
                    self._put(EndOfStream(str(reader.log_file), int(reader.log_pos)))
                    return
                if isinstance(event, RowsEvent):
                    # the task decodes rows later, while this thread reads on and may see a
                    # new table map under the same id: keep the one this event was read with
                    event.table_map = {event.table_id: event.table_map[event.table_id]}
                self._put(event)
        except BaseException as exc:  # handed to the task thread, which raises it
            self._put(ReadFailed(exc))

    def _put(self, item: Any) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_PUT_WAIT_S)
                return
            except queue.Full:
                continue

    def get(self, timeout: float) -> Any | None:
        """The next event, ``EndOfStream`` or ``ReadFailed``; None if none came in time."""
        try:
            if timeout <= 0:
                return self._queue.get_nowait()
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        """Stop the thread (a read blocked on the socket is cut short) and disconnect."""
        self._stop.set()
        sock = self.reader.stream_socket()
        if sock is not None and self._thread.is_alive():
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=_JOIN_WAIT_S)
        self.reader.close()
