"""The compiled row decoder emits exactly the records of the Python path, on the real MariaDB.

Two tasks read the same binlog, one with the native decoder and one with
``PIPEWAY_BINLOG_NATIVE=0``, over a table with every mapped column type: extreme, negative
and zero values, NULLs, multi-byte and latin1 text, inserts, updates (also of the key),
deletes, and ``binlog_row_image`` FULL, MINIMAL and NOBLOB.
"""

from __future__ import annotations

from typing import Any

import pytest

from pipeway.connect.api import SourceRecord
from pipeway.connect.sources.mysql_cdc.task import MySqlCdcTask
from tests.integration.connect.sources.mysql_cdc.conftest import (
    OffsetContext,
    drain,
    execute,
    start_task,
)

pytestmark = pytest.mark.integration

COLUMNS = """
  id INT PRIMARY KEY,
  ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, su SMALLINT UNSIGNED,
  mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED,
  bi BIGINT, bu BIGINT UNSIGNED, bo BOOLEAN,
  f FLOAT, fmd FLOAT(7,2), d DOUBLE,
  dec1 DECIMAL(12,3), dec0 DECIMAL(5,0), dec33 DECIMAL(3,3), dec65 DECIMAL(65,30),
  dt DATE, tm TIME, tm1 TIME(1), tm3 TIME(3), tm6 TIME(6),
  dtm DATETIME, dtm3 DATETIME(3), dtm6 DATETIME(6),
  ts TIMESTAMP NULL, ts3 TIMESTAMP(3) NULL, ts6 TIMESTAMP(6) NULL, y YEAR,
  ch CHAR(3), ch64 CHAR(64), vc VARCHAR(20), vl VARCHAR(300),
  lat VARCHAR(20) CHARACTER SET latin1, asci VARCHAR(10) CHARACTER SET ascii,
  tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, lt LONGTEXT,
  tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB, bn BINARY(4), vb VARBINARY(10),
  e ENUM('a','b','ç'), st SET('x','y','z'), j JSON,
  b1 BIT(1), b8 BIT(8), b12 BIT(12), b64 BIT(64),
  secret VARCHAR(10)
"""

MAXIMA = """(1, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295,
  9223372036854775807, 18446744073709551615, 1,
  3.4e38, 99999.99, 1.7976931348623157e308,
  999999999.999, 99999, 0.999, '99999999999999999999999999999999999.999999999999999999999999999999',
  '9999-12-31', '838:59:59', '838:59:59.9', '838:59:59.999', '838:59:59.999999',
  '9999-12-31 23:59:59', '9999-12-31 23:59:59.999', '9999-12-31 23:59:59.999999',
  '2038-01-19 03:14:07', '2038-01-19 03:14:07.999', '2038-01-19 03:14:07.999999', 2155,
  'abc', REPEAT('✓', 64), '😀 emoji ✓', REPEAT('ü', 300), 'café € œ', 'plain',
  'tiny', 'text ✓', 'medium', REPEAT('long ', 20000),
  x'00', x'00ff', x'ff', REPEAT('x', 70000), x'01020304', x'00ff61',
  'ç', 'x,y,z', '{"a": [1, 2], "b": "ü"}',
  b'1', b'11111111', b'111111111111', 18446744073709551615,
  'secret')"""

MINIMA = """(2, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0,
  -9223372036854775808, 0, 0,
  -1.5, -0.01, -2.25,
  -123456789.123, -99999, -0.001, '-0.000000000000000000000000000001',
  '1000-01-01', '-838:59:59', '-00:00:00.5', '-838:59:59.123', '-12:34:56.000001',
  '1000-01-01 00:00:00', '1970-01-01 00:00:00.001', '1969-12-31 23:59:59.999999',
  '1970-01-01 00:00:01', '1970-01-01 00:00:01.001', '2024-05-06 07:08:09.000001', 1901,
  '', '', '', '', '', '', '', '', '', '',
  '', '', '', '', x'01', x'',
  'a', '', '[]',
  b'0', b'0', b'0', b'0', '')"""

