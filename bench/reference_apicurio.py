"""A reference Confluent-compatible Schema Registry (Apicurio) for the registry benchmark.

Apicurio Registry's plain ``apicurio-registry-app`` jar on Maven Central is an
un-augmented Quarkus library (no generated main class) and its dependency closure
is not fully served here, so it cannot be run as ``java -cp``.  The same
coordinates also carry a ready-built Quarkus distribution under the classifier
``all`` (type ``tar.gz``); this module fetches that one artifact with Maven,
unpacks it once into ``~/.cache/pipeway/bench/apicurio-<version>/`` and runs it
with the default in-memory H2 SQL storage.

* 3.0.9 (the default) is Java 17 bytecode, a legacy ``*-runner.jar`` layout,
  main class ``io.quarkus.runner.GeneratedMain``.
* 3.3.x is Java 21 bytecode, a fast-jar layout (``quarkus-run.jar``, main
  class ``io.quarkus.bootstrap.runner.QuarkusEntryPoint``): it needs a JDK 21+,
  e.g. the Temurin 25 JDK under ``/usr/lib/jvm``, which is found automatically.

Usage::

    with running_apicurio(free_port()) as base_url:
        ...  # base_url == "http://127.0.0.1:PORT/apis/ccompat/v7"
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_VERSION = "3.0.9"
"""Apicurio Registry version used unless one is given (runs on Java 17)."""

ARTIFACT = "io.apicurio:apicurio-registry-app:{version}:tar.gz:all"
CACHE_ROOT = Path.home() / ".cache" / "pipeway" / "bench"
_COMPLETE_MARKER = ".complete"
_JVM_ROOT = Path("/usr/lib/jvm")


class ApicurioError(RuntimeError):
    """Apicurio could not be fetched, started or reached."""


def cache_dir(version: str = DEFAULT_VERSION) -> Path:
    """Directory holding the unpacked distribution of ``version``."""
    return CACHE_ROOT / f"apicurio-{version}"


def ensure_distribution(version: str = DEFAULT_VERSION) -> Path:
    """Return the unpacked distribution of ``version``, fetching it with Maven if needed.

    Maven is skipped when the cache directory is already complete.  The archive is
    unpacked into a sibling temporary directory and renamed into place, so an
    interrupted fetch never leaves a half-filled cache behind.
    """
    target = cache_dir(version)
    if (target / _COMPLETE_MARKER).is_file():
        return target
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ApicurioError("mvn not found on PATH; it is needed to fetch Apicurio")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".apicurio-{version}-", dir=target.parent))
    try:
        proc = subprocess.run(
            [
                mvn,
                "-B",
                "-q",
                "dependency:unpack",
                f"-Dartifact={ARTIFACT.format(version=version)}",
                f"-DoutputDirectory={staging}",
            ],
            cwd=staging,  # no pom.xml here: the goal runs without a project
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise ApicurioError(
                f"mvn could not fetch {ARTIFACT.format(version=version)}:\n"
                f"{(proc.stdout + proc.stderr)[-4000:]}"
            )
        _launch_jar(staging)  # fail early on an unexpected layout
        (staging / _COMPLETE_MARKER).write_text(version + "\n")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _launch_jar(dist: Path) -> Path:
    """The jar to run with ``java -jar`` in an unpacked distribution."""
    fast_jar = dist / "quarkus-run.jar"
    if fast_jar.is_file():
        return fast_jar
    runners = sorted(dist.glob("*-runner.jar"))
    if runners:
        return runners[0]
    raise ApicurioError(f"no quarkus-run.jar or *-runner.jar in {dist}")


def required_java(dist: Path) -> int:
    """Lowest Java feature release able to load the registry's own classes."""
    jars = sorted((dist / "app").glob("*.jar")) or [_launch_jar(dist)]
    for jar in jars:
        with zipfile.ZipFile(jar) as zf:
            for name in zf.namelist():
                if name.startswith("io/apicurio/registry/") and name.endswith(".class"):
                    header = zf.read(name)[:8]
                    return int.from_bytes(header[6:8], "big") - 44
    raise ApicurioError(f"no Apicurio classes found in {dist}")


