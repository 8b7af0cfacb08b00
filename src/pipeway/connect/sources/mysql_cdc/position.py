"""Source offsets: where in the binlog a restart resumes, exactly after the last committed row.

Like Debezium, an offset names the *start* of the transaction a row belongs to (``file``,
``pos``, and ``gtids``: the GTID state before it) plus how far into that transaction the
row is (``event``: row events already complete, ``row``: rows already complete in the next
one, ``part``: records of the row after those already emitted — a delete's tombstone or a
key change's create may still be due). A restart reconnects at the transaction start and
skips what was already emitted, so a partially committed transaction is neither lost nor
duplicated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class BinlogPoint:
    """A position between transactions: a binlog coordinate and the GTID state there."""

    file: str
    pos: int
    gtids: str | None = None

    def describe(self) -> str:
        return f"{self.file}:{self.pos}" + (f" (gtids {self.gtids})" if self.gtids else "")


@dataclass(frozen=True, slots=True)
class ResumePoint:
    """A committed offset, parsed.

    ``txn`` identifies the transaction the skip counts belong to (its GTID, or
    ``file:pos`` without GTIDs); ``None`` means the point lies between transactions.
    """

    point: BinlogPoint
    txn: str | None = None
    event: int = 0
    row: int = 0
    part: int = 0
    snapshot_running: bool = False

    @classmethod
    def from_offset(cls, offset: Mapping[str, Any]) -> ResumePoint:
        """Parse a stored offset (raises KeyError/ValueError for a foreign one)."""
        point = BinlogPoint(str(offset["file"]), int(offset["pos"]), offset.get("gtids") or None)
        return cls(
            point=point,
            txn=offset.get("txn"),
            event=int(offset.get("event", 0)),
            row=int(offset.get("row", 0)),
            part=int(offset.get("part", 0)),
            snapshot_running=bool(offset.get("snapshot", False)),
        )


def snapshot_offset(point: BinlogPoint, completed: bool) -> dict[str, Any]:
    """Offset of a snapshot row: resume streaming at ``point`` once the snapshot completed."""
    offset: dict[str, Any] = {"file": point.file, "pos": point.pos, "gtids": point.gtids}
    if not completed:
        offset["snapshot"] = True
    return offset