ZEROS = """(3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  '0000-00-00', '00:00:00', '00:00:00.0', '00:00:00.000', '00:00:00.000000',
  '0000-00-00 00:00:00', '0000-00-00 00:00:00.000', '0000-00-00 00:00:00.000000',
  '0000-00-00 00:00:00', '0000-00-00 00:00:00.000', '0000-00-00 00:00:00.000000', 0,
  ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', '', '', '', '', x'', x'',
  'b', 'y', '{}', b'0', b'0', b'0', b'0', NULL)"""


def _statements(table: str) -> list[str]:
    return [
        "SET SESSION time_zone = '+00:00'",
        "SET SESSION sql_mode = ''",  # zero dates allowed
        "SET SESSION binlog_row_image = 'FULL'",
        f"INSERT INTO {table} VALUES {MAXIMA}, {MINIMA}, {ZEROS}",
        f"INSERT INTO {table} (id) VALUES (4)",  # every other column NULL
        f"INSERT INTO {table} (id, dt, tm3, e) VALUES (5, '2024-00-10', '-00:00:01.5', 'b')",
        f"UPDATE {table} SET vc = 'ünïcode', dec1 = -0.5, st = 'y', b12 = b'1' WHERE id = 1",
        f"UPDATE {table} SET i = i + 1 WHERE id IN (2, 4)",
        f"UPDATE {table} SET id = 10 WHERE id = 3",  # key change: delete, tombstone, create
        f"DELETE FROM {table} WHERE id = 2",
        "SET SESSION binlog_row_image = 'MINIMAL'",
        f"UPDATE {table} SET tm6 = '-00:00:00.000001', lat = 'naïve' WHERE id = 1",
        f"INSERT INTO {table} (id, vc) VALUES (6, 'minimal')",
        f"DELETE FROM {table} WHERE id = 10",
        "SET SESSION binlog_row_image = 'NOBLOB'",
        f"UPDATE {table} SET ti = 7 WHERE id = 1",
        f"INSERT INTO {table} (id, bl, tx) VALUES (7, x'beef', 'noblob')",
    ]


def _comparable(record: SourceRecord) -> tuple[Any, ...]:
    """Everything a record carries except the envelope's processing time (``ts_ms``)."""
    value = dict(record.value) if record.value is not None else None
    if value is not None:
        value.pop("ts_ms")
    return (
        record.topic,
        repr(record.key),
        repr(value),  # repr: Decimal('1.0') == Decimal('1.00'), their reprs differ
        record.source_partition,
        record.source_offset,
        record.key_schema,
        record.value_schema,
    )


SETTINGS = [
    {},
    {"decimal.handling.mode": "string", "bigint.unsigned.handling.mode": "precise"},
    {"decimal.handling.mode": "double"},
]


@pytest.mark.parametrize("overrides", SETTINGS, ids=["default", "string-precise", "double"])
def test_native_decoder_emits_the_python_paths_records(
    settings_for: Any, database: str, root: Any, monkeypatch: pytest.MonkeyPatch, overrides: Any
) -> None:
    table = f"{database}.every_type"
    execute(root, f"CREATE TABLE {table} ({COLUMNS})")
    config = {"column.exclude.list": f"{database}\\.every_type\\.secret", **overrides}
    tasks: dict[str, MySqlCdcTask] = {}
    for name, flag in (("native", "1"), ("python", "0")):
        monkeypatch.setenv("PIPEWAY_BINLOG_NATIVE", flag)
        tasks[name] = start_task(settings_for(**config), OffsetContext())  # own server id
        drain(tasks[name])  # the (empty) snapshot
    try:
        execute(root, *_statements(table))
        native = drain(tasks["native"], 20)
        python = drain(tasks["python"], 20)
    finally:
        for task in tasks.values():
            task.stop()
    assert tasks["native"].native_rows and not tasks["python"].native_rows
    decoder = tasks["native"].streamer.native if tasks["native"].streamer else None
    assert decoder is not None and decoder.native_events >= 10 and decoder.python_events == 0
    ops = [r.value["op"] if r.value else None for r in native]
    assert {"c", "u", "d", None} <= set(ops), ops
    assert len(native) == len(python)
    for got, want in zip(native, python, strict=True):
        assert _comparable(got) == _comparable(want)
    after = native[0].value["after"]
    assert "secret" not in after and after["vc"] == "😀 emoji ✓"
