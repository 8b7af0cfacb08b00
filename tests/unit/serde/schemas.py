"""Avro schemas shared by the serde unit tests."""

from __future__ import annotations

import orjson

USER_V1 = orjson.dumps(
    {
        "type": "record",
        "name": "User",
        "namespace": "com.example",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "name", "type": "string"},
            {"name": "email", "type": ["null", "string"], "default": None},
        ],
    }
).decode()

USER_V2 = orjson.dumps(
    {
        "type": "record",
        "name": "User",
        "namespace": "com.example",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "name", "type": "string"},
            {"name": "email", "type": ["null", "string"], "default": None},
            {"name": "country", "type": "string", "default": "NL"},
        ],
    }
).decode()

ADDRESS = orjson.dumps(
    {
        "type": "record",
        "name": "Address",
        "namespace": "com.example",
        "fields": [{"name": "city", "type": "string"}, {"name": "zip", "type": "string"}],
    }
).decode()

CUSTOMER_WITH_REF = orjson.dumps(
    {
        "type": "record",
        "name": "Customer",
        "namespace": "com.example",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "home", "type": "com.example.Address"},
            {"name": "work", "type": ["null", "com.example.Address"], "default": None},
        ],
    }
).decode()

ORDER = orjson.dumps(
    {
        "type": "record",
        "name": "Order",
        "namespace": "com.example.shop",
        "doc": "An order",
        "fields": [
            {"name": "id", "type": "string", "doc": "order id"},
            {"name": "quantity", "type": "int"},
            {"name": "total", "type": "double"},
            {"name": "weight", "type": "float"},
            {"name": "paid", "type": "boolean"},
            {"name": "payload", "type": "bytes"},
            {
                "name": "price",
                "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2},
            },
            {"name": "day", "type": {"type": "int", "logicalType": "date"}},
            {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "tags", "type": {"type": "array", "items": "string"}},
            {"name": "attrs", "type": {"type": "map", "values": "long"}},
            {
                "name": "status",
                "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]},
            },
            {"name": "note", "type": ["null", "string"], "default": None},
            {
                "name": "line",
                "type": {
                    "type": "record",
                    "name": "Line",
                    "fields": [{"name": "sku", "type": "string"}],
                },
            },
        ],
    }
).decode()

USER = {"id": 42, "name": "Ada", "email": "ada@example.com"}
