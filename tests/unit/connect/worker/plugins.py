"""Tiny connectors the worker tests load by Python path (no I/O, deterministic tasks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field, SecretStr

from pipeway.connect.api import (
    ConnectorSettings,
    SinkConnector,
    SinkRecord,
    SinkTask,
    SourceConnector,
    SourceRecord,
    SourceTask,
)


class ShardSettings(ConnectorSettings):
    topic: str = Field(min_length=1)
    shards: int = Field(8, ge=1)
    mode: Literal["fast", "slow"] = "fast"
    api_token: SecretStr | None = Field(None, alias="api.token")
    db_password: str = Field("", alias="db.password")


class IdleTask(SourceTask):
    def poll(self) -> Sequence[SourceRecord]:
        return []


class ShardConnector(SourceConnector):
    """One task per shard, at most ``tasks.max``."""

    settings_class = ShardSettings
    task_class = IdleTask

    def task_configs(self, max_tasks: int) -> list[dict[str, Any]]:
        return [{"shard": n} for n in range(min(max_tasks, self.settings.shards))]


class BrokenConnector(ShardConnector):
    def task_configs(self, max_tasks: int) -> list[dict[str, Any]]:
        raise RuntimeError("cannot list shards")


SHARD = f"{__name__}.ShardConnector"
BROKEN = f"{__name__}.BrokenConnector"


class NullSinkTask(SinkTask):
    def put(self, records: Sequence[SinkRecord]) -> None:
        return None


class NullSink(SinkConnector):
    settings_class = ShardSettings
    task_class = NullSinkTask


SINK = f"{__name__}.NullSink"
