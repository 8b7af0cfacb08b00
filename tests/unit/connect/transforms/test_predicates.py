from __future__ import annotations

import dataclasses

import pytest

from pipeway.connect.transforms.exceptions import TransformConfigError
from pipeway.connect.transforms.predicates import (
    HasHeaderKey,
    RecordIsTombstone,
    TopicNameMatches,
)

from .support import sink, source


def test_topic_name_matches_whole_name() -> None:
    p = TopicNameMatches({"pattern": r"shop\..*"})
    assert p.test(source(topic="shop.orders"))
    assert p.test(source(topic="shop.orders"))  # cached
    assert not p.test(source(topic="eu.shop.orders"))
    assert not TopicNameMatches({"pattern": "shop"}).test(source(topic="shop.orders"))


def test_has_header_key() -> None:
    p = HasHeaderKey({"name": "trace"})
    assert p.test(sink(headers=[("a", b"1"), ("trace", None)]))
    assert not p.test(sink(headers=[("a", b"1")]))


def test_record_is_tombstone() -> None:
    p = RecordIsTombstone({})
    assert p.test(dataclasses.replace(source(), value=None))
    assert not p.test(source())


def test_config_errors() -> None:
    with pytest.raises(TransformConfigError) as info:
        TopicNameMatches({"pattern": "("})
    assert list(info.value.errors) == ["pattern"]
    with pytest.raises(TransformConfigError) as info:
        HasHeaderKey({})
    assert list(info.value.errors) == ["name"]
