"""One shard's 1-minute cells: viewing time and distinct viewers per window and group.

Spans are added as the watermark makes them certain; a window is handed out once final
(``window_end <= watermark``) and forgotten. Shards hold disjoint users, so the job sums the
shards' partial cells (viewers and milliseconds) into the contract's rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeway.demo.tv import contract

Group = tuple[object, ...]


@dataclass(slots=True)
class Cell:
    view_ms: int
    viewers: set[int]
    title: str | None


@dataclass(frozen=True, slots=True)
class FinalCell:
    window_start: int
    group: Group
    title: str | None
    viewers: int
    view_ms: int


class MinuteCells:
    """Cells keyed by (window_start, *group) of windows not final yet."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, Group], Cell] = {}

    def add(
        self, group: Group, user_id: int, start: int, end: int, title: str | None = None
    ) -> None:
        """Count ``[start, end)`` of ``user_id``'s viewing in every window it overlaps."""
        w = start - start % contract.WINDOW_MS
        while w < end:
            ms = min(end, w + contract.WINDOW_MS) - max(start, w)
            if ms > 0:
                cell = self.cells.get((w, group))
                if cell is None:
                    self.cells[(w, group)] = Cell(ms, {user_id}, title)
                else:
                    cell.view_ms += ms
                    cell.viewers.add(user_id)
            w += contract.WINDOW_MS

    def finalize(self, watermark: int) -> list[FinalCell]:
        """Hand out and forget every cell whose window ended at or before ``watermark``."""
        done = [k for k in self.cells if k[0] + contract.WINDOW_MS <= watermark]
        out = []
        for key in done:
            cell = self.cells.pop(key)
            out.append(FinalCell(key[0], key[1], cell.title, len(cell.viewers), cell.view_ms))
        return out
