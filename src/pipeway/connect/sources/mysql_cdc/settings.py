"""The CDC connector's keys: Debezium's MySQL connector names, plus a few batching knobs.

Keeping Debezium's names and defaults lets an existing Debezium configuration carry over;
keys for features pipeway does not have fail with their name (``extra="forbid"``).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from pipeway.connect.api import ConnectorSettings

SnapshotMode = Literal["initial", "never", "when_needed", "initial_only"]
Adapter = Literal["mysql", "mariadb"]
SYSTEM_DATABASES = frozenset({"mysql", "information_schema", "performance_schema", "sys"})


def split_regex_list(value: object) -> list[str]:
    """Debezium list values: comma-separated regexes (``\\,`` keeps a literal comma)."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = re.split(r"(?<!\\),", value)
        return [p.strip().replace("\\,", ",") for p in parts if p.strip()]
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    raise ValueError("expected a comma-separated string or a list of regular expressions")


class MySqlCdcSettings(ConnectorSettings):
    """Settings of the ``mysql-cdc`` source (Debezium's MySQL connector keys).

    Example::

        MySqlCdcSettings.model_validate({
            "database.hostname": "127.0.0.1", "database.user": "pipeway",
            "database.password": "pipeway", "database.server.id": 5400,
            "topic.prefix": "shop", "table.include.list": "inventory\\\\.orders",
        })
    """

    hostname: str = Field(alias="database.hostname", min_length=1)
    port: int = Field(3306, alias="database.port", ge=1, le=65535)
    user: str = Field(alias="database.user", min_length=1)
    password: SecretStr = Field(SecretStr(""), alias="database.password")
    server_id: int = Field(alias="database.server.id", ge=1, le=2**32 - 1)
    topic_prefix: str = Field(alias="topic.prefix", pattern=r"^[A-Za-z0-9._-]+$")
    database_include_list: list[str] = Field(default_factory=list, alias="database.include.list")
    database_exclude_list: list[str] = Field(default_factory=list, alias="database.exclude.list")
    table_include_list: list[str] = Field(default_factory=list, alias="table.include.list")
    table_exclude_list: list[str] = Field(default_factory=list, alias="table.exclude.list")
    column_exclude_list: list[str] = Field(default_factory=list, alias="column.exclude.list")
    snapshot_mode: SnapshotMode = Field("initial", alias="snapshot.mode")
    tombstones_on_delete: bool = Field(True, alias="tombstones.on.delete")
    connector_adapter: Adapter | None = Field(None, alias="connector.adapter")
    decimal_handling_mode: Literal["precise", "double", "string"] = Field(
        "precise", alias="decimal.handling.mode"
    )
    bigint_unsigned_handling_mode: Literal["long", "precise"] = Field(
        "long", alias="bigint.unsigned.handling.mode"
    )
    time_precision_mode: Literal["adaptive_time_microseconds"] = Field(
        "adaptive_time_microseconds", alias="time.precision.mode"
    )
    max_batch_size: int = Field(2048, alias="max.batch.size", ge=1, le=100_000)
    poll_interval_ms: int = Field(200, alias="poll.interval.ms", ge=0, le=1000)
    snapshot_fetch_size: int = Field(2048, alias="snapshot.fetch.size", ge=1)
    connect_timeout_ms: int = Field(2000, alias="connect.timeout.ms", ge=100)
    connect_max_attempts: int = Field(3, alias="connect.max.attempts", ge=1)
    connect_backoff_ms: int = Field(100, alias="connect.backoff.initial.ms", ge=0)
    binlog_prefetch_events: int = Field(0, alias="binlog.prefetch.events", ge=0, le=100_000)
    """Events a reader thread may read ahead; 0 reads on the task thread (measured faster
    on a loaded 2-vCPU machine, see docs/benchmarks.md)."""

    @field_validator(
        "database_include_list",
        "database_exclude_list",
        "table_include_list",
        "table_exclude_list",
        "column_exclude_list",
        mode="before",
    )
    @classmethod
    def _split_lists(cls, value: object) -> list[str]:
        return split_regex_list(value)

    @field_validator(
        "database_include_list",
        "database_exclude_list",
        "table_include_list",
        "table_exclude_list",
        "column_exclude_list",
    )
    @classmethod
    def _compile(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from exc
        return value

    @model_validator(mode="after")
    def _exclusive_lists(self) -> MySqlCdcSettings:
        """Debezium refuses an include list together with the matching exclude list."""
        pairs = (
            ("database.include.list", "database.exclude.list"),
            ("table.include.list", "table.exclude.list"),
        )
        for include, exclude in pairs:
            if getattr(self, _attr(include)) and getattr(self, _attr(exclude)):
                raise ValueError(f"{include} and {exclude} cannot both be set")
        return self

    @property
    def address(self) -> str:
        return f"{self.hostname}:{self.port}"


def _attr(key: str) -> str:
    return key.replace(".", "_")
