"""Shared benchmark helpers: statistics, a throwaway platform, result files."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeway.platform.config import PlatformConfig
from pipeway.platform.manager import Platform
from pipeway.platform.ports import free_port

RESULTS = Path(__file__).parent / "results"
BENCH_COMPONENTS = ["kafka", "registry"]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: list[float]) -> float:
    return statistics.median(values)


def fresh_config(data_dir: Path, **overrides: Any) -> PlatformConfig:
    """Free ports; components die with the benchmark, so an interrupted run leaves none behind."""
    overrides.setdefault("die_with_parent", True)
    return PlatformConfig(
        data_dir=data_dir,
        kafka_port=free_port(),
        kafka_controller_port=free_port(),
        registry_port=free_port(),
        mariadb_port=free_port(),
        connect_port=free_port(),
        **overrides,
    )


@contextmanager
def running_platform(**overrides: Any) -> Iterator[Platform]:
    """A private platform (Kafka + registry) on free ports for the length of a benchmark."""
    with tempfile.TemporaryDirectory(prefix="pipeway-bench-") as tmp:
        platform = Platform(fresh_config(Path(tmp), **overrides))
        platform.up(only=BENCH_COMPONENTS)
        try:
            yield platform
        finally:
            platform.down(only=BENCH_COMPONENTS)


def save(name: str, data: dict[str, Any]) -> Path:
    """Write ``bench/results/<name>.json`` (git-ignored) and return its path."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    data = {"measured_at": time.strftime("%Y-%m-%d %H:%M:%S"), **data}
    path.write_text(json.dumps(data, indent=2))
    return path
