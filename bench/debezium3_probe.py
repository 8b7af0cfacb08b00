"""Probe: does Debezium 3.6.1 (Kafka Connect 4.4.0) stream from MariaDB 10.11, or how does it fail?

The CDC benchmark (bench.cdc) uses Debezium 2.6.2 in Connect 3.9.2 as its reference; this
script records why not the version the issue names (engine ``debezium3``:
``io.debezium:debezium-connector-mysql:3.6.1.Final`` + ``connect-runtime`` 4.4.0). It starts a
private Kafka + MariaDB (with the CDC user) on free ports and, on a fresh binlog holding
bench.cdc's table and a few rows, runs:

1. ``connect``: ``ConnectStandalone`` 4.4.0 with bench.cdc's connector settings, less
   ``connector.adapter`` (3.x dropped it) and with ``snapshot.mode=no_data`` (3.x's name for
   2.x's ``never``), until the rows are in the topic or the connector/task fails;
2. ``task`` and ``task+adapter``: the same settings given straight to Debezium's
   ``MySqlConnectorTask`` (bench/DebeziumTaskRun.java, no Connect herder), without and with
   the 2.x ``connector.adapter=mariadb``, to see what the connector itself does with MariaDB
   if Connect lets it start. The 3.x MySQL connector has no other MariaDB setting; its
   MariaDB support is the separate ``debezium-connector-mariadb``, not served here. The
   runner also lists the keys the connector's ``config()`` defines but its ``validate()``
   leaves without a value (what Connect's herder trips over in stage 1).

Each stage prints the exception (class and message, its causes, the first stack lines).

Run: ``.venv/bin/python -m bench.debezium3_probe``
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from bench.cdc import (
    DB,
    TABLE,
    Debezium,
    create_topic,
    debezium_settings,
    insert_rows,
    reset_database,
    wait_for,
    write_properties,
)
from bench.common import fresh_config, save
from pipeway.platform import artifacts
from pipeway.platform.manager import Platform
from pipeway.platform.prereqs import java_executable

ENGINE = "debezium3"
COMPONENTS = ["kafka", "mariadb"]
TASK_RUNNER = Path(__file__).with_name("DebeziumTaskRun.java")
# bench.cdc's settings in 3.x terms: no connector.adapter, snapshot.mode never -> no_data.
OVERRIDES_3X: dict[str, str | None] = {"connector.adapter": None, "snapshot.mode": "no_data"}
ROWS = 10
STACK_LINES = 12


def fresh_binlog(platform: Platform) -> None:
    """bench.cdc's table on an empty binlog, with ``ROWS`` rows to stream."""
    reset_database(platform.config.mariadb_port)
    insert_rows(platform.config.mariadb_port, 0, ROWS)


def connect_stage(platform: Platform, workdir: Path, jars: Path, timeout: float) -> dict[str, Any]:
    """Debezium 3.6.1 in ConnectStandalone 4.4.0 until it streams the rows or fails."""
    fresh_binlog(platform)
    prefix = "dbz3_connect"
    topic = f"{prefix}.{DB}.{TABLE}"
    create_topic(platform.config.bootstrap_servers, topic)
    dbz = Debezium(platform, workdir, prefix, 5601, jars, overrides=OVERRIDES_3X)

    def running() -> bool:
        status = dbz.task_status()
        return dbz.proc.poll() is None and (status or {}).get("state") != "FAILED"

    try:
        streamed = wait_for(platform.config.bootstrap_servers, topic, ROWS, timeout, running)
        trace = (dbz.task_status() or {}).get("trace", "")
        exit_code = dbz.proc.poll()  # before stop(): did the worker give up on its own?
    finally:
        dbz.stop()
    log = dbz.log_path.read_text(errors="replace")
    kept = Path(tempfile.gettempdir(), f"bench-{prefix}.log")
    kept.write_text(log)
    # A connector that cannot be created has no task: ConnectStandalone logs the error and exits.
    trace = trace or startup_trace(log)
    outcome = "streams" if streamed else "failed" if trace or exit_code is not None else "timeout"
    return outcome_record("connect", outcome, trace, f"worker log {kept}")


