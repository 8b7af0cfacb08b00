"""Native binlog row decoder for pipeway's mysql-cdc source (parity with mysql-replication)."""

from typing import Any

__version__: str

class UnsupportedColumn(NotImplementedError):
    """A column the native decoder does not reproduce exactly: decode the table in Python."""

class RowDecodeError(ValueError):
    """Row data the native decoder cannot decode exactly: decode the event in Python."""

class RowDecoder:
    """One table definition's decoder (table-map columns with the connector's conversions)."""

    def __init__(
        self,
        columns: list[tuple[int, int, bool, str | None, str, int, list[str] | None]],
        fields: list[tuple[str, int | None]],
    ) -> None: ...
    def rows(self, data: bytes, start: int, end: int, present: bytes) -> list[dict[str, Any]]:
        """Row dicts of a write/delete event body ``data[start:end]``."""
    def update_rows(
        self, data: bytes, start: int, end: int, present_before: bytes, present_after: bytes
    ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """``(before, after)`` row dicts of an update event body."""