def _java_feature(java_home: Path) -> int | None:
    """Java feature release of the JDK/JRE at ``java_home`` (from its ``release`` file)."""
    try:
        text = (java_home / "release").read_text()
    except OSError:
        return None
    match = re.search(r'^JAVA_VERSION="(\d+)', text, re.MULTILINE)
    return int(match.group(1)) if match else None


def find_java(min_feature: int) -> Path:
    """A ``java`` executable of at least ``min_feature``.

    Looked for in ``$APICURIO_JAVA_HOME``, ``$JAVA_HOME``, the ``java`` on PATH and
    then every JDK under ``/usr/lib/jvm`` (newest first).
    """
    homes: list[Path] = []
    for var in ("APICURIO_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(var):
            homes.append(Path(os.environ[var]))
    on_path = shutil.which("java")
    if on_path:
        homes.append(Path(on_path).resolve().parent.parent)
    if _JVM_ROOT.is_dir():
        found = [p for p in _JVM_ROOT.iterdir() if (p / "bin" / "java").is_file()]
        homes.extend(sorted(found, key=lambda p: _java_feature(p) or 0, reverse=True))
    for home in homes:
        feature = _java_feature(home)
        if feature is not None and feature >= min_feature and (home / "bin" / "java").is_file():
            return home / "bin" / "java"
    raise ApicurioError(f"no Java {min_feature}+ found (set APICURIO_JAVA_HOME)")


def _is_ready(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/subjects", timeout=2) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _log_tail(log_path: Path, chars: int = 3000) -> str:
    try:
        return log_path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


@contextmanager
def running_apicurio(
    port: int,
    *,
    version: str = DEFAULT_VERSION,
    startup_timeout: float = 120.0,
    heap: str = "512m",
) -> Iterator[str]:
    """Run an in-memory Apicurio Registry on ``127.0.0.1:port`` for the ``with`` block.

    Yields the Confluent-compatible base URL, ``http://127.0.0.1:PORT/apis/ccompat/v7``.
    The JVM's output goes to a temporary log file that is quoted in the error if the
    registry dies or is not ready within ``startup_timeout`` seconds.  The process is
    terminated (then killed) on exit; all data lives in memory and is lost with it.
    """
    dist = ensure_distribution(version)
    java = find_java(required_java(dist))
    base_url = f"http://127.0.0.1:{port}/apis/ccompat/v7"
    command = [
        str(java),
        f"-Xmx{heap}",
        f"-Dquarkus.http.port={port}",
        "-Dquarkus.http.host=127.0.0.1",
        # 3.x keeps health/metrics on a separate management port (9000 on all
        # interfaces by default): move it to loopback on a free port.
        "-Dquarkus.management.host=127.0.0.1",
        "-Dquarkus.management.port=0",
        "-jar",
        str(_launch_jar(dist)),
    ]
    with tempfile.TemporaryDirectory(prefix="apicurio-run-") as run_dir:
        log_path = Path(run_dir) / "apicurio.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                command, cwd=run_dir, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        try:
            deadline = time.monotonic() + startup_timeout
            while not _is_ready(base_url):
                if proc.poll() is not None:
                    raise ApicurioError(
                        f"Apicurio exited with code {proc.returncode}:\n{_log_tail(log_path)}"
                    )
                if time.monotonic() > deadline:
                    raise ApicurioError(
                        f"Apicurio not ready after {startup_timeout:.0f}s:\n{_log_tail(log_path)}"
                    )
                time.sleep(0.25)
            yield base_url
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


if __name__ == "__main__":  # pragma: no cover - manual smoke run
    import sys

    from pipeway.platform.ports import free_port

    chosen = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_VERSION
    started = time.monotonic()
    with running_apicurio(free_port(), version=chosen) as url:
        print(f"apicurio {chosen} ready at {url} after {time.monotonic() - started:.1f}s")
