"""Subject name strategies and their lookup by Confluent config names."""

from __future__ import annotations

import pytest

from pipeway.errors import ConfigError
from pipeway.serde import (
    SerializationContext,
    SerializationError,
    get_subject_name_strategy,
    record_name_strategy,
    topic_name_strategy,
    topic_record_name_strategy,
)

VALUE = SerializationContext("orders", "value")
KEY = SerializationContext("orders", "key")


def test_topic_name_strategy():
    assert topic_name_strategy(VALUE, "com.example.Order") == "orders-value"
    assert topic_name_strategy(KEY, None) == "orders-key"


def test_record_name_strategy():
    assert record_name_strategy(VALUE, "com.example.Order") == "com.example.Order"
    assert record_name_strategy(KEY, "com.example.Order") == "com.example.Order"


def test_topic_record_name_strategy():
    assert topic_record_name_strategy(VALUE, "com.example.Order") == "orders-com.example.Order"


@pytest.mark.parametrize("strategy", [record_name_strategy, topic_record_name_strategy])
def test_record_strategies_need_a_name(strategy):
    with pytest.raises(SerializationError, match="needs a named schema") as err:
        strategy(VALUE, None)

    assert err.value.topic == "orders"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("TopicNameStrategy", topic_name_strategy),
        ("RecordNameStrategy", record_name_strategy),
        ("TopicRecordNameStrategy", topic_record_name_strategy),
        ("io.confluent.kafka.serializers.subject.TopicNameStrategy", topic_name_strategy),
        ("io.confluent.kafka.serializers.subject.RecordNameStrategy", record_name_strategy),
        (
            "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy",
            topic_record_name_strategy,
        ),
        (" TopicNameStrategy ", topic_name_strategy),
    ],
)
def test_lookup_by_config_name(name, expected):
    assert get_subject_name_strategy(name) is expected


def test_unknown_strategy_names_key_and_options():
    with pytest.raises(ConfigError) as err:
        get_subject_name_strategy("SubjectPerPartition", "value.subject.name.strategy")

    assert err.value.key == "value.subject.name.strategy"
    assert "TopicRecordNameStrategy" in str(err.value)
