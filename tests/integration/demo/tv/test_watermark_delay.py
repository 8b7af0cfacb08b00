"""The tv-analytics job with a shorter watermark delay (``watermark_delay_ms``) equals the
oracle computed with that delay: windows become final sooner."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession

from pipeway.demo.tv import contract
from pipeway.demo.tv.oracle import compute
from pipeway.demo.tv.scenario import ScenarioConfig, generate
from pipeway.jobs.settings import KafkaSettings
from tests.integration.demo.tv.pipeline import TvPipeline, sorted_rows

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

DELAY_MS = 20_000


def test_a_shorter_delay_gives_the_oracles_outputs_for_that_delay(
    spark: SparkSession, kafka_bootstrap: str, registry_url: str, tmp_path: Path
) -> None:
    config = ScenarioConfig(seed=11, users=60, phases=2, watermark_delay_ms=DELAY_MS)
    phases = generate(config).phases
    expected = compute(phases, DELAY_MS)
    # with the default delay the final watermark would be 100 s earlier
    default = compute(phases)
    assert expected.counts.final_watermark == default.counts.final_watermark + 100_000

    kafka = KafkaSettings(bootstrap_servers=kafka_bootstrap, registry_url=registry_url)
    pipeline = TvPipeline(kafka, tmp_path, shards=2, watermark_delay_ms=DELAY_MS)
    for phase in phases:
        pipeline.produce_phase(phase)
        pipeline.run_once()

    for name in contract.OUTPUT_TOPICS:
        got = sorted_rows(name, pipeline.latest(name).values())
        want = expected.outputs[name]
        assert len(got) == len(want), f"{name}: {len(got)} rows, oracle {len(want)}"
        differ = [(g, w) for g, w in zip(got, want, strict=True) if g != w]
        assert not differ, f"{name}: {len(differ)} rows differ, first (job, oracle) {differ[0]}"
    published = [_millis(p["watermark"]) for p in pipeline.progress() if p["watermark"]]
    assert max(published) == expected.counts.final_watermark
    counts = pipeline.counts()
    assert counts["late_actions"] == expected.counts.late_actions
    assert counts["stops_ignored"] == expected.counts.stops_ignored


def _millis(value: Any) -> int:
    return int(value.timestamp() * 1000) if isinstance(value, datetime) else int(value)
