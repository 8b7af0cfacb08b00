"""JVM engine jars, resolved from Maven Central by Maven from a pinned pom per engine.

Each engine (``kafka`` now; OpenSearch, Spark connectors and Debezium later) has a pom under
``pipeway/platform/poms/<engine>/pom.xml``. ``resolve`` runs ``mvn dependency:copy-dependencies``
once and copies the runtime jars into the shared cache, keyed by the pom's hash, so a changed
pom resolves again and an unchanged one never touches the network.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from pipeway.platform.exceptions import ArtifactResolutionError
from pipeway.platform.paths import cache_dir
from pipeway.platform.prereqs import maven_executable

log = logging.getLogger(__name__)

COMPLETE_MARKER = ".complete"
Progress = Callable[[str], None]


def engines() -> list[str]:
    """Names of the engines that have a pom."""
    poms = resources.files("pipeway.platform") / "poms"
    return sorted(p.name for p in poms.iterdir() if (p / "pom.xml").is_file())


def pom_path(engine: str) -> Path:
    """The pom file of ``engine`` inside the installed package."""
    pom = Path(str(resources.files("pipeway.platform") / "poms" / engine / "pom.xml"))
    if not pom.is_file():
        raise ArtifactResolutionError(engine, f"no pom for engine {engine!r}; known: {engines()}")
    return pom


def jar_dir(engine: str) -> Path:
    """Where the jars of ``engine`` live in the cache (whether resolved yet or not)."""
    digest = hashlib.sha256(pom_path(engine).read_bytes()).hexdigest()[:12]
    return cache_dir() / "jars" / f"{engine}-{digest}"


def is_resolved(engine: str) -> bool:
    """True when the jars for the current pom are complete in the cache."""
    return (jar_dir(engine) / COMPLETE_MARKER).exists()


def resolve(engine: str, progress: Progress | None = None) -> Path:
    """Make sure the jars of ``engine`` are in the cache and return their directory.

    Quick and offline when already resolved. Otherwise Maven copies the runtime dependencies
    into a temporary folder that is renamed into place, so an interrupted run leaves nothing
    half-done behind.

    Raises:
        ArtifactResolutionError: when Maven fails; the message carries Maven's error lines.
    """
    target = jar_dir(engine)
    if is_resolved(engine):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{engine}-", dir=target.parent))
    try:
        _run_maven(engine, staging, progress)
        (staging / COMPLETE_MARKER).write_text(pom_path(engine).read_text())
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    log.info("resolved engine=%s jars=%d dir=%s", engine, len(list(target.glob("*.jar"))), target)
    return target


def classpath(engine: str) -> str:
    """A Java classpath wildcard for the resolved jars of ``engine``."""
    return str(resolve(engine) / "*")


def _run_maven(engine: str, out_dir: Path, progress: Progress | None) -> None:
    cmd = [
        str(maven_executable()),
        "-B",
        "-f",
        str(pom_path(engine)),
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={out_dir}",
    ]
    log.info("resolving engine=%s cmd=%s", engine, " ".join(cmd))
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    errors: list[str] = []
    for line in proc.stdout or ():
        line = line.rstrip()
        if line.startswith("[ERROR]"):
            errors.append(line)
        if progress and ("Downloaded from" in line or "Copying" in line):
            progress(line.split("/")[-1].split(" ")[0])
    if proc.wait() != 0:
        detail = "\n".join(errors[:15]) or f"mvn exited with {proc.returncode}"
        raise ArtifactResolutionError(engine, detail)
