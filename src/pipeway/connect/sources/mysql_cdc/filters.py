"""Which databases, tables and columns are captured (Debezium's include/exclude lists).

As in Debezium, each regex must match the whole identifier, case-insensitively:
``db`` for database lists, ``db.table`` for table lists and ``db.table.column`` for the
column list. System databases are never captured. Answers are cached per table, since the
streaming loop asks for every row event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeway.connect.sources.mysql_cdc.settings import SYSTEM_DATABASES, MySqlCdcSettings


def _compile(patterns: Iterable[str]) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in patterns]


def _any(patterns: list[re.Pattern[str]], name: str) -> bool:
    return any(p.fullmatch(name) for p in patterns)


class CaptureFilter:
    """Decides whether a table and a column are captured."""

    def __init__(self, settings: MySqlCdcSettings) -> None:
        self._db_include = _compile(settings.database_include_list)
        self._db_exclude = _compile(settings.database_exclude_list)
        self._table_include = _compile(settings.table_include_list)
        self._table_exclude = _compile(settings.table_exclude_list)
        self._column_exclude = _compile(settings.column_exclude_list)
        self._tables: dict[tuple[str, str], bool] = {}

    def database(self, db: str) -> bool:
        """Whether any table of ``db`` may be captured."""
        if db.lower() in SYSTEM_DATABASES:
            return False
        if self._db_include:
            return _any(self._db_include, db)
        return not _any(self._db_exclude, db)

    def table(self, db: str, table: str) -> bool:
        """Whether ``db.table`` is captured (cached)."""
        key = (db, table)
        answer = self._tables.get(key)
        if answer is None:
            answer = self._decide_table(db, table)
            self._tables[key] = answer
        return answer

    def _decide_table(self, db: str, table: str) -> bool:
        if not self.database(db):
            return False
        name = f"{db}.{table}"
        if self._table_include:
            return _any(self._table_include, name)
        return not _any(self._table_exclude, name)

    def column(self, db: str, table: str, column: str) -> bool:
        """Whether ``db.table.column`` is kept in change events."""
        return not _any(self._column_exclude, f"{db}.{table}.{column}")
