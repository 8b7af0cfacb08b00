"""Every listed column type, read by the snapshot and by the binlog, against Debezium's mapping."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

import pytest

from tests.integration.connect.sources.mysql_cdc.conftest import (
    OffsetContext,
    assert_valid,
    data,
    drain,
    execute,
    start_task,
)

pytestmark = pytest.mark.integration

COLUMNS = """
  id INT PRIMARY KEY,
  ti TINYINT, t1 TINYINT(1), bo BOOLEAN, tu TINYINT UNSIGNED,
  si SMALLINT, su SMALLINT UNSIGNED, mi MEDIUMINT, mu MEDIUMINT UNSIGNED,
  i INT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED,
  f FLOAT, fmd FLOAT(7,2), d DOUBLE, dec1 DECIMAL(12,3), dec0 DECIMAL(5,0),
  dt DATE, tm TIME, tm3 TIME(3), tmn TIME(3), dtm DATETIME, dtm3 DATETIME(3), dtm6 DATETIME(6),
  ts TIMESTAMP NULL, ts3 TIMESTAMP(3) NULL, y YEAR,
  ch CHAR(3), vc VARCHAR(20), tx TEXT, lt LONGTEXT,
  bl BLOB, bn BINARY(4), vb VARBINARY(10),
  e ENUM('a','b'), st SET('x','y','z'), j JSON,
  b1 BIT(1), b12 BIT(12),
  nn VARCHAR(5) NOT NULL DEFAULT ''
