"""Filter: drop records. Combine with a predicate (and ``negate``) to choose which."""

from __future__ import annotations

from pipeway.connect.transforms.base import R, Transformation


class Filter(Transformation):
    """Drops every record it is applied to."""

    def apply(self, record: R) -> R | None:
        return None
