"""Building (or reusing) the SparkSession every pipeway job runs in.

The Kafka and Avro connectors come from the jars ``pipeway setup`` resolved into the cache
(:func:`pipeway.platform.artifacts.resolve`); they are passed as local paths in ``spark.jars``,
never as ``spark.jars.packages``, so starting a job needs no network.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path

from pyspark import SparkContext
from pyspark.sql import SparkSession

from pipeway.jobs.exceptions import SparkSetupError
from pipeway.jobs.java import spark_java_home
from pipeway.jobs.settings import SparkSettings
from pipeway.platform import artifacts
from pipeway.platform.exceptions import ArtifactResolutionError, PrerequisiteMissing

log = logging.getLogger(__name__)

SPARK_ENGINE = "spark"
"""The engine name of the connector jars' pom (``pipeway/platform/poms/spark``)."""

_lock = threading.Lock()


def connector_jars() -> list[Path]:
    """Local paths of spark-sql-kafka, spark-avro and what they add (resolving once if needed).

    Raises:
        SparkSetupError: Maven is missing or could not resolve the jars.
    """
    try:
        folder = artifacts.resolve(SPARK_ENGINE)
    except (ArtifactResolutionError, PrerequisiteMissing) as exc:
        raise SparkSetupError(f"{exc} (run `pipeway setup` once while online)") from exc
    return sorted(folder.glob("*.jar"))


def spark_conf(settings: SparkSettings) -> dict[str, str]:
    """The ``spark.*`` settings a session built from ``settings`` gets."""
    spark_dir = settings.spark_dir()
    conf = {
        "spark.master": settings.master,
        "spark.app.name": settings.app_name,
        "spark.jars": ",".join(str(p) for p in connector_jars()),
        "spark.driver.memory": settings.driver_memory,
        "spark.sql.shuffle.partitions": str(settings.shuffle_partitions),
        "spark.ui.enabled": str(settings.ui_enabled).lower(),
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": settings.time_zone,
        "spark.sql.streaming.checkpointLocation": str(settings.checkpoint_root()),
        "spark.sql.warehouse.dir": str(spark_dir / "warehouse"),
        # a stopped query's temporary checkpoint is removed instead of piling up
        "spark.sql.streaming.forceDeleteTempCheckpointLocation": "true",
        # cached frames here live for one micro-batch: compressing them cost more than
        # reading them (2.5 s of a 400k-action TV batch, bench notes in docs/benchmarks.md)
        "spark.sql.inMemoryColumnarStorage.compressed": "false",
    }
    if settings.master.startswith("local"):
        conf["spark.driver.bindAddress"] = "127.0.0.1"
        conf["spark.driver.host"] = "127.0.0.1"
    conf.update(settings.extra_conf)
    return conf


def get_spark(settings: SparkSettings | None = None) -> SparkSession:
    """Return the process's SparkSession, building it from ``settings`` on first use.

    A session already running is reused as it is (Spark allows one per JVM); only the log
    level is applied again. Call :func:`stop_spark` first to change static settings.

    Raises:
        SparkSetupError: no Java 17/21, or the connector jars are not resolvable.
    """
    settings = settings or SparkSettings()
    with _lock:
        active = _running_session()
        if active is None:
            active = _build(settings)
        active.sparkContext.setLogLevel(settings.log_level)
        return active


def stop_spark() -> None:
    """Stop the process's session (if any), ending its streaming queries."""
    with _lock:
        active = _running_session()
        if active is not None:
            active.stop()


def _running_session() -> SparkSession | None:
    """The session of this JVM, whichever thread built it (getActiveSession is per thread)."""
    if SparkContext._active_spark_context is None:
        return None
    return SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()


def _build(settings: SparkSettings) -> SparkSession:
    try:
        java_home = spark_java_home(settings.java_home)
    except PrerequisiteMissing as exc:
        raise SparkSetupError(str(exc)) from exc
    # pyspark starts its JVM with $JAVA_HOME; it is read once, when the gateway launches
    os.environ["JAVA_HOME"] = str(java_home)
    # Python workers (UDFs, applyInPandasWithState) must run the driver's interpreter to see
    # the same virtualenv; pyspark reads PYSPARK_PYTHON (default: the system python3)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    conf = spark_conf(settings)
    Path(conf["spark.sql.warehouse.dir"]).mkdir(parents=True, exist_ok=True)
    if settings.master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # no "resolves to loopback" warning
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    log.info("starting spark master=%s java=%s", settings.master, java_home)
    return builder.getOrCreate()
