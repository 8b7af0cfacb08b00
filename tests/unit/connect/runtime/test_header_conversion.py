"""header.converter: Kafka Connect's names and SimpleHeaderConverter's round trips."""

from __future__ import annotations

import pytest

from pipeway.connect.runtime.header_conversion import HeaderConverter
from pipeway.connect.settings import RuntimeSettings


def test_simple_is_the_default_and_round_trips_typed_values() -> None:
    settings = RuntimeSettings.model_validate({"name": "c", "connector.class": "x"})
    simple = HeaderConverter(settings.header_converter)
    values = [("b", True), ("i", 42), ("f", 1.5), ("s", "text"), ("m", {"a": [1, 2]})]
    wire = simple.to_kafka(values)
    assert wire == [
        ("b", b"true"),
        ("i", b"42"),
        ("f", b"1.5"),
        ("s", b"text"),
        ("m", b'{"a":[1,2]}'),
    ]
    assert simple.from_kafka(wire) == values


def test_connect_class_names_and_bytes_pass_through() -> None:
    string = HeaderConverter("org.apache.kafka.connect.storage.StringConverter")
    assert string.to_kafka([("n", 7), ("raw", b"\x00\x01"), ("none", None)]) == [
        ("n", b"7"),
        ("raw", b"\x00\x01"),
        ("none", None),
    ]
    assert string.from_kafka([("n", b"7")]) == [("n", "7")]
    json = HeaderConverter("org.apache.kafka.connect.json.JsonConverter")
    assert json.from_kafka(json.to_kafka([("j", {"x": 1})])) == [("j", {"x": 1})]
    raw = HeaderConverter("org.apache.kafka.connect.converters.ByteArrayConverter")
    assert raw.from_kafka([("r", b"\xff")]) == [("r", b"\xff")]


def test_an_unknown_header_converter_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="header.converter"):
        RuntimeSettings.model_validate(
            {"name": "c", "connector.class": "x", "header.converter": "nope"}
        )
