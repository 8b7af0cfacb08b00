"""The schemas of captured tables, read from the catalog on first use and after DDL.

A schema object is kept for as long as the table definition is unchanged, so every record of
a table carries the very same dicts (the runtime caches conversions by identity); a DDL
statement only forces a re-read, and an unchanged definition keeps the old object.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pipeway.connect.sources.mysql_cdc.catalog import TableDef, read_table
from pipeway.connect.sources.mysql_cdc.filters import CaptureFilter
from pipeway.connect.sources.mysql_cdc.schema_mapping import TableSchema, build_table_schema
from pipeway.connect.sources.mysql_cdc.settings import MySqlCdcSettings

log = logging.getLogger(__name__)

_MISSING = object()


class SchemaCache:
    """Table schemas by ``(db, table)``; ``None`` caches "not captured" too."""

    def __init__(
        self,
        settings: MySqlCdcSettings,
        capture: CaptureFilter,
        connection: Callable[[], Any],
    ) -> None:
        self._settings = settings
        self._capture = capture
        self._connection = connection
        self._schemas: dict[tuple[str, str], TableSchema | None] = {}
        self._stale: set[tuple[str, str]] = set()

    def get(self, db: str, table: str) -> TableSchema | None:
        """The schema of a captured table, or None (not captured, or dropped)."""
        key = (db, table)
        schema = self._schemas.get(key, _MISSING)
        if schema is _MISSING or key in self._stale:
            schema = self._load(db, table)
        return schema  # type: ignore[return-value]

    def put(self, table: TableDef) -> TableSchema:
        """Install a definition read elsewhere (the snapshot reads them under its lock)."""
        key = (table.db, table.table)
        current = self._schemas.get(key)
        self._stale.discard(key)
        if current is not None and current.table == table:
            return current
        schema = build_table_schema(table, self._settings, self._capture)
        self._schemas[key] = schema
        return schema

    def invalidate(self) -> None:
        """After DDL: re-read every cached table on its next row (unchanged ones keep their
        schema object)."""
        self._stale.update(self._schemas)

    def _load(self, db: str, table: str) -> TableSchema | None:
        key = (db, table)
        if not self._capture.table(db, table):
            self._schemas[key] = None
            return None
        definition = read_table(self._connection(), db, table)
        if definition is None:
            self._schemas[key] = None
            self._stale.discard(key)
            return None
        previous = self._schemas.get(key)
        schema = self.put(definition)
        if previous is not None and schema is not previous:
            log.info("table=%s.%s schema changed; new schema in use", db, table)
        return schema
