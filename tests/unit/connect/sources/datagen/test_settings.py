from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from pipeway.connect.settings import errors_by_key
from pipeway.connect.sources.datagen import DatagenSettings

SCHEMA = {
    "type": "record",
    "name": "thing",
    "fields": [
        {"name": "id", "type": {"type": "int", "arg.properties": {"iteration": {"start": 1}}}}
    ],
}


def errors(config: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        DatagenSettings.model_validate({"kafka.topic": "t", **config})
    return errors_by_key(info.value, DatagenSettings)


def test_defaults_follow_kafka_connect_datagen() -> None:
    settings = DatagenSettings.model_validate({"kafka.topic": "users", "quickstart": "users"})
    assert (settings.max_interval_ms, settings.iterations, settings.random_seed) == (500, -1, None)
    assert settings.events_per_second is None
    assert settings.resolved.keyfield == "userid"
    assert settings.resolved.key_schema == "string"


def test_quickstart_names_are_case_insensitive() -> None:
    assert (
        DatagenSettings.model_validate({"kafka.topic": "t", "quickstart": "USERS"}).quickstart
        == "users"
    )


def test_unknown_quickstart_lists_the_known_ones() -> None:
    found = errors({"quickstart": "nope"})
    assert list(found) == ["quickstart"]
    assert "unknown quickstart 'nope'" in found["quickstart"][0]
    assert "pageviews" in found["quickstart"][0] and "tv_actions" in found["quickstart"][0]


def test_a_schema_source_is_required() -> None:
    found = errors({})
    assert "one of quickstart, schema.filename, schema.string is required" in str(found)


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"quickstart": "users", "schema.string": json.dumps(SCHEMA)}, "schema.string"),
        ({"quickstart": "users", "schema.filename": "/x.avsc"}, "schema.filename"),
    ],
)
def test_only_one_schema_source(config: dict[str, Any], key: str) -> None:
    found = errors(config)
    assert list(found) == [key] and "cannot be set together with quickstart" in found[key][0]


def test_schema_string_and_file(tmp_path: Path) -> None:
    path = tmp_path / "thing.avsc"
    path.write_text(json.dumps(SCHEMA))
    by_file = DatagenSettings.model_validate(
        {"kafka.topic": "t", "schema.filename": str(path), "schema.keyfield": "id"}
    )
    by_string = DatagenSettings.model_validate(
        {"kafka.topic": "t", "schema.string": json.dumps(SCHEMA)}
    )
    assert by_file.resolved.key_schema == "int"
    assert by_string.resolved.keyfield is None
    assert by_file.resolved.value_schema == {
        "type": "record",
        "name": "thing",
        "fields": [{"name": "id", "type": "int"}],
    }


@pytest.mark.parametrize(
    ("config", "key", "message"),
    [
        ({"schema.string": "{nope"}, "schema.string", "is not JSON"),
        ({"schema.string": '"int"'}, "schema.string", "must be an Avro record"),
        (
            {
                "schema.string": json.dumps(
                    {"type": "record", "name": "x", "fields": [{"name": "a", "type": "nosuch"}]}
                )
            },
            "schema.string",
            "not a valid Avro schema",
        ),
        ({"schema.filename": "/no/such/file.avsc"}, "schema.filename", "cannot read"),
        ({"quickstart": "users", "schema.keyfield": "nope"}, "schema.keyfield", "no field 'nope'"),
        ({"quickstart": "users", "max.interval": -1}, "max.interval", "greater than or equal"),
        ({"quickstart": "users", "events.per.second": -5}, "events.per.second", "greater than"),
        ({"quickstart": "users", "unknown.key": 1}, "unknown.key", "unknown configuration key"),
    ],
)
def test_errors_name_their_key(config: dict[str, Any], key: str, message: str) -> None:
    found = errors(config)
    assert key in found and message in " ".join(found[key]), found


def test_bad_annotation_names_key_and_schema_path() -> None:
    bad = dict(
        SCHEMA,
        fields=[
            {
                "name": "id",
                "type": {"type": "int", "arg.properties": {"range": {"min": 3, "max": 1}}},
            }
        ],
    )
    found = errors({"schema.string": json.dumps(bad)})
    assert "thing.id: range.min must be strictly less than range.max" in found["schema.string"][0]


def test_kafka_topic_is_required() -> None:
    with pytest.raises(ValidationError) as info:
        DatagenSettings.model_validate({"quickstart": "users"})
    assert "kafka.topic" in errors_by_key(info.value, DatagenSettings)
