from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import fastavro
import pytest

from pipeway.connect.sources.mysql_cdc import values
from pipeway.connect.sources.mysql_cdc.catalog import ColumnDef, TableDef
from pipeway.connect.sources.mysql_cdc.events import RowEncoder
from pipeway.connect.sources.mysql_cdc.exceptions import UnsupportedColumnType
from pipeway.connect.sources.mysql_cdc.filters import CaptureFilter
from pipeway.connect.sources.mysql_cdc.schema_mapping import (
    avro_name,
    build_table_schema,
    map_column,
)
from pipeway.connect.sources.mysql_cdc.settings import MySqlCdcSettings

SETTINGS = MySqlCdcSettings.model_validate(
    {
        "database.hostname": "db",
        "database.user": "u",
        "database.server.id": 1,
        "topic.prefix": "p-1",
        "column.exclude.list": r"shop\.t\.secret",
    }
)


def col(name: str, data_type: str, column_type: str | None = None, **kw: Any) -> ColumnDef:
    return ColumnDef(name, data_type, column_type or data_type, kw.pop("nullable", True), **kw)


@pytest.mark.parametrize(
    ("column", "avro"),
    [
        (col("a", "tinyint", "tinyint(1)"), {"type": "int", "connect.type": "int16"}),
        (col("a", "smallint", "smallint(5) unsigned"), "int"),
        (col("a", "int", "int(10) unsigned"), "long"),
        (col("a", "bigint", "bigint(20) unsigned"), "long"),
        (col("a", "float"), "float"),
        (col("a", "float", "float(7,2)", scale=2), "double"),
        (col("a", "double"), "double"),
        (col("a", "varchar", "varchar(10)"), "string"),
        (col("a", "blob"), "bytes"),
        (col("a", "bit", "bit(1)", precision=1), "boolean"),
    ],
)
def test_plain_types(column: ColumnDef, avro: Any) -> None:
    assert map_column(column, SETTINGS, "shop.t").avro_type == avro


def test_semantic_types_and_modes() -> None:
    dec = map_column(col("d", "decimal", "decimal(12,3)", precision=12, scale=3), SETTINGS, "x")
    assert dec.avro_type["logicalType"] == "decimal" and dec.avro_type["scale"] == 3
    precise = SETTINGS.model_copy(update={"bigint_unsigned_handling_mode": "precise"})
    big = map_column(col("b", "bigint", "bigint unsigned"), precise, "x")
    assert big.avro_type["precision"] == 20 and big.binlog is not None
    assert big.binlog(2**64 - 1) == Decimal(2**64 - 1)
    as_string = SETTINGS.model_copy(update={"decimal_handling_mode": "string"})
    assert (
        map_column(col("d", "decimal", precision=5, scale=2), as_string, "x").avro_type == "string"
    )
    enum = map_column(col("e", "enum", "enum('a','it''s')"), SETTINGS, "x")
    assert enum.avro_type["connect.parameters"] == {"allowed": "a,it's"}
    with pytest.raises(UnsupportedColumnType, match=r"x\.g"):
        map_column(col("g", "geometry"), SETTINGS, "x")


def test_converters_accept_both_readers_forms() -> None:
    assert values.date_days(dt.date(1970, 1, 2)) == 1 and values.date_days("0000-00-00") is None
    assert values.time_micros(dt.timedelta(hours=-1)) == -3_600_000_000
    broken = dt.timedelta(days=-35, seconds=3600, microseconds=123000)  # -838:59:59.877 read
    assert values.binlog_time_micros(broken) == -3020399877000 + 754000
    assert values.datetime_millis(dt.datetime(1970, 1, 1, 0, 0, 1, 5000)) == 1005
    assert values.zoned_timestamp(2)(dt.datetime(2024, 1, 2, 3, 4, 5, 678900)) == (
        "2024-01-02T03:04:05.67Z"
    )
    assert values.unsigned_bigint_long(2**63) == -(2**63)
    assert values.set_string(("x", "y", "z"))({"z", "x"}) == "x,z"
    assert values.set_string(("x",))("x") == "x"
    assert values.bits_little_endian(12)("101010101010") == b"\xaa\x0a"
    assert values.bits_little_endian(12)(b"\x0a\xaa") == b"\xaa\x0a"
    assert values.bit_boolean("1") and values.bit_boolean(b"\x01") and not values.bit_boolean("0")
    assert values.padded_bytes(4)("") == b"\x00" * 4
    assert values.json_string({"a": [1]}) == '{"a":[1]}'


def test_table_schema_key_envelope_and_exclusions() -> None:
    table = TableDef(
        "shop",
        "t",
        (
            col("id", "int", nullable=False),
            col("secret", "varchar"),
            col("1st-name", "varchar"),
            col("tags", "set", "set('a','b')"),
        ),
        ("id",),
    )
    schema = build_table_schema(table, SETTINGS, CaptureFilter(SETTINGS))
    assert schema.topic == "p-1.shop.t"
    assert schema.key_schema is not None and schema.key_schema["name"] == "Key"
    assert schema.key_schema["namespace"] == "p_1.shop.t"
    envelope = fastavro.parse_schema(schema.value_schema)
    encoder = RowEncoder(schema)
    row = encoder.from_binlog({"id": 1, "secret": "pw", "1st-name": "Al", "tags": {"b", "a"}})
    assert row == {"id": 1, "_1st_name": "Al", "tags": "a,b"}
    assert encoder.key(row) == {"id": 1}
    source = {
        "version": "0", "connector": "mysql", "name": "p-1", "ts_ms": 0, "snapshot": "true",
        "db": "shop", "sequence": None, "table": "t", "server_id": 1, "gtid": None,
        "file": "f", "pos": 4, "row": 0, "thread": None, "query": None,
    }  # fmt: skip
    value = {"before": None, "after": row, "source": source, "op": "c", "ts_ms": 1}
    assert fastavro.validation.validate({**value, "transaction": None}, envelope)


def test_avro_names() -> None:
    assert avro_name("ok_name1") == "ok_name1"
    assert avro_name("9lives") == "_9lives" and avro_name("a-b c") == "a_b_c"
