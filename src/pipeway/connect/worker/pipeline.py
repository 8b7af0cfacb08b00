"""Pipeline files: the connectors a deployment wants, applied with ``pipeway connect apply``.

Example::

    connectors:
      - name: orders-datagen
        config:
          connector.class: datagen
          tasks.max: 1
          kafka.topic: orders
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeway.connect.worker.exceptions import WorkerConfigError


class PipelineConnector(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, pattern=r"^[^/\s]+$")
    config: dict[str, Any] = Field(default_factory=dict)


class Pipeline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connectors: list[PipelineConnector] = Field(default_factory=list)

    @field_validator("connectors")
    @classmethod
    def _unique(cls, connectors: list[PipelineConnector]) -> list[PipelineConnector]:
        names = [c.name for c in connectors]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"connector names must be unique, repeated: {', '.join(twice)}")
        return connectors


def parse_pipeline(text: str, source: str = "<pipeline>") -> Pipeline:
    """Parse pipeline YAML.

    Raises:
        WorkerConfigError: the YAML is malformed or does not describe connectors; the
            message names the file and every offending entry.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise WorkerConfigError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise WorkerConfigError(f"{source}: expected a mapping with a 'connectors' list")
    try:
        return Pipeline.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '(file)'}: {e['msg']}" for e in exc.errors()
        )
        raise WorkerConfigError(f"{source}: {problems}") from exc


def load_pipeline(path: Path) -> Pipeline:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WorkerConfigError(f"cannot read {path}: {exc.strerror}") from exc
    return parse_pipeline(text, str(path))
