"""The scenario's configuration and result: input records per topic, grouped in phases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from pipeway.demo.tv import contract

Record = dict[str, Any]
PhaseRecords = dict[str, list[Record]]


class ScenarioConfig(BaseModel):
    """Sizes and rates of a generated day; the same config and seed give the same records."""

    seed: int = 42
    users: int = Field(300, ge=1)
    channels: int = Field(12, ge=1, le=20)
    cities: int = Field(12, ge=2, le=16)
    day: date = date(2026, 1, 1)
    phases: int = Field(6, ge=1, le=48, description="phases over the day, plus a closing one")
    watermark_delay_ms: int = Field(contract.WATERMARK_DELAY_MS, gt=0)
    late_fraction: float = Field(0.004, ge=0, le=0.2, description="actions delivered too late")
    out_of_order: float = Field(
        0.5, ge=0, le=1, description="chance that an action near a phase end is delivered later"
    )
    updated_users: float = Field(0.15, ge=0, le=1, description="users changed by CDC updates")
    new_users: int = Field(10, ge=0, description="users inserted during the day")
    deleted_users: int = Field(2, ge=0, description="users deleted during the day")
    ads: int = Field(40, ge=1)
    closing_ms: int = Field(15 * 60_000, gt=0, description="end of input after the day's end")


@dataclass(slots=True)
class Scenario:
    """Input records in delivery order: phases[p][topic] is what phase p delivers to topic."""

    config: ScenarioConfig
    phases: list[PhaseRecords]
    day_start_ms: int
    end_ts: int
    """time of the closing records: every timed topic reaches it in the last phase"""
    late_actions: list[Record] = field(default_factory=list)
    """the actions deliberately delivered beyond the watermark"""

    def records(self, topic: str) -> list[Record]:
        """Every record of ``topic`` across the phases, in delivery order."""
        return [r for phase in self.phases for r in phase.get(topic, [])]

    def counts(self) -> dict[str, int]:
        return {t: len(self.records(t)) for t in contract.INPUT_TOPICS}


def record_key(topic: str, value: Record) -> Any:
    """The Kafka key of an input record: a string, or the Debezium Key record for CDC."""
    if topic == contract.USERS_CDC:
        row = value["after"] if value["after"] is not None else value["before"]
        return {"user_id": row["user_id"]}
    field_of = {
        contract.ACTIONS: "user_id",
        contract.AD_BREAKS: "channel_id",
        contract.SCHEDULES: "channel_id",
        contract.TELEMETRY: "device_id",
        contract.WEATHER: "id",
    }
    return str(value[field_of[topic]])