"""

ROW_SQL = """(%d, -128, 1, 0, 255, -32768, 65535, -8388608, 16777215,
  -2147483648, 4294967295, -9223372036854775808, 18446744073709551615,
  1.5, 12345.67, -2.25, '-123456789.123', 99999,
  '2024-02-29', '-838:59:59', '12:34:56.789', '-838:59:59.123', '1000-01-01 00:00:00',
  '2024-01-02 03:04:05.123', '9999-12-31 23:59:59.999999',
  '2038-01-19 03:14:07', '2024-05-06 07:08:09.120', 2155,
  'ab', 'héllo wörld ✓', 'text', 'long',
  x'00ff', x'0102', x'00ff61',
  'b', 'z,x', '{"a": [1, 2]}',
  b'1', b'101010101010', 'x')"""

EXPECTED: dict[str, Any] = {
    "ti": -128,
    "t1": 1,
    "bo": 0,
    "tu": 255,
    "si": -32768,
    "su": 65535,
    "mi": -8388608,
    "mu": 16777215,
    "i": -2147483648,
    "iu": 4294967295,
    "bi": -9223372036854775808,
    "bu": -1,  # 2^64-1 wraps in bigint.unsigned.handling.mode=long, as in Debezium
    "f": 1.5,
    "fmd": 12345.67,
    "d": -2.25,
    "dec1": Decimal("-123456789.123"),
    "dec0": Decimal("99999"),
    "dt": 19782,
    "tm": -(838 * 3600 + 59 * 60 + 59) * 1_000_000,
    "tm3": (12 * 3600 + 34 * 60 + 56) * 1_000_000 + 789_000,
    "tmn": -((838 * 3600 + 59 * 60 + 59) * 1_000_000 + 123_000),
    "dtm": -30610224000000,
    "dtm3": 1704164645123,
    "dtm6": 253402300799999999,
    "ts": "2038-01-19T03:14:07Z",
    "ts3": "2024-05-06T07:08:09.120Z",
    "y": 2155,
    "ch": "ab",
    "vc": "héllo wörld ✓",
    "tx": "text",
    "lt": "long",
    "bl": b"\x00\xff",
    "bn": b"\x01\x02\x00\x00",
    "vb": b"\x00\xffa",
    "e": "b",
    "st": "x,z",
    "j": '{"a": [1, 2]}',
    "b1": True,
    "b12": (0b101010101010).to_bytes(2, "little"),
    "nn": "x",
}


def _field_types(record: Any) -> dict[str, Any]:
    row = record.value_schema["fields"][1]["type"]  # after: ["null", "<ns>.Value"]
    value = record.value_schema["fields"][0]["type"][1]
    assert row[1] == value["namespace"] + ".Value"
    return {f["name"]: f["type"] for f in value["fields"]}


def test_snapshot_and_binlog_map_every_type(settings_for: Any, database: str, root: Any) -> None:
    execute(
        root,
        f"CREATE TABLE {database}.types ({COLUMNS})",
        f"INSERT INTO {database}.types VALUES {ROW_SQL % 1}",
    )
    task = start_task(settings_for(), OffsetContext())
    try:
        snapshot = data(drain(task, 1))
        execute(
            root,
            f"INSERT INTO {database}.types VALUES {ROW_SQL % 2}",
            f"INSERT INTO {database}.types (id) VALUES (3)",
        )
        streamed = data(drain(task, 2))
    finally:
        task.stop()
    assert [r.value["op"] for r in snapshot + streamed] == ["r", "c", "c"]
    for record in (snapshot[0], streamed[0]):
        row = record.value["after"]
        assert {k: row[k] for k in EXPECTED} == EXPECTED, record.value["op"]
        assert_valid(record)
    assert_valid(streamed[1])
    assert streamed[1].value["after"]["nn"] == "" and streamed[1].value["after"]["st"] is None
    assert snapshot[0].value_schema is streamed[0].value_schema


def test_schema_follows_debezium_names(settings_for: Any, database: str, root: Any) -> None:
    execute(
        root,
        f"CREATE TABLE {database}.types ({COLUMNS})",
        f"INSERT INTO {database}.types VALUES {ROW_SQL % 1}",
    )
    task = start_task(settings_for(), OffsetContext())
    try:
        (record,) = data(drain(task, 1))
    finally:
        task.stop()
    types = _field_types(record)
    assert types["id"] == "int"
    assert types["ti"] == ["null", {"type": "int", "connect.type": "int16"}]
    assert types["t1"] == ["null", {"type": "int", "connect.type": "int16"}]
    assert types["su"] == ["null", "int"] and types["iu"] == ["null", "long"]
    assert types["bu"] == ["null", "long"]
    assert types["f"] == ["null", "float"] and types["fmd"] == ["null", "double"]
    dec = types["dec1"][1]
    assert (dec["type"], dec["logicalType"], dec["precision"], dec["scale"]) == (
        "bytes",
        "decimal",
        12,
        3,
    )
    assert dec["connect.name"] == "org.apache.kafka.connect.data.Decimal"
    assert types["dt"][1]["connect.name"] == "io.debezium.time.Date"
    assert types["tm"][1]["connect.name"] == "io.debezium.time.MicroTime"
    assert types["dtm3"][1]["logicalType"] == "timestamp-millis"
    assert types["dtm6"][1]["connect.name"] == "io.debezium.time.MicroTimestamp"
    assert types["ts"][1] == {"type": "string", "connect.name": "io.debezium.time.ZonedTimestamp"}
    assert types["y"][1]["connect.name"] == "io.debezium.time.Year"
    assert types["e"][1]["connect.parameters"] == {"allowed": "a,b"}
    assert types["st"][1]["connect.name"] == "io.debezium.data.EnumSet"
    assert types["j"][1]["connect.name"] == "io.debezium.data.Json"
    assert types["b1"] == ["null", "boolean"]
    assert types["b12"][1]["connect.parameters"] == {"length": "12"}
    assert types["bl"] == ["null", "bytes"] and types["nn"] == "string"
    assert record.key == {"id": 1}
    key_schema = cast(dict[str, Any], record.key_schema)
    value_schema = cast(dict[str, Any], record.value_schema)
    assert key_schema is not None and key_schema["fields"] == [{"name": "id", "type": "int"}]
    assert record.topic == f"it.{database}.types"
    assert value_schema["name"] == "Envelope"
    assert value_schema["namespace"] == f"it.{database}.types"
