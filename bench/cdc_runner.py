"""The mysql-cdc source in the real source runner, in process: rows/s end to end, profiled.

Starts a private platform (Kafka, registry, MariaDB), inserts ``--rows`` rows (1,000-row
transactions), then per converter (JSON without schemas, Avro) runs the real
``SourceTaskRunner`` built by ``create_runner`` with the mysql-cdc task, streaming the binlog
from its start into a fresh topic, and times connector start → every record acknowledged by
Kafka. ``--profile`` runs cProfile on the task thread and prints its top functions. Same work
as ``bench.cdc``'s pipeway runs minus the worker process and REST, so the per-row costs of
record building, conversion, produce and offset tracking show up directly. Also prints the
task thread's CPU time per row (binlog decode included), steadier than wall time when other
work shares the machine.

    .venv/bin/python -m bench.cdc_runner --rows 200000 [--profile] [--formats json,avro]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from typing import Any

from bench.cdc import DB, insert_rows, pipeway_config, reset_database
from bench.common import fresh_config
from pipeway.connect.runtime.contract import TaskId, WorkerSettings
from pipeway.connect.runtime.offsets import OffsetStore
from pipeway.connect.runtime.runners import create_runner
from pipeway.connect.runtime.source_runner import SourceTaskRunner
from pipeway.connect.settings import RuntimeSettings
from pipeway.connect.sources.mysql_cdc.connector import MySqlCdcConnector
from pipeway.connect.sources.mysql_cdc.settings import MySqlCdcSettings
from pipeway.platform.manager import Platform

COMPONENTS = ["kafka", "registry", "mariadb"]


def _split(config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(connector settings, runtime keys, grouped converter props) of a connector config."""
    runtime_keys = {"name", "connector.class", "tasks.max", "key.converter", "value.converter"}
    grouped = {k: v for k, v in config.items() if k.startswith(("key.converter.", "value."))}
    runtime = {k: v for k, v in config.items() if k in runtime_keys}
    settings = {k: v for k, v in config.items() if k not in runtime_keys and k not in grouped}
    return settings, runtime, grouped


def run_once(platform: Platform, rows: int, fmt: str, run: int, profile: bool) -> float:
    """Rows/s of one runner streaming the whole binlog; prints the profile when asked."""
    cfg = platform.config
    name = f"bench-runner-{fmt}-{run}"
    config = pipeway_config(cfg.mariadb_port, name, 5400 + run, fmt)
    config.update({"name": name, "connector.class": "mysql-cdc"})
    settings, runtime_keys, grouped = _split(config)
    worker = WorkerSettings.model_validate(
        {"bootstrap.servers": cfg.bootstrap_servers, "schema.registry.url": cfg.registry_url}
    )
    store = OffsetStore(cfg.bootstrap_servers, f"{name}-offsets")
    store.start()
    runner = create_runner(
        TaskId(name, 0),
        MySqlCdcConnector,
        MySqlCdcSettings.model_validate(settings),
        RuntimeSettings.model_validate(runtime_keys),
        grouped,
        {},
        worker,
        store,
    )
    assert isinstance(runner, SourceTaskRunner)
    profiler = cProfile.Profile() if profile else None
    inner = runner._run
    cpu: list[float] = []

    def measured() -> None:
        """The task thread, with its CPU time (steadier than wall time on a shared machine)."""
        begin = time.thread_time()
        try:
            if profiler is not None:
                profiler.runcall(inner)
            else:
                inner()
        finally:
            cpu.append(time.thread_time() - begin)

    runner._run = measured  # type: ignore[method-assign]
    started = time.perf_counter()
    runner.start()
    while runner.task_metrics.records_written_total < rows:
        if runner.status().state == "FAILED":
            raise RuntimeError(runner.status().trace)
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    runner.stop()
    store.close()
    rate = rows / elapsed
    task_cpu = cpu[0] if cpu else float("nan")
    print(
        f"{fmt}: {rows:,} rows in {elapsed:.2f} s = {rate:,.0f} rows/s; task thread CPU "
        f"{task_cpu:.2f} s = {task_cpu / rows * 1e6:.1f} us/row",
        flush=True,
    )
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        print(out.getvalue())
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--formats", default="json,avro")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="pipeway-bench-") as tmp:
        platform = Platform(fresh_config(Path(tmp)))
        platform.up(only=COMPONENTS)
        try:
            port = platform.config.mariadb_port
            reset_database(port)
            insert_rows(port, 0, args.rows)
            print(f"{args.rows:,} rows in {DB}.orders", flush=True)
            run = 0
            for _ in range(args.rounds):
                for fmt in args.formats.split(","):
                    run += 1
                    run_once(platform, args.rows, fmt, run, args.profile)
        finally:
            platform.down(only=COMPONENTS)


if __name__ == "__main__":
    main()
