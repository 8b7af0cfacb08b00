"""The ``source`` block of every change event: where and when the change happened.

Field names, order and optionality follow Debezium's ``io.debezium.connector.mysql.Source``
so consumers written for Debezium read pipeway's events unchanged.
"""

from __future__ import annotations

from typing import Any

CONNECTOR_VERSION = "0.1.0"
SOURCE_SCHEMA_NAME = "io.debezium.connector.mysql.Source"


def _field(name: str, avro_type: Any, optional: bool = False) -> dict[str, Any]:
    if optional:
        return {"name": name, "type": ["null", avro_type], "default": None}
    return {"name": name, "type": avro_type}


def source_schema() -> dict[str, Any]:
    """A fresh copy of the source record schema (embedded in each table's envelope)."""
    snapshot = {
        "type": "string",
        "connect.name": "io.debezium.data.Enum",
        "connect.parameters": {"allowed": "true,last,false,incremental"},
    }
    return {
        "type": "record",
        "name": "Source",
        "namespace": "io.debezium.connector.mysql",
        "connect.name": SOURCE_SCHEMA_NAME,
        "fields": [
            _field("version", "string"),
            _field("connector", "string"),
            _field("name", "string"),
            _field("ts_ms", "long"),
            # Debezium's optional snapshot defaults to "false": Avro wants it first in the union
            {"name": "snapshot", "type": [snapshot, "null"], "default": "false"},
            _field("db", "string"),
            _field("sequence", "string", optional=True),
            _field("table", "string", optional=True),
            _field("server_id", "long"),
            _field("gtid", "string", optional=True),
            _field("file", "string"),
            _field("pos", "long"),
            _field("row", "int"),
            _field("thread", "long", optional=True),
            _field("query", "string", optional=True),
        ],
    }


def transaction_schema() -> dict[str, Any]:
    """Debezium's transaction block (always null: transaction metadata is not emitted)."""
    return {
        "type": "record",
        "name": "block",
        "namespace": "event",
        "connect.name": "event.block",
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "total_order", "type": "long"},
            {"name": "data_collection_order", "type": "long"},
        ],
    }


def source_block(
    *,
    server_name: str,
    db: str,
    table: str,
    ts_ms: int,
    snapshot: str,
    server_id: int,
    gtid: str | None,
    file: str,
    pos: int,
    row: int,
) -> dict[str, Any]:
    """One ``source`` value (the streaming path copies a per-event template instead)."""
    return {
        "version": CONNECTOR_VERSION,
        "connector": "mysql",
        "name": server_name,
        "ts_ms": ts_ms,
        "snapshot": snapshot,
        "db": db,
        "sequence": None,
        "table": table,
        "server_id": server_id,
        "gtid": gtid,
        "file": file,
        "pos": pos,
        "row": row,
        "thread": None,
        "query": None,
    }
