"""The MariaDB GTID dump request: its length header must match what follows (see
binlog_reader: a one-byte overrun made the server reset every large non-blocking dump)."""

from __future__ import annotations

import struct

from pymysql.constants.COMMAND import COM_BINLOG_DUMP

from pipeway.connect.sources.mysql_cdc.binlog_reader import (
    BINLOG_DUMP_NON_BLOCK,
    BINLOG_SEND_ANNOTATE_ROWS_EVENT,
    mariadb_dump_packet,
)


def test_dump_request_length_header_matches_payload() -> None:
    packet = mariadb_dump_packet(5400, blocking=False)
    length = int.from_bytes(packet[:3], "little")
    assert packet[3] == 0  # sequence id
    assert length == len(packet) - 4 == 11


def test_dump_request_fields() -> None:
    packet = mariadb_dump_packet(2**32 - 1, blocking=False, annotate_rows=True)
    payload = packet[4:]
    assert payload[0] == COM_BINLOG_DUMP
    pos, flags, server_id = struct.unpack("<IHI", payload[1:])
    assert pos == 4 and server_id == 2**32 - 1
    assert flags == BINLOG_DUMP_NON_BLOCK | BINLOG_SEND_ANNOTATE_ROWS_EVENT
    blocking = mariadb_dump_packet(7, blocking=True)[4:]
    assert struct.unpack("<IHI", blocking[1:])[1] == 0
