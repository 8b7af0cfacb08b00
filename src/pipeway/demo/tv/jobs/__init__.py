"""The TV analytics streaming jobs (docs/jobs/tv-analytics.md); being written."""

from __future__ import annotations

from typing import Any


def build(ctx: Any) -> None:
    raise NotImplementedError("the tv-analytics job is not written yet")
