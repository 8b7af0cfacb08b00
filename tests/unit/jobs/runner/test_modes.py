from __future__ import annotations

import pytest

from pipeway.jobs.exceptions import JobsConfigError
from pipeway.jobs.runner.modes import RunMode, parse_interval, trigger_kwargs


@pytest.mark.parametrize(
    ("text", "spark"),
    [
        ("500ms", "500 milliseconds"),
        ("2s", "2 seconds"),
        ("1 second", "1 seconds"),
        ("1.5 seconds", "1.5 seconds"),
        ("1 minute", "1 minutes"),
        ("3m", "3 minutes"),
        ("300 milliseconds", "300 milliseconds"),
        ("2 secs", "2 seconds"),
    ],
)
def test_intervals_normalise_to_spark_spelling(text: str, spark: str) -> None:
    assert parse_interval(text) == spark


@pytest.mark.parametrize("text", ["", "0s", "soon", "5 hours", "-1s"])
def test_bad_intervals_are_rejected(text: str) -> None:
    with pytest.raises(JobsConfigError, match="not a duration"):
        parse_interval(text)


def test_normalised_intervals_parse_again() -> None:
    for text in ("250ms", "2s", "1m"):
        assert parse_interval(parse_interval(text)) == parse_interval(text)


def test_triggers_per_mode() -> None:
    assert trigger_kwargs(RunMode.CONTINUOUS, "2s") == {"processingTime": "2 seconds"}
    assert trigger_kwargs(RunMode.ONCE, "2s") == {"availableNow": True}
    assert trigger_kwargs(RunMode.UNTIL_IDLE, "2s") == {"availableNow": True}
