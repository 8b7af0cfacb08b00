"""The job's configuration: which topics it reads and writes, how many shards it keeps and how
late an action may be."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from pipeway.demo.tv import contract

COUNTS = "tv.analytics_counts"
"""the job's counters per shard (late actions, ignored stops, ...), keyed by (shard, name)"""


class TvJobConfig(BaseModel):
    """Topic names are the contract's, optionally prefixed (tests use one prefix per run)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    topic_prefix: str = ""
    output_prefix: str | None = Field(
        None, description="prefix of the output topics when not topic_prefix (benchmarks)"
    )
    shards: int = Field(
        4, ge=1, description="user shards (state keys); fixed once a checkpoint exists"
    )
    watermark_delay_ms: int = Field(
        contract.WATERMARK_DELAY_MS,
        gt=0,
        description="how far behind the latest action one may arrive and still count (ms); "
        "a window is final, and emitted, this long after it ends. May change between runs: "
        "the watermark never moves back",
    )

    live: bool = Field(
        True,
        description="also write every open window's cells each batch to the live topics "
        "(tv.program_minute_live, tv.ad_minute_live, tv.top_programs_live)",
    )
    live_disorder_ms: int = Field(
        1_000,
        ge=0,
        description="how far behind the latest action most actions arrive (ms): live cells "
        "replay the actions of this last stretch each batch; an action older than that makes "
        "the next batch replay every pending action (counted as live_rebuilds)",
    )

    def topic(self, name: str) -> str:
        """The actual topic of the contract topic ``name``."""
        if name in contract.INPUT_TOPICS or self.output_prefix is None:
            return self.topic_prefix + name
        return self.output_prefix + name

    @property
    def inputs(self) -> dict[str, str]:
        return {name: self.topic(name) for name in contract.INPUT_TOPICS}

    @property
    def outputs(self) -> dict[str, str]:
        live = contract.LIVE_TOPICS.values() if self.live else ()
        return {name: self.topic(name) for name in (*contract.OUTPUT_TOPICS, *live, COUNTS)}
