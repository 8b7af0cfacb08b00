"""The shared session: reused, on a supported Java, Python workers in the virtualenv."""

from __future__ import annotations

import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from pipeway.jobs.session import get_spark


def test_get_spark_reuses_the_running_session(spark: SparkSession) -> None:
    assert get_spark() is spark


def test_session_runs_on_java_17_or_21(spark: SparkSession) -> None:
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    assert jvm.java.lang.System.getProperty("java.specification.version") in ("17", "21")


def test_python_workers_run_the_drivers_interpreter(spark: SparkSession) -> None:
    """UDFs (and pandas state functions) need the virtualenv's packages on the workers."""

    @F.udf("string")
    def interpreter(_: int) -> str:
        return sys.executable

    [row] = spark.range(1).select(interpreter("id").alias("python")).collect()
    assert row["python"] == sys.executable
