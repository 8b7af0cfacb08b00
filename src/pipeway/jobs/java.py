"""Choosing the JDK Spark runs on.

pyspark launches its JVM from ``$JAVA_HOME`` (else ``java`` on PATH). Spark 4.2 supports Java
17 and 21; a machine may also have a newer JDK as its default or in ``JAVA_HOME``, so the
session picks a supported one explicitly instead of trusting whichever comes first.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pipeway.jobs.exceptions import SparkSetupError
from pipeway.platform.prereqs import java_major_version

SUPPORTED_JAVA = (17, 21)
JVM_DIRS = (Path("/usr/lib/jvm"), Path("/usr/local/lib/jvm"), Path("/opt/java"))


def spark_java_home(explicit: Path | None = None) -> Path:
    """The ``JAVA_HOME`` Spark should use.

    Order: ``explicit``; ``$JAVA_HOME``; the ``java`` on PATH; JDKs under the usual folders
    (17 first). Only Java 17 or 21 qualifies, except ``explicit``, which is trusted.

    Raises:
        SparkSetupError: no supported JDK was found.
    """
    if explicit is not None:
        return explicit
    for home in _candidates():
        if _major(home) in SUPPORTED_JAVA:
            return home
    raise SparkSetupError(
        "Spark 4.2 needs Java 17 or 21 and none was found in JAVA_HOME, on PATH or under "
        f"{', '.join(map(str, JVM_DIRS))}; install openjdk-17-jre-headless or set "
        "SparkSettings.java_home"
    )


def _candidates() -> list[Path]:
    homes: list[Path] = []
    env = os.environ.get("JAVA_HOME")
    if env:
        homes.append(Path(env))
    on_path = shutil.which("java")
    if on_path:
        homes.append(Path(on_path).resolve().parent.parent)
    for base in JVM_DIRS:
        if base.is_dir():
            found = sorted(p for p in base.iterdir() if (p / "bin" / "java").exists())
            homes.extend(sorted(found, key=lambda p: "17" not in p.name))
    return homes


def _major(home: Path) -> int:
    java = home / "bin" / "java"
    return java_major_version(java) if java.exists() else 0
