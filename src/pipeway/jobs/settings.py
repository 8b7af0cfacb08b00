"""Settings of a job's Spark session and of the Kafka cluster and registry it talks to."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pipeway.platform.paths import data_dir as default_data_dir


class SparkSettings(BaseModel):
    """How :func:`pipeway.jobs.session.get_spark` builds the session.

    Defaults suit one small machine: ``local[*]``, few shuffle partitions (the default 200
    would make every micro-batch of a small stream schedule 200 tasks), UTC session time zone
    so event times mean the same everywhere, and checkpoints/warehouse under the pipeway data
    directory.
    """

    model_config = ConfigDict(extra="forbid")

    master: str = Field("local[*]", description="Spark master URL, e.g. local[2] or k8s://...")
    app_name: str = "pipeway"
    shuffle_partitions: int = Field(4, ge=1)
    ui_enabled: bool = True
    log_level: str = Field("WARN", pattern=r"^(ALL|DEBUG|INFO|WARN|ERROR|FATAL|OFF|TRACE)$")
    driver_memory: str = Field("2g", pattern=r"^\d+[mMgG]$")
    time_zone: str = "UTC"
    data_dir: Path | None = Field(
        None, description="pipeway data directory (default: $PIPEWAY_HOME or ./.pipeway)"
    )
    java_home: Path | None = Field(
        None, description="JDK for Spark (default: a Java 17/21 from JAVA_HOME, PATH, /usr/lib/jvm)"
    )
    extra_conf: dict[str, str] = Field(
        default_factory=dict, description="Any other spark.* settings, applied last"
    )

    def spark_dir(self) -> Path:
        """``<data dir>/spark``: checkpoints and warehouse of every job."""
        return default_data_dir(self.data_dir) / "spark"

    def checkpoint_root(self) -> Path:
        """Default parent of query checkpoints (``spark.sql.streaming.checkpointLocation``)."""
        return self.spark_dir() / "checkpoints"


class KafkaSettings(BaseModel):
    """Where the topics live and how to reach the schema registry.

    ``options`` are passed to Spark's Kafka source and sink as they are, so they use Spark's
    spelling: ``kafka.security.protocol``, ``kafka.sasl.mechanism``, ``maxOffsetsPerTrigger``.
    """

    model_config = ConfigDict(extra="forbid")

    bootstrap_servers: str = Field(..., min_length=1)
    registry_url: str | None = None
    options: dict[str, str] = Field(default_factory=dict)
