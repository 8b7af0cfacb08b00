"""The local platform's configuration: where it keeps its data and which ports it uses."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

STATE_FILE = "platform.json"


class PlatformConfig(BaseModel):
    """Settings of one local platform (one data directory).

    ``up`` saves the effective settings in ``<data_dir>/platform.json`` so later ``status``,
    ``logs`` and ``down`` commands find the same ports without repeating flags.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    data_dir: Path
    host: str = "127.0.0.1"
    kafka_port: int = Field(9092, ge=1, le=65535)
    kafka_controller_port: int = Field(9093, ge=1, le=65535)
    registry_port: int = Field(8081, ge=1, le=65535)
    mariadb_port: int = Field(3306, ge=1, le=65535)
    connect_port: int = Field(8083, ge=1, le=65535)
    kafka_heap: str = Field("1G", pattern=r"^\d+[mMgG]$")
    registry_workers: int = Field(1, ge=1, le=16)
    start_timeout_s: float = Field(60.0, gt=0)
    die_with_parent: bool = Field(
        False, description="Stop components when the starting process exits (test services)."
    )

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.kafka_port}"

    @property
    def registry_url(self) -> str:
        return f"http://{self.host}:{self.registry_port}"

    def save(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / STATE_FILE).write_text(self.model_dump_json(indent=2))

    @classmethod
    def load(cls, data_dir: Path, **overrides: object) -> PlatformConfig:
        """The saved settings of ``data_dir`` (defaults when none), with explicit overrides."""
        saved: dict[str, object] = {}
        state = data_dir / STATE_FILE
        if state.exists():
            saved = json.loads(state.read_text())
        saved.update({k: v for k, v in overrides.items() if v is not None})
        saved["data_dir"] = data_dir
        return cls.model_validate(saved)
