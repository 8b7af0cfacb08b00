"""The connectors' settings: one pydantic model each, dotted Kafka Connect keys as aliases.

``ConnectorSettings`` forbids unknown keys (a typo fails with its name) and is frozen; the
worker validates these models before any task starts, so every error names its key.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from pipeway.connect.api import ConnectorSettings


class LineFileSettings(ConnectorSettings):
    """``path``: the folder to watch; one record per line of every file matching the pattern."""

    path: Path
    topic: str = Field(min_length=1)
    file_pattern: str = Field("*.txt", alias="file.pattern", min_length=1)
    batch_size: int = Field(500, alias="batch.size", gt=0, le=10_000)
    poll_interval_ms: int = Field(200, alias="poll.interval.ms", ge=0, le=1000)

    @field_validator("path")
    @classmethod
    def _existing_folder(cls, value: Path) -> Path:
        if not value.is_dir():
            raise ValueError(f"{value} is not a folder")
        return value.resolve()


class JsonLinesSinkSettings(ConnectorSettings):
    """``file``: where records are appended as JSON lines; ``fsync``: flush to the disk."""

    file: Path
    fsync: bool = True

    @field_validator("file")
    @classmethod
    def _parent_exists(cls, value: Path) -> Path:
        if not value.parent.is_dir():
            raise ValueError(f"folder {value.parent} does not exist")
        return value.resolve()
