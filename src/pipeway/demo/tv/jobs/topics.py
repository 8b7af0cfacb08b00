"""The job's configuration: which topics it reads and writes, and how many shards it keeps."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from pipeway.demo.tv import contract

COUNTS = "tv.analytics_counts"
"""the job's counters per shard (late actions, ignored stops, ...), keyed by (shard, name)"""


class TvJobConfig(BaseModel):
    """Topic names are the contract's, optionally prefixed (tests use one prefix per run)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    topic_prefix: str = ""
    shards: int = Field(
        4, ge=1, description="user shards (state keys); fixed once a checkpoint exists"
    )

    def topic(self, name: str) -> str:
        """The actual topic of the contract topic ``name``."""
        return self.topic_prefix + name

    @property
    def inputs(self) -> dict[str, str]:
        return {name: self.topic(name) for name in contract.INPUT_TOPICS}

    @property
    def outputs(self) -> dict[str, str]:
        return {name: self.topic(name) for name in (*contract.OUTPUT_TOPICS, COUNTS)}
