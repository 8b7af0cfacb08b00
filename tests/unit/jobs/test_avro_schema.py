"""Deriving Avro schemas from Spark types, and spotting fields a writer lacks."""

from __future__ import annotations

import fastavro
import pytest
from pyspark.sql import types as T

from pipeway.jobs.avro_schema import (
    avro_schema_for,
    missing_required_fields,
    record_fullname,
)
from pipeway.jobs.exceptions import UnsupportedSchemaError


def test_record_fullname_follows_debezium_naming_and_is_a_valid_avro_name() -> None:
    assert record_fullname("tv.show_views", "Value") == "tv.show_views.Value"
    assert record_fullname("tv-actions.2", "Key") == "tv_actions._2.Key"


def test_struct_becomes_a_named_record_with_nullable_unions_and_logical_types() -> None:
    spark_type = T.StructType(
        [
            T.StructField("id", T.LongType(), False),
            T.StructField("at", T.TimestampType(), True),
            T.StructField("price", T.DecimalType(9, 2), False),
            T.StructField("loc", T.StructType([T.StructField("lat", T.DoubleType(), False)])),
            T.StructField("tags", T.MapType(T.StringType(), T.IntegerType(), False), False),
        ]
    )

    schema = avro_schema_for(spark_type, "tv.views.Value")

    assert schema == {
        "type": "record",
        "name": "Value",
        "namespace": "tv.views",
        "fields": [
            {"name": "id", "type": "long"},
            {
                "name": "at",
                "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}],
                "default": None,
            },
            {
                "name": "price",
                "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2},
            },
            {
                "name": "loc",
                "type": [
                    "null",
                    {
                        "type": "record",
                        "name": "loc",
                        "namespace": "tv.views.Value",
                        "fields": [{"name": "lat", "type": "double"}],
                    },
                ],
                "default": None,
            },
            {"name": "tags", "type": {"type": "map", "values": "int"}},
        ],
    }
    fastavro.parse_schema(schema)  # a schema other clients accept


def test_primitive_key_types_map_to_primitive_schemas() -> None:
    assert avro_schema_for(T.StringType(), "t.Key") == "string"
    assert avro_schema_for(T.IntegerType(), "t.Key", nullable=True) == ["null", "int"]


@pytest.mark.parametrize(
    ("spark_type", "message"),
    [
        (T.StructType([T.StructField("count(1)", T.LongType())]), "not a valid Avro field name"),
        (
            T.StructType([T.StructField("m", T.MapType(T.IntegerType(), T.IntegerType()))]),
            "string keys",
        ),
        (T.StructType([T.StructField("d", T.DayTimeIntervalType())]), "no Avro equivalent"),
    ],
)
def test_unmappable_columns_are_refused_with_the_field_named(
    spark_type: T.StructType, message: str
) -> None:
    with pytest.raises(UnsupportedSchemaError, match=message):
        avro_schema_for(spark_type, "t.Value")


def test_missing_required_fields_ignores_defaults_and_honours_aliases() -> None:
    writer = {"type": "record", "name": "R", "fields": [{"name": "old_name", "type": "int"}]}
    reader = {
        "type": "record",
        "name": "R",
        "fields": [
            {"name": "new_name", "type": "int", "aliases": ["old_name"]},
            {"name": "with_default", "type": "int", "default": 0},
            {"name": "required", "type": "string"},
        ],
    }

    assert missing_required_fields(writer, reader) == ["required"]
    assert missing_required_fields("string", "string") == []
