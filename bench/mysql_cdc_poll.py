"""Raw throughput of the mysql-cdc task's poll() loop (no Kafka, no conversion).

Inserts N rows into a 4-column table (multi-row INSERTs, 1,000 rows per transaction), then
times the task's poll() loop until every row came back as a change record. Starts a
throwaway MariaDB from the local platform unless ``--port`` points at one (root without
password and the ``pipeway`` CDC user, as the platform creates them).

    .venv/bin/python bench/mysql_cdc_poll.py --rows 100000 [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

import pymysql

from pipeway.connect.sources.mysql_cdc.settings import MySqlCdcSettings
from pipeway.connect.sources.mysql_cdc.task import MySqlCdcTask
from pipeway.platform.config import PlatformConfig
from pipeway.platform.manager import Platform
from pipeway.platform.ports import free_port


class _Context:
    connector_name = "bench"
    task_id = 0

    def offset(self, partition: Any) -> None:
        return None


def _load(port: int, rows: int) -> None:
    conn = pymysql.connect(host="127.0.0.1", port=port, user="root", autocommit=True)
    with conn.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS bench_cdc")
        cur.execute("CREATE DATABASE bench_cdc")
        cur.execute(
            "CREATE TABLE bench_cdc.orders (id INT PRIMARY KEY, name VARCHAR(32), "
            "amount DECIMAL(10,2), created DATETIME)"
        )
    return None


def _insert(port: int, rows: int) -> float:
    conn = pymysql.connect(host="127.0.0.1", port=port, user="root", autocommit=True)
    started = time.perf_counter()
    with conn.cursor() as cur:
        for start in range(0, rows, 1000):
            values = ",".join(
                f"({i}, 'customer-{i}', {i % 1000}.25, '2024-01-01 00:00:00')"
                for i in range(start, min(rows, start + 1000))
            )
            cur.execute(f"INSERT INTO bench_cdc.orders VALUES {values}")
    return time.perf_counter() - started


def _run(port: int, rows: int, profile: bool) -> None:
    _load(port, rows)
    settings = MySqlCdcSettings.model_validate(
        {
            "database.hostname": "127.0.0.1",
            "database.port": port,
            "database.user": "pipeway",
            "database.password": "pipeway",
            "database.server.id": 4242,
            "topic.prefix": "bench",
            "database.include.list": "bench_cdc",
        }
    )
    task = MySqlCdcTask(settings, {}, _Context())
    task.start()
    while task.poll():  # the (empty) snapshot
        pass
    insert_s = _insert(port, rows)
    profiler = cProfile.Profile() if profile else None
    got, polls = 0, 0
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    while got < rows:
        got += len(task.poll())
        polls += 1
    elapsed = time.perf_counter() - started
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    task.stop()
    print(f"inserted {rows:,} rows in {insert_s:.1f} s")
    print(f"poll() loop: {got:,} records in {elapsed:.2f} s over {polls} polls "
          f"= {got / elapsed:,.0f} rows/s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--port", type=int, help="an existing MariaDB on 127.0.0.1")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.port:
        _run(args.port, args.rows, args.profile)
        return
    with tempfile.TemporaryDirectory() as data_dir:
        platform = Platform(
            PlatformConfig(data_dir=Path(data_dir), mariadb_port=free_port(), die_with_parent=True)
        )
        platform.up(only=["mariadb"])
        try:
            _run(platform.config.mariadb_port, args.rows, args.profile)
        finally:
            platform.down(only=["mariadb"])


if __name__ == "__main__":
    main()
