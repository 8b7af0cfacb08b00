from __future__ import annotations

import dataclasses

import pytest

from pipeway.connect.exceptions import InvalidConnectorConfig, RecordError
from pipeway.connect.transforms import PREDICATES, TRANSFORMS, Transformation, TransformChain
from pipeway.connect.transforms.base import R

from .support import source, valid

KAFKA_PREDICATES = "org.apache.kafka.connect.transforms.predicates."


class Explode(Transformation):
    def apply(self, record: R) -> R | None:
        raise KeyError("boom")


def test_runs_in_order_with_predicate_and_negate() -> None:
    chain = TransformChain.from_config(
        {
            "name": "orders",
            "transforms": "route, mask, insert",
            "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
            "transforms.route.regex": r"shop\.(.*)",
            "transforms.route.replacement": "eu.$1",
            "transforms.mask.type": "mask-field-value",
            "transforms.mask.fields": "customer",
            "transforms.mask.predicate": "isEu",
            "transforms.insert.type": "InsertField$Value",
            "transforms.insert.topic.field": "_topic",
            "transforms.insert.predicate": "isEu",
            "transforms.insert.negate": "true",
            "predicates": "isEu",
            "predicates.isEu.type": KAFKA_PREDICATES + "TopicNameMatches",
            "predicates.isEu.pattern": r"eu\..*",
        }
    )
    assert len(chain) == 3
    out = chain.apply(source())
    assert out.topic == "eu.orders"
    assert out.value["customer"] == ""
    assert "_topic" not in out.value  # negated predicate matched, so insert was skipped
    assert valid(out.value, out.value_schema)
    other = chain.apply(source(topic="other"))
    assert other.value["customer"] == "ada" and other.value["_topic"] == "other"


def test_filter_stops_the_chain() -> None:
    chain = TransformChain.from_config(
        {
            "transforms": "dropTombstones,insert",
            "transforms.dropTombstones.type": "filter",
            "transforms.dropTombstones.predicate": "tomb",
            "transforms.insert.type": "insert-field-value",
            "transforms.insert.static.field": "x",
            "transforms.insert.static.value": "y",
            "predicates": "tomb",
            "predicates.tomb.type": "RecordIsTombstone",
        }
    )
    assert chain.apply(dataclasses.replace(source(), value=None)) is None
    assert chain.apply(source()).value["x"] == "y"


def test_empty_chain_and_user_class() -> None:
    assert TransformChain.from_config({}).apply(source()) == source()
    chain = TransformChain.from_config(
        {
            "transforms": "x",
            "transforms.x.type": f"{__name__}.Explode",
        }
    )
    with pytest.raises(RecordError, match="'x' failed: 'boom'"):
        chain.apply(source())


def test_collects_every_error_by_key() -> None:
    with pytest.raises(InvalidConnectorConfig) as info:
        TransformChain.from_config(
            {
                "name": "c1",
                "transforms": "a,b,c,d",
                "transforms.a.type": "NoSuchTransform",
                "transforms.b.type": "RegexRouter",
                "transforms.b.replacement": "x",
                "transforms.b.predicate": "undeclared",
                "transforms.c.type": "InsertField$Value",
                "transforms.d.type": "filter",
                "transforms.d.negate": "maybe",
                "transforms.typo.type": "filter",
                "predicates": "p",
                "predicates.p.type": "TopicNameMatches",
                "predicates.p.pattern": "(",
            }
        )
    errors = info.value.errors
    assert set(errors) == {
        "transforms.a.type",
        "transforms.b.regex",
        "transforms.b.predicate",
        "transforms.c",
        "transforms.d.negate",
        "transforms.typo",
        "predicates.p.pattern",
    }
    assert info.value.connector == "c1"
    assert "NoSuchTransform" in errors["transforms.a.type"][0]


def test_missing_type_and_wrong_base_class() -> None:
    with pytest.raises(InvalidConnectorConfig) as info:
        TransformChain.from_config(
            {
                "transforms": "a,b",
                "transforms.b.type": "pipeway.connect.transforms.predicates.TopicNameMatches",
            }
        )
    assert info.value.errors["transforms.a.type"] == ["field required"]
    assert "not a Transformation" in info.value.errors["transforms.b.type"][0]


def test_name_tables() -> None:
    for name in (
        "InsertField$Value",
        "insert-field-value",
        "org.apache.kafka.connect.transforms.InsertField$Value",
    ):
        assert TRANSFORMS[name] == "pipeway.connect.transforms.insert_field:InsertFieldValue"
    assert TRANSFORMS["io.debezium.transforms.ExtractNewRecordState"].endswith(
        "debezium:ExtractNewRecordState"
    )
    assert PREDICATES["record-is-tombstone"].endswith("predicates:RecordIsTombstone")
