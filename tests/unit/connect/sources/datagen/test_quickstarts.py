from __future__ import annotations

import json

import fastavro
import pytest

from pipeway.connect.sources.datagen.generator import RecordGenerator
from pipeway.connect.sources.datagen.schemas import QUICKSTARTS, load_quickstart, record_field

REQUIRED = {
    "clickstream",
    "clickstream_users",
    "clickstream_codes",
    "pageviews",
    "users",
    "orders",
    "ratings",
    "stock_trades",
    "tv_actions",
    "ad_breaks",
}


def test_the_required_quickstarts_are_bundled() -> None:
    assert set(QUICKSTARTS) >= REQUIRED


@pytest.mark.parametrize("name", sorted(QUICKSTARTS))
def test_a_thousand_records_validate_against_the_clean_schema(name: str) -> None:
    generator = RecordGenerator(load_quickstart(name), seed=42)
    parsed = fastavro.parse_schema(generator.schema)
    for _ in range(1000):
        fastavro.validation.validate(generator.next(), parsed)
    assert "arg.properties" not in json.dumps(generator.schema)


@pytest.mark.parametrize("name", sorted(QUICKSTARTS))
def test_the_default_key_field_exists(name: str) -> None:
    assert record_field(load_quickstart(name), QUICKSTARTS[name].keyfield) is not None


def test_users_look_like_the_originals() -> None:
    generator = RecordGenerator(load_quickstart("users"), seed=1)
    users = [generator.next() for _ in range(500)]
    assert {u["userid"] for u in users} == {f"User_{i}" for i in range(1, 10)}
    assert {u["gender"] for u in users} == {"MALE", "FEMALE", "OTHER"}
    assert all(1487715775521 <= u["registertime"] < 1519273364600 for u in users)


def test_tv_actions_are_a_second_apart_with_known_actions() -> None:
    generator = RecordGenerator(load_quickstart("tv_actions"), seed=1)
    actions = [generator.next() for _ in range(100)]
    assert [a["ts"] - actions[0]["ts"] for a in actions[:3]] == [0, 1000, 2000]
    assert {a["action"] for a in actions} == {1, 2, 3}
    assert all(1 <= a["channel_id"] <= 12 and 1 <= a["user_id"] <= 200 for a in actions)
