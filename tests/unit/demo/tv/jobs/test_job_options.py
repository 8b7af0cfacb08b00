"""The registered tv-analytics job takes its settings from ``pipeway jobs run -o key=value``."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
from pyspark.sql import SparkSession

from pipeway.demo.tv import contract
from pipeway.demo.tv.jobs import TvJobConfig, build
from pipeway.jobs.exceptions import JobsConfigError
from pipeway.jobs.runner import JobContext
from pipeway.jobs.settings import KafkaSettings


def _context(tmp_path: Path, options: dict[str, str]) -> JobContext:
    # the options are checked before the job touches Spark
    kafka = KafkaSettings(bootstrap_servers="localhost:9", registry_url="http://localhost:9")
    no_spark = cast(SparkSession, None)
    return JobContext("tv-analytics", no_spark, kafka, tmp_path, options=options)


def test_options_are_the_config_fields_as_text() -> None:
    config = TvJobConfig.model_validate({"watermark_delay_ms": "30000", "shards": "8"})
    assert (config.watermark_delay_ms, config.shards) == (30_000, 8)
    assert TvJobConfig().watermark_delay_ms == contract.WATERMARK_DELAY_MS
    live = TvJobConfig.model_validate({"live": "false", "live_disorder_ms": "2500"})
    assert (live.live, live.live_disorder_ms) == (False, 2_500)
    assert not set(contract.LIVE_TOPICS.values()) & set(live.outputs)
    assert set(contract.LIVE_TOPICS.values()) <= set(TvJobConfig().outputs)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"watermark_delay": "30000"}, "watermark_delay: Extra inputs are not permitted"),
        ({"watermark_delay_ms": "0"}, "watermark_delay_ms: Input should be greater than 0"),
        ({"shards": "many"}, "shards: Input should be a valid integer"),
        ({"live": "sometimes"}, "live: Input should be a valid boolean"),
        ({"live_disorder_ms": "-1"}, "live_disorder_ms: Input should be greater than or equal"),
    ],
)
def test_unknown_options_and_bad_values_are_refused(
    tmp_path: Path, options: dict[str, str], message: str
) -> None:
    with pytest.raises(JobsConfigError, match="tv-analytics options: ") as error:
        build(_context(tmp_path, options))
    assert message in str(error.value)
