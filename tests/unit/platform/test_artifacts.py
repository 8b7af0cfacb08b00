from pathlib import Path

import pytest

from pipeway.platform import artifacts
from pipeway.platform.exceptions import ArtifactResolutionError


def test_every_engine_has_a_pinned_pom() -> None:
    assert "kafka" in artifacts.engines()
    pom = artifacts.pom_path("kafka").read_text()
    assert "<kafka.version>4.4.0</kafka.version>" in pom
    assert "log4j-slf4j-impl" in pom


def test_jar_dir_is_keyed_by_pom_content(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PIPEWAY_CACHE", str(tmp_path))
    target = artifacts.jar_dir("kafka")
    assert target.parent == tmp_path / "jars"
    assert target.name.startswith("kafka-")
    assert not artifacts.is_resolved("kafka")


def test_resolved_engine_needs_no_maven(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PIPEWAY_CACHE", str(tmp_path))
    target = artifacts.jar_dir("kafka")
    target.mkdir(parents=True)
    (target / artifacts.COMPLETE_MARKER).write_text("")
    monkeypatch.setenv("PATH", str(tmp_path))  # no mvn reachable: must not be called
    assert artifacts.resolve("kafka") == target


def test_unknown_engine_is_named() -> None:
    with pytest.raises(ArtifactResolutionError, match="no pom for engine 'flink'"):
        artifacts.pom_path("flink")


def test_maven_failure_carries_its_error_lines(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "bin" / "mvn"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\necho '[ERROR] Could not resolve org.apache.kafka:kafka_2.13'\nexit 1\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    monkeypatch.setenv("PIPEWAY_CACHE", str(tmp_path / "cache"))
    with pytest.raises(ArtifactResolutionError, match="Could not resolve org.apache.kafka"):
        artifacts.resolve("kafka")
    assert not artifacts.jar_dir("kafka").exists()
