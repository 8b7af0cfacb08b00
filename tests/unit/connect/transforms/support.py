"""Records, schemas and checks shared by the transform tests."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import fastavro
from fastavro.validation import validate

from pipeway.connect.api import SinkRecord, SourceRecord

ORDER_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "Order",
    "namespace": "shop",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "customer", "type": "string"},
        {"name": "email", "type": ["null", "string"], "default": None},
        {"name": "total", "type": "double"},
        {"name": "paid", "type": "boolean"},
        {"name": "qty", "type": "int"},
        {"name": "created", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {
            "name": "address",
            "type": {
                "type": "record",
                "name": "Address",
                "fields": [
                    {"name": "city", "type": "string"},
                    {"name": "zip", "type": ["null", "string"], "default": None},
                ],
            },
        },
        {"name": "shipping", "type": ["null", "Address"], "default": None},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
    ],
}
KEY_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "OrderKey",
    "namespace": "shop",
    "fields": [{"name": "id", "type": "long"}],
}
CREATED_MS = 1_709_647_629_123  # 2024-03-05T14:07:09.123Z


def order(**changes: Any) -> dict[str, Any]:
    value = {
        "id": 7,
        "customer": "ada",
        "email": "ada@example.com",
        "total": 19.5,
        "paid": True,
        "qty": 3,
        "created": CREATED_MS,
        "address": {"city": "Oslo", "zip": "0150"},
        "shipping": {"city": "Bergen", "zip": None},
        "tags": ["new"],
    }
    value.update(changes)
    return value


def source(
    value: Any = None,
    *,
    schema: Any = ORDER_SCHEMA,
    key: Any = None,
    key_schema: Any = None,
    topic: str = "shop.orders",
    timestamp: int | None = 1_700_000_000_000,
    **extra: Any,
) -> SourceRecord:
    return SourceRecord(
        topic=topic,
        key=key,
        value=order() if value is None else value,
        source_partition={"table": "orders"},
        source_offset={"pos": 1},
        key_schema=key_schema,
        value_schema=schema,
        timestamp=timestamp,
        **extra,
    )


def sink(value: Any = None, *, schema: Any = ORDER_SCHEMA, **extra: Any) -> SinkRecord:
    fields = {"topic": "shop.orders", "kafka_partition": 2, "kafka_offset": 42, "key": None}
    fields.update(extra)
    return SinkRecord(value=order() if value is None else value, value_schema=schema, **fields)


def valid(value: Any, schema: Any) -> bool:
    """True when fastavro accepts ``value`` for ``schema`` (raises with details otherwise)."""
    return bool(validate(value, fastavro.parse_schema(copy.deepcopy(schema)), raise_errors=True))


def untouched(record: Any, apply: Callable[[Any], Any]) -> Any:
    """Apply a transform and check it left the input record (and its dicts) unchanged."""
    before = copy.deepcopy(record)
    result = apply(record)
    assert record == before
    return result