def startup_trace(log: str) -> str:
    """The stack trace ConnectStandalone logs when it stops after a connector error."""
    lines = log.splitlines()
    for n, line in enumerate(lines):
        if "Stopping after connector error" in line:
            trace = [lines[n + 1]] if n + 1 < len(lines) else []
            for follow in lines[n + 2 :]:
                if not follow.startswith(("\t", "Caused by:", " ")):
                    break
                trace.append(follow)
            return "\n".join(trace)
    return ""


def task_stage(
    platform: Platform, workdir: Path, jars: Path, adapter: bool, timeout: float
) -> dict[str, Any]:
    """The connector's task run directly (no Connect herder) against MariaDB."""
    fresh_binlog(platform)
    name = "task+adapter" if adapter else "task"
    prefix = "dbz3_task_adapter" if adapter else "dbz3_task"
    home = workdir / prefix
    home.mkdir()
    overrides = {**OVERRIDES_3X, "connector.adapter": "mariadb" if adapter else None}
    settings = debezium_settings(platform.config.mariadb_port, home, prefix, 5602, overrides)
    props = write_properties(home / "connector.properties", settings)
    cmd = [str(java_executable()), "-cp", str(jars / "*"), str(TASK_RUNNER), str(props)]
    proc = subprocess.run(
        [*cmd, str(ROWS), str(int(timeout))], capture_output=True, text=True, timeout=timeout + 60
    )
    kept = Path(tempfile.gettempdir(), f"bench-{prefix}.log")
    kept.write_text(proc.stdout + proc.stderr)
    out = proc.stdout.splitlines()  # Debezium's own ERROR log lines may come first
    unvalidated = [line for line in out if line.startswith("UNVALIDATED ")]
    note = f"{(unvalidated or ['UNVALIDATED ?'])[0]}  (task log {kept})"
    if "FAILED" in out:
        trace = "\n".join(out[out.index("FAILED") + 1 :])
        return outcome_record(name, "failed", trace, note)
    streamed = [line for line in out if line.startswith("STREAMED ")]
    outcome = "streams" if proc.returncode == 0 else "timeout"
    return outcome_record(name, outcome, "", f"{(streamed or ['no rows'])[-1]}; {note}")


def outcome_record(stage: str, outcome: str, trace: str, note: str) -> dict[str, Any]:
    return {
        "stage": stage,
        "outcome": outcome,
        "exceptions": exception_lines(trace),
        "stack": trace.splitlines()[:STACK_LINES],
        "note": note,
    }


def exception_lines(trace: str) -> list[str]:
    """The top exception and each ``Caused by:`` line of a Java stack trace, in order."""
    lines = trace.splitlines()
    causes = [line.strip() for line in lines[1:] if line.lstrip().startswith("Caused by:")]
    return lines[:1] + causes


def report(result: dict[str, Any]) -> None:
    print(f"\n=== {result['stage']}: {result['outcome']}")
    for line in result["exceptions"]:
        print(f"  exception: {line}")
    if result["stack"]:
        print("  stack (first lines):")
        for line in result["stack"]:
            print(f"    {line}")
    if result["note"]:
        print(f"  {result['note']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=120, help="seconds per stage")
    args = parser.parse_args()
    jars = artifacts.resolve(ENGINE)
    results = []
    with tempfile.TemporaryDirectory(prefix="pipeway-bench-dbz3-") as tmp:
        workdir = Path(tmp)
        platform = Platform(fresh_config(workdir / "platform"))
        platform.up(only=COMPONENTS)
        try:
            results.append(connect_stage(platform, workdir, jars, args.timeout))
            report(results[-1])
            for adapter in (False, True):
                results.append(task_stage(platform, workdir, jars, adapter, args.timeout))
                report(results[-1])
        finally:
            platform.down(only=COMPONENTS)
    path = save("debezium3_probe", {"engine": ENGINE, "jars": str(jars), "results": results})
    print(f"\nresults: {path}")
    if any(r["outcome"] == "streams" for r in results):
        print("Debezium 3.6.1 STREAMED from MariaDB 10.11 in at least one stage (see above)")


if __name__ == "__main__":
    main()
