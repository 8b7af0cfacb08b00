import stat
from pathlib import Path

import pytest

from pipeway.platform.exceptions import PrerequisiteMissing
from pipeway.platform.prereqs import java_executable, java_major_version, maven_executable


def _fake_java(tmp_path: Path, version_line: str) -> Path:
    java = tmp_path / "jdk" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n")
    java.chmod(java.stat().st_mode | stat.S_IEXEC)
    return java


@pytest.mark.parametrize(
    "line, major",
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('openjdk version "25" 2025-09-16', 25),
        ('java version "1.8.0_402"', 8),
    ],
)
def test_java_major_version_parses_vendor_strings(tmp_path: Path, line: str, major: int) -> None:
    assert java_major_version(_fake_java(tmp_path, line)) == major


def test_old_java_is_refused_with_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    java = _fake_java(tmp_path, 'java version "1.8.0_402"')
    monkeypatch.setenv("JAVA_HOME", str(java.parent.parent))
    with pytest.raises(PrerequisiteMissing, match="Java 8; set JAVA_HOME"):
        java_executable()


def test_missing_java_and_maven_say_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrerequisiteMissing, match="apt-get install -y openjdk-17-jre-headless"):
        java_executable()
    with pytest.raises(PrerequisiteMissing, match="apt-get install -y maven"):
        maven_executable()
