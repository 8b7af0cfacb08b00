"""Checks for the tools the JVM engines need, with errors that say how to fix them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from pipeway.platform.exceptions import PrerequisiteMissing

MIN_JAVA = 17
APT_HINT = (
    "install it with `apt-get install -y {pkg}` (make test/make demo do this when run as root)"
)


def java_executable() -> Path:
    """The ``java`` to run engines with: ``$JAVA_HOME/bin/java`` or the one on PATH.

    Raises:
        PrerequisiteMissing: when no Java is found or it is older than 17.
    """
    home = os.environ.get("JAVA_HOME")
    candidate = Path(home) / "bin" / "java" if home else None
    if candidate is None or not candidate.exists():
        found = shutil.which("java")
        candidate = Path(found) if found else None
    if candidate is None:
        raise PrerequisiteMissing(
            f"Java {MIN_JAVA}+", APT_HINT.format(pkg="openjdk-17-jre-headless")
        )
    version = java_major_version(candidate)
    if version < MIN_JAVA:
        raise PrerequisiteMissing(
            f"Java {MIN_JAVA}+", f"{candidate} is Java {version}; set JAVA_HOME to a newer JDK"
        )
    return candidate


def java_major_version(java: Path) -> int:
    """Parse the major version from ``java -version`` (printed on stderr)."""
    out = subprocess.run(
        [str(java), "-version"], capture_output=True, text=True, check=False
    ).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        return 0
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def maven_executable() -> Path:
    """The ``mvn`` used to resolve engine jars.

    Raises:
        PrerequisiteMissing: when Maven is not on PATH.
    """
    found = shutil.which("mvn")
    if not found:
        raise PrerequisiteMissing("Maven (mvn)", APT_HINT.format(pkg="maven"))
    return Path(found)
