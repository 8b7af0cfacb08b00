"""Table definitions read from ``information_schema`` (the source of every schema).

The binlog's row metadata (``binlog_row_metadata=FULL``) names columns but lacks what the
schema needs (``tinyint(1)``, ``float(M,D)``, octet lengths), so column types come from the
catalog; the table is re-read after DDL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pymysql

from pipeway.connect.sources.mysql_cdc.filters import CaptureFilter


@dataclass(frozen=True, slots=True)
class ColumnDef:
    """One column as the catalog describes it (types lower-cased)."""

    name: str
    data_type: str
    column_type: str
    nullable: bool
    precision: int | None = None
    scale: int | None = None
    datetime_precision: int | None = None
    char_length: int | None = None
    octet_length: int | None = None

    @property
    def unsigned(self) -> bool:
        return "unsigned" in self.column_type


@dataclass(frozen=True, slots=True)
class TableDef:
    """A table's columns in ordinal order and its primary key columns in key order."""

    db: str
    table: str
    columns: tuple[ColumnDef, ...]
    primary_key: tuple[str, ...]

    @property
    def qualified(self) -> str:
        return f"{self.db}.{self.table}"


_COLUMNS_SQL = """
SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, NUMERIC_PRECISION, NUMERIC_SCALE,
       DATETIME_PRECISION, CHARACTER_MAXIMUM_LENGTH, CHARACTER_OCTET_LENGTH
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s
ORDER BY ORDINAL_POSITION
"""

_PK_SQL = """
SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s AND CONSTRAINT_NAME = 'PRIMARY'
ORDER BY ORDINAL_POSITION
"""

_JSON_CHECKS_SQL = """
SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = %s AND TABLE_NAME = %s
"""

_TABLES_SQL = """
SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES
WHERE TABLE_TYPE = 'BASE TABLE'
ORDER BY TABLE_SCHEMA, TABLE_NAME
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _column(row: Sequence[Any]) -> ColumnDef:
    return ColumnDef(
        name=_text(row[0]),
        data_type=_text(row[1]).lower(),
        column_type=_text(row[2]).lower(),
        nullable=_text(row[3]).upper() == "YES",
        precision=_int(row[4]),
        scale=_int(row[5]),
        datetime_precision=_int(row[6]),
        char_length=_int(row[7]),
        octet_length=_int(row[8]),
    )


def read_table(conn: Any, db: str, table: str) -> TableDef | None:
    """The table's definition, or None when it no longer exists."""
    with conn.cursor() as cur:
        cur.execute(_COLUMNS_SQL, (db, table))
        columns = tuple(_column(row) for row in cur.fetchall())
        if not columns:
            return None
        cur.execute(_PK_SQL, (db, table))
        primary_key = tuple(_text(row[0]) for row in cur.fetchall())
        if any(c.data_type == "longtext" for c in columns):
            columns = _mark_mariadb_json(cur, db, table, columns)
    return TableDef(db=db, table=table, columns=columns, primary_key=primary_key)


def _mark_mariadb_json(
    cur: Any, db: str, table: str, columns: tuple[ColumnDef, ...]
) -> tuple[ColumnDef, ...]:
    """MariaDB's JSON is LONGTEXT with a ``json_valid(col)`` check: report it as json."""
    try:
        cur.execute(_JSON_CHECKS_SQL, (db, table))
        clauses = " ".join(_text(r[0]).lower() for r in cur.fetchall())
    except pymysql.MySQLError:  # MySQL's CHECK_CONSTRAINTS has no TABLE_NAME: no such JSON
        return columns
    return tuple(
        replace(c, data_type="json")
        if c.data_type == "longtext" and f"json_valid(`{c.name.lower()}`)" in clauses
        else c
        for c in columns
    )


def captured_tables(conn: Any, capture: CaptureFilter) -> list[tuple[str, str]]:
    """Every base table the filter captures, sorted by database and name."""
    with conn.cursor() as cur:
        cur.execute(_TABLES_SQL)
        rows = [(_text(r[0]), _text(r[1])) for r in cur.fetchall()]
    return [(db, t) for db, t in rows if capture.table(db, t)]
