"""How long a job runs: continuously, one pass over what is there, or until nothing new comes."""

from __future__ import annotations

import enum
import re
from typing import Any

from pipeway.jobs.exceptions import JobsConfigError


class RunMode(enum.StrEnum):
    """``continuous``: a processing-time trigger until stopped. ``once``: one
    ``availableNow`` pass over everything in the topics at start. ``until_idle``: passes
    repeated until one finds no new input (so inputs produced meanwhile are processed)."""

    CONTINUOUS = "continuous"
    ONCE = "once"
    UNTIL_IDLE = "until-idle"


_UNITS = r"ms|millis(?:econds?)?|s|secs?|seconds?|m|mins?|minutes?"
_INTERVAL = re.compile(rf"^\s*(\d+(?:\.\d+)?)\s*({_UNITS})\s*$", re.I)


def parse_interval(text: str) -> str:
    """Normalise a trigger interval (``500ms``, ``2s``, ``1 minute``) to Spark's spelling.

    Raises:
        JobsConfigError: the text is not a positive duration.
    """
    match = _INTERVAL.match(text)
    if not match or float(match.group(1)) <= 0:
        raise JobsConfigError(
            f"trigger interval {text!r} is not a duration like '500ms', '2 seconds', '1 minute'"
        )
    amount, unit = match.group(1), match.group(2).lower()
    if unit == "ms" or unit.startswith("milli"):
        return f"{amount} milliseconds"
    if unit.startswith("m"):
        return f"{amount} minutes"
    return f"{amount} seconds"


def trigger_kwargs(mode: RunMode, interval: str) -> dict[str, Any]:
    """Keyword arguments of ``DataStreamWriter.trigger`` for ``mode``."""
    if mode is RunMode.CONTINUOUS:
        return {"processingTime": parse_interval(interval)}
    return {"availableNow": True}
