from __future__ import annotations

import re

import pytest

from pipeway.connect.transforms.exceptions import TransformConfigError, TransformError
from pipeway.connect.transforms.filter import Filter
from pipeway.connect.transforms.routers import RegexRouter, TimestampRouter, java_replacement

from .support import sink, source, untouched


def test_regex_router_full_match_and_groups() -> None:
    t = RegexRouter({"regex": r"(\w+)\.(?<table>\w+)", "replacement": "$1-${table}"})
    out = untouched(source(topic="shop.orders"), t.apply)
    assert out.topic == "shop-orders"
    assert out.value == source().value
    unchanged = source(topic="shop.orders.v2")  # no full match
    assert t.apply(unchanged) is unchanged
    assert t.apply(sink()).topic == "shop-orders"


def test_java_replacement_translation() -> None:
    pattern = re.compile(r"(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)")
    assert java_replacement(r"$11-$1\$", pattern) == r"\g<11>-\g<1>$"
    assert java_replacement("$12", pattern) == r"\g<1>2"  # Java: group 1 then '2'
    assert java_replacement(r"a\\b", pattern) == r"a\\b"


@pytest.mark.parametrize(
    ("props", "key"),
    [
        ({"regex": "(", "replacement": "x"}, "regex"),
        ({"regex": "(a)", "replacement": "$2"}, "replacement"),
        ({"regex": "a", "replacement": "${x}"}, "replacement"),
        ({"replacement": "x"}, "regex"),
    ],
)
def test_regex_router_config_errors(props: dict[str, str], key: str) -> None:
    with pytest.raises(TransformConfigError) as info:
        RegexRouter(props)
    assert key in info.value.errors


def test_timestamp_router() -> None:
    t = TimestampRouter({})
    assert untouched(source(timestamp=1_709_647_629_123), t.apply).topic == "shop.orders-20240305"
    custom = TimestampRouter(
        {"topic.format": "${timestamp}_${topic}", "timestamp.format": "yyyy-MM"}
    )
    assert custom.apply(source(timestamp=1_709_647_629_123)).topic == "2024-03_shop.orders"
    with pytest.raises(TransformError, match="timestamp"):
        t.apply(source(timestamp=None))
    with pytest.raises(TransformConfigError) as info:
        TimestampRouter({"timestamp.format": "yyyy-ww"})
    assert list(info.value.errors) == ["timestamp.format"]


def test_filter_drops() -> None:
    assert Filter({}).apply(source()) is None
    with pytest.raises(TransformConfigError):
        Filter({"x": "1"})
