"""Session settings: jar paths instead of packages, small-machine defaults, the JDK choice."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeway.jobs import java
from pipeway.jobs.dead_letters import dead_letter_topic
from pipeway.jobs.exceptions import SparkSetupError
from pipeway.jobs.session import spark_conf
from pipeway.jobs.settings import SparkSettings


def test_conf_uses_local_connector_jars_and_the_data_dir(tmp_path: Path) -> None:
    conf = spark_conf(SparkSettings(data_dir=tmp_path, shuffle_partitions=3, ui_enabled=False))

    jars = conf["spark.jars"].split(",")
    names = sorted(Path(j).name for j in jars)
    assert all(Path(j).is_file() for j in jars)
    assert any(n.startswith("spark-sql-kafka-0-10_2.13-4.2.0") for n in names)
    assert any(n.startswith("spark-avro_2.13-4.2.0") for n in names)
    assert not any(n.startswith(("scala-library", "hadoop-client", "spark-core")) for n in names)
    assert "spark.jars.packages" not in conf
    assert conf["spark.sql.shuffle.partitions"] == "3"
    assert conf["spark.ui.enabled"] == "false"
    assert conf["spark.sql.session.timeZone"] == "UTC"
    assert conf["spark.sql.streaming.checkpointLocation"] == str(tmp_path / "spark/checkpoints")


def test_extra_conf_wins(tmp_path: Path) -> None:
    settings = SparkSettings(data_dir=tmp_path, extra_conf={"spark.sql.shuffle.partitions": "8"})
    assert spark_conf(settings)["spark.sql.shuffle.partitions"] == "8"


def _fake_jdk(root: Path, name: str, major: int) -> Path:
    home = root / name
    (home / "bin").mkdir(parents=True)
    script = home / "bin" / "java"
    script.write_text(f"#!/bin/sh\necho 'openjdk version \"{major}.0.1\" 2025-01-01' >&2\n")
    script.chmod(0o755)
    return home


def test_an_unsupported_java_home_is_passed_over_for_a_17(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    newest = _fake_jdk(tmp_path, "temurin-25", 25)
    seventeen = _fake_jdk(tmp_path, "java-17-openjdk", 17)
    monkeypatch.setenv("JAVA_HOME", str(newest))
    monkeypatch.setenv("PATH", str(newest / "bin") + os.pathsep + "/usr/bin/nonexistent")
    monkeypatch.setattr(java, "JVM_DIRS", (tmp_path,))

    assert java.spark_java_home() == seventeen


def test_no_supported_java_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    newest = _fake_jdk(tmp_path, "temurin-25", 25)
    monkeypatch.setenv("JAVA_HOME", str(newest))
    monkeypatch.setenv("PATH", "/usr/bin/nonexistent")
    monkeypatch.setattr(java, "JVM_DIRS", (tmp_path,))

    with pytest.raises(SparkSetupError, match="Java 17 or 21"):
        java.spark_java_home()


def test_dead_letter_topic_name_is_per_job_and_kafka_safe() -> None:
    assert dead_letter_topic("tv sessions") == "pipeway-jobs-dlq.tv_sessions"
