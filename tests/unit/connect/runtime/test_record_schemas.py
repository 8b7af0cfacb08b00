"""Kafka Connect (JsonConverter) schemas as Avro, for sink records' writer schemas."""

from __future__ import annotations

from pipeway.connect.runtime.record_schemas import avro_from_connect


def test_struct_with_optional_and_logical_fields() -> None:
    connect = {
        "type": "struct",
        "name": "shop.Order",
        "optional": False,
        "fields": [
            {"field": "id", "type": "int64", "optional": False},
            {"field": "note", "type": "string", "optional": True},
            {"field": "qty", "type": "int16", "optional": False},
            {"field": "tags", "type": "array", "items": {"type": "string"}, "optional": False},
            {
                "field": "amount",
                "type": "bytes",
                "name": "org.apache.kafka.connect.data.Decimal",
                "parameters": {"scale": "2"},
            },
            {"field": "at", "type": "int64", "name": "org.apache.kafka.connect.data.Timestamp"},
        ],
    }
    assert avro_from_connect(connect) == {
        "type": "record",
        "name": "Order",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "note", "type": ["null", "string"]},
            {"name": "qty", "type": "int"},
            {"name": "tags", "type": {"type": "array", "items": "string"}},
            {
                "name": "amount",
                "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 2},
            },
            {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        ],
    }
