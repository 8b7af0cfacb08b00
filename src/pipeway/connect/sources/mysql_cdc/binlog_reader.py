"""``mysql-replication``'s stream reader, with MariaDB's GTID dump request sent correctly.

``BinLogStreamReader`` 1.0.17 asks MariaDB for a GTID dump (``SET @slave_connect_state``, then
``COM_BINLOG_DUMP`` with an empty file name) in a packet whose length header says 14 bytes
while 15 follow: the empty file name is written as four NUL bytes. The server reads the
declared 14 and leaves one byte unread in its socket. A non-blocking dump ends with the
server closing the connection (a dump is the connection's last command); closing a socket
with unread input makes the kernel send a TCP reset instead of a normal close, and a reset
discards whatever the client had not read yet. So every GTID dump that had more to send than
the socket buffers hold ended in ``Connection reset by peer`` (error 2013) before its EOF, and
the library reconnected from the same GTID, again and again. The file/pos request has the
right length, which is why it never showed there.

``BinlogReader`` sends the 11-byte request MariaDB documents (command, position, flags,
server id; the file name is the rest of the packet, empty). It also leaves reconnecting to
the streamer (which knows what was emitted): a lost connection raises ``BinlogConnectionLost``
instead of the library reconnecting by itself.
"""

from __future__ import annotations

import struct
from typing import Any

import pymysql
from pymysql.constants.COMMAND import COM_BINLOG_DUMP
from pymysqlreplication import BinLogStreamReader

from pipeway.connect.sources.mysql_cdc.server import Connection

BINLOG_DUMP_NON_BLOCK = 0x01
BINLOG_SEND_ANNOTATE_ROWS_EVENT = 0x02
_LOST = (2006, 2013)  # CR_SERVER_GONE_ERROR, CR_SERVER_LOST: the library would reconnect
READ_BUFFER_BYTES = 256 * 1024
"""Socket read buffer of the stream: one ``recv`` takes what arrived, up to this much (a
thread that reads packet by packet through PyMySQL's 8 KiB buffer gives up the GIL per recv
and waits for it again each time)."""


class BinlogConnectionLost(OSError):
    """The binlog stream's connection dropped (the streamer reconnects where it needs to)."""


def mariadb_dump_packet(server_id: int, blocking: bool, annotate_rows: bool = False) -> bytes:
    """A ``COM_BINLOG_DUMP`` packet for a dump positioned by ``@slave_connect_state``.

    Layout: 3-byte payload length, sequence id 0, then the payload: command byte, binlog
    position (4, ignored with GTIDs), flags (2), server id (4), file name (empty: the rest of
    the packet).
    """
    flags = 0 if blocking else BINLOG_DUMP_NON_BLOCK
    if annotate_rows:
        flags |= BINLOG_SEND_ANNOTATE_ROWS_EVENT
    payload = bytes([COM_BINLOG_DUMP]) + struct.pack("<IHI", 4, flags, server_id)
    return struct.pack("<I", len(payload))[:3] + b"\x00" + payload


class StreamConnection(Connection):
    """The reader's connections: a lost connection surfaces as ``BinlogConnectionLost``,
    and reads go through a large buffer."""

    def connect(self, sock: Any = None) -> None:
        super().connect(sock)
        # nothing is buffered after the handshake: the server waits for a command
        self._rfile = self._sock.makefile("rb", buffering=READ_BUFFER_BYTES)

    def _read_packet(self, packet_type: Any = pymysql.connections.MysqlPacket) -> Any:
        try:
            return super()._read_packet(packet_type)
        except pymysql.OperationalError as exc:
            if exc.args and exc.args[0] in _LOST:
                raise BinlogConnectionLost(str(exc.args[-1])) from exc
            raise


class BinlogReader(BinLogStreamReader):
    """``BinLogStreamReader`` with a well-formed MariaDB GTID dump request."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("pymysql_wrapper", StreamConnection)
        super().__init__(**kwargs)
        self._dump_server_id = int(kwargs["server_id"])
        self._dump_blocking = bool(kwargs.get("blocking", False))
        self._dump_annotate = bool(kwargs.get("annotate_rows_event", False))
        self.dump_requests = 0
        """Dump requests sent (each connection to the stream sends one)."""

    # overrides the library's name-mangled private method that builds the MariaDB request
    def _BinLogStreamReader__set_mariadb_settings(self) -> bytes:
        """Position the dump by GTID (``auto_position``) and return the dump request."""
        conn = self._stream_connection
        with conn.cursor() as cur:
            if self.auto_position is not None:
                cur.execute("SET @slave_connect_state = %s", (self.auto_position,))
            cur.execute("SET @slave_gtid_strict_mode = 1")
            cur.execute("SET @slave_gtid_ignore_duplicates = 0")
        self.dump_requests += 1
        return mariadb_dump_packet(self._dump_server_id, self._dump_blocking, self._dump_annotate)

    def stream_socket(self) -> Any:
        """The stream connection's socket (None when not connected)."""
        conn = getattr(self, "_stream_connection", None)
        return getattr(conn, "_sock", None)
