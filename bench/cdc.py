"""CDC: pipeway's mysql-cdc source next to Debezium's MySQL connector, same MariaDB, same Kafka.

One private platform (Kafka 4.4, registry, MariaDB 10.11). Every run (one tool, one output
format) follows the same protocol on a fresh binlog:

1. no earlier reader left on the binlog (leftover dump threads killed), ``RESET MASTER``;
   recreate database ``bench_cdc`` with table ``orders`` (INT PK, VARCHAR(64), DECIMAL(10,2),
   DATETIME, plus ``ts`` DATETIME(6) = ``NOW(6)`` of the insert);
2. **catch-up**: insert ``--rows`` rows in transactions of 1,000 rows (multi-row INSERTs,
   autocommit), then create the target topic (1 partition, ``LogAppendTime``) and start the
   connector with ``snapshot.mode=never``, i.e. it streams the whole binlog from its start.
   Throughput = rows / (connector start → LogAppendTime of the last row), and the pure
   streaming rate = rows / (first row → last row in the topic);
3. **live**: with the connector caught up, insert ``--stream-rows`` more rows at
   ``--stream-rate`` rows/s (1,000-row transactions); latency per row = the Kafka record's
   LogAppendTime minus the row's ``ts`` (p50 / p99).

Runs: Debezium 2.6.2 (``connector.adapter=mariadb``) in a Kafka Connect 3.9.2 standalone
worker with JsonConverter (``schemas.enable=false``); pipeway's mysql-cdc in a real worker
process (``python -m pipeway.connect.worker``, connector POSTed over REST) once with the JSON
converter (``schemas.enable=false``, the same bytes' shape as Debezium's) and once with Avro
(pipeway's default). Then, on the last run's binlog: the raw decode rate of the
``mysql-replication`` package alone and of pipeway's task ``poll()`` loop (no Kafka), and
datagen (``users`` quickstart) records/s through the worker.

Run: ``.venv/bin/python -m bench.cdc --rows 1000000``
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pymysql
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

from bench.common import fresh_config, median, percentile, save
from pipeway.kafka.topics import ensure_topic
from pipeway.platform import artifacts
from pipeway.platform.manager import Platform
from pipeway.platform.ports import free_port
from pipeway.platform.prereqs import java_executable
from pipeway.serde import AvroDeserializer, RegistryClient, SerializationContext

DB, TABLE = "bench_cdc", "orders"
TXN_ROWS = 1000
LOG4J2 = """<Configuration status="WARN">
  <Appenders><Console name="out" target="SYSTEM_OUT">
    <PatternLayout pattern="%d{HH:mm:ss.SSS} %-5p %c{1} - %m%n"/></Console></Appenders>
  <Loggers><Root level="INFO"><AppenderRef ref="out"/></Root></Loggers>
</Configuration>
"""


# ------------------------------------------------------------------ database


def _root(port: int) -> pymysql.connections.Connection:
    return pymysql.connect(host="127.0.0.1", port=port, user="root", autocommit=True)


def binlog_readers(cur: Any) -> list[int]:
    cur.execute("SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'")
    return [row[0] for row in cur.fetchall()]


def wait_no_readers(cur: Any, quiet_s: float = 1.5, timeout: float = 60) -> float:
    """Make sure no earlier run still reads the binlog before ``RESET MASTER``; seconds taken.

    MariaDB keeps the dump thread of a replica that went away until it next writes to it, so
    leftover dump threads are killed; then no reader may reconnect for ``quiet_s`` (a deleted
    connector's task stops asynchronously, and pipeway's task reconnects every poll interval).
    """
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        for thread in binlog_readers(cur):
            with contextlib.suppress(pymysql.MySQLError):
                cur.execute(f"KILL {thread}")
        time.sleep(quiet_s)
        if not binlog_readers(cur):
            return time.monotonic() - started
    raise RuntimeError(f"a binlog reader keeps reconnecting after {timeout} s")


def reset_database(port: int) -> float:
    """Empty binlog, then the database and table (their DDL is the binlog's first events)."""
    with _root(port) as conn, conn.cursor() as cur:
        waited = wait_no_readers(cur)
        cur.execute(f"DROP DATABASE IF EXISTS {DB}")
        cur.execute("RESET MASTER")
        cur.execute(f"CREATE DATABASE {DB}")
        cur.execute(
            f"CREATE TABLE {DB}.{TABLE} (id INT PRIMARY KEY, name VARCHAR(64), "
            "amount DECIMAL(10,2), created DATETIME, ts DATETIME(6))"
        )
    return waited


def insert_rows(port: int, first: int, count: int, rate: float | None = None) -> float:
    """Insert ids ``first…first+count-1`` in 1,000-row transactions; seconds taken."""
    with _root(port) as conn, conn.cursor() as cur:
        started = time.perf_counter()
        for n, start in enumerate(range(first, first + count, TXN_ROWS)):
            if rate:
                wait = started + n * TXN_ROWS / rate - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
            values = ",".join(
                f"({i},'customer-{i:012d}',{i % 100000}.25,'2024-01-01 00:00:00',NOW(6))"
                for i in range(start, min(first + count, start + TXN_ROWS))
            )
            cur.execute(f"INSERT INTO {DB}.{TABLE} VALUES {values}")
        return time.perf_counter() - started


# ------------------------------------------------------------------ kafka


def create_topic(bootstrap: str, topic: str) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    ensure_topic(admin, topic, config={"message.timestamp.type": "LogAppendTime"})


def wait_for(bootstrap: str, topic: str, count: int, timeout: float, alive=None) -> bool:
    """Poll the high watermark until ``count`` records are in ``topic``."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-cdc-watch"})
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            _, high = consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=5)
            if high >= count:
                return True
            if alive is not None and not alive():
                return False
            time.sleep(0.1)
        return False
    finally:
        consumer.close()


def read_range(bootstrap: str, topic: str, start: int, end: int) -> list[Any]:
    """Messages at offsets ``start…end-1``."""
    consumer = Consumer(
        {"bootstrap.servers": bootstrap, "group.id": "bench-cdc-read", "enable.auto.commit": False}
    )
    consumer.assign([TopicPartition(topic, 0, start)])
    out: list[Any] = []
    try:
        while len(out) < end - start:
            for msg in consumer.consume(10_000, timeout=5):
                if msg.error() is None and msg.offset() < end:
                    out.append(msg)
    finally:
        consumer.close()
    return out


def ts_micros(value: Any) -> float:
    """The ``ts`` column as µs since the epoch, whichever form the converter gave it."""
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp() * 1e6
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp() * 1e6


# ------------------------------------------------------------------ the tools


class PipewayWorker:
    """A real ``python -m pipeway.connect.worker`` process on free ports."""

    def __init__(self, platform: Platform, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (workdir / "pipeway-worker.log").open("w")
        cmd = [
            sys.executable,
            "-m",
            "pipeway.connect.worker",
            "--bootstrap-servers",
            platform.config.bootstrap_servers,
            "--registry-url",
            platform.config.registry_url,
            "--group-id",
            "bench-cdc",
            "--rest-host",
            "127.0.0.1",
            "--rest-port",
            str(self.port),
            "--log-level",
            "WARNING",
        ]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/connectors", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"pipeway worker did not come up; see {self.log.name}")

    def start(self, name: str, config: dict[str, Any]) -> None:
        r = httpx.post(f"{self.url}/connectors", json={"name": name, "config": config}, timeout=30)
        if r.status_code != 201:
            raise RuntimeError(f"POST {name}: {r.status_code} {r.text}")

    def failed(self, name: str) -> str | None:
        status = httpx.get(f"{self.url}/connectors/{name}/status", timeout=10).json()
        for task in status.get("tasks", []):
            if task.get("state") == "FAILED":
                return task.get("trace", "FAILED")
        return None

    def delete(self, name: str) -> None:
        httpx.delete(f"{self.url}/connectors/{name}", timeout=30)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def pipeway_config(port: int, prefix: str, server_id: int, fmt: str) -> dict[str, Any]:
    config: dict[str, Any] = {
        "connector.class": "mysql-cdc",
        "tasks.max": 1,
        "database.hostname": "127.0.0.1",
        "database.port": port,
        "database.user": "pipeway",
        "database.password": "pipeway",
        "database.server.id": server_id,
        "topic.prefix": prefix,
        "database.include.list": DB,
        "snapshot.mode": "never",
    }
    if fmt == "json":
        for side in ("key", "value"):
            config[f"{side}.converter"] = "json"
            config[f"{side}.converter.schemas.enable"] = "false"
    return config


def debezium_settings(
    mariadb_port: int,
    home: Path,
    prefix: str,
    server_id: int,
    overrides: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """The benchmark's Debezium connector properties (2.6 names); ``overrides`` maps a key to
    a new value, or to ``None`` to leave it out (for 3.x: no ``connector.adapter``)."""
    settings = {
        "name": prefix,
        "connector.class": "io.debezium.connector.mysql.MySqlConnector",
        "connector.adapter": "mariadb",
        "tasks.max": "1",
        "database.hostname": "127.0.0.1",
        "database.port": str(mariadb_port),
        "database.user": "pipeway",
        "database.password": "pipeway",
        "database.server.id": str(server_id),
        "topic.prefix": prefix,
        "database.include.list": DB,
        "snapshot.mode": "never",
        "include.schema.changes": "false",
        "schema.history.internal": "io.debezium.storage.file.history.FileSchemaHistory",
        "schema.history.internal.file.filename": str(home / "schema-history.dat"),
    }
    for key, value in (overrides or {}).items():
        if value is None:
            settings.pop(key, None)
        else:
            settings[key] = value
    return settings


def write_properties(path: Path, props: Mapping[str, str]) -> Path:
    path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
    return path


class Debezium:
    """Debezium's MySQL connector in a Kafka Connect standalone worker (one JVM).

    ``jars`` holds the connector and the Connect runtime in one folder: engine ``debezium``
    (2.6.2 in Connect 3.9.2, the benchmark's reference) or ``debezium3`` (3.6.1 in Connect
    4.4.0, see bench.debezium3_probe). ``overrides`` as in :func:`debezium_settings`.
    """

    def __init__(
        self,
        platform: Platform,
        workdir: Path,
        prefix: str,
        server_id: int,
        jars: Path,
        overrides: Mapping[str, str | None] | None = None,
    ) -> None:
        self.name = prefix
        self.rest_url = f"http://127.0.0.1:{free_port()}"
        home = workdir / prefix
        home.mkdir()
        (home / "log4j2.xml").write_text(LOG4J2)
        worker = {
            "bootstrap.servers": platform.config.bootstrap_servers,
            "key.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "key.converter.schemas.enable": "false",
            "value.converter.schemas.enable": "false",
            "offset.storage.file.filename": str(home / "offsets.dat"),
            "offset.flush.interval.ms": "10000",
            "listeners": self.rest_url,
        }
        connector = debezium_settings(
            platform.config.mariadb_port, home, prefix, server_id, overrides
        )
        write_properties(home / "worker.properties", worker)
        write_properties(home / "connector.properties", connector)
        self.log_path = home / "connect.log"
        self.log = self.log_path.open("w")
        cmd = [
            str(java_executable()),
            "-Xmx1G",
            f"-Dlog4j2.configurationFile={home / 'log4j2.xml'}",
            "-cp",
            str(jars / "*"),
            "org.apache.kafka.connect.cli.ConnectStandalone",
            str(home / "worker.properties"),
            str(home / "connector.properties"),
        ]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)

    def alive(self) -> bool:
        return self.proc.poll() is None and self.error() is None

    def error(self) -> str | None:
        text = self.log_path.read_text(errors="replace")
        for marker in ("Task threw an uncaught and unrecoverable exception", "ConnectException"):
            at = text.find(marker)
            if at >= 0:
                return text[max(0, text.rfind("\n", 0, at - 200)) : at + 1500]
        return None

    def task_status(self) -> dict[str, Any] | None:
        """The task's entry of the worker's REST ``/status`` (``state``, ``trace``), once known."""
        try:
            r = httpx.get(f"{self.rest_url}/connectors/{self.name}/status", timeout=5)
        except httpx.HTTPError:
            return None  # REST server not up yet
        tasks = r.json().get("tasks", []) if r.status_code == 200 else []
        return tasks[0] if tasks else None

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


# ------------------------------------------------------------------ one run


def cdc_run(
    tool: str,
    fmt: str,
    platform: Platform,
    worker: PipewayWorker,
    workdir: Path,
    args: argparse.Namespace,
    server_id: int,
) -> dict[str, Any]:
    cfg = platform.config
    bootstrap, port = cfg.bootstrap_servers, cfg.mariadb_port
    prefix = f"{tool}_{fmt}_{server_id}"
    topic = f"{prefix}.{DB}.{TABLE}"
    rows, live = args.rows, args.stream_rows
    reader_wait_s = reset_database(port)
    insert_s = insert_rows(port, 0, rows)
    create_topic(bootstrap, topic)
    print(f"[{tool}/{fmt}] inserted {rows:,} rows in {insert_s:.1f} s; starting connector")

    started = time.time()
    if tool == "debezium":
        dbz = Debezium(platform, workdir, prefix, server_id, artifacts.resolve("debezium"))
        alive, stop = dbz.alive, dbz.stop
    else:
        worker.start(prefix, pipeway_config(port, prefix, server_id, fmt))

        def alive() -> bool:
            return worker.failed(prefix) is None

        def stop() -> None:
            worker.delete(prefix)

    result: dict[str, Any] = {
        "tool": tool,
        "format": fmt,
        "rows": rows,
        "insert_s": insert_s,
        "previous_reader_gone_s": reader_wait_s,
    }
    try:
        if not wait_for(bootstrap, topic, rows, args.timeout, alive):
            error = dbz.error() if tool == "debezium" else worker.failed(prefix)
            result["error"] = error or f"not all {rows} rows in {topic} within {args.timeout} s"
            print(f"[{tool}/{fmt}] FAILED: {result['error'][:2000]}")
            return result
        first, last = (
            read_range(bootstrap, topic, 0, 1)[0],
            read_range(bootstrap, topic, rows - 1, rows)[0],
        )
        first_s = first.timestamp()[1] / 1000 - started
        last_s = last.timestamp()[1] / 1000 - started
        result.update(
            first_row_s=first_s,
            start_to_last_s=last_s,
            rows_per_s_from_start=rows / last_s,
            rows_per_s_streaming=(rows - 1) / (last_s - first_s),
        )
        # live phase: the connector is caught up; paced inserts, per-row latency
        live_s = insert_rows(port, rows, live, rate=args.stream_rate)
        if not wait_for(bootstrap, topic, rows + live, args.timeout, alive):
            result["error"] = f"live rows did not all arrive within {args.timeout} s"
            return result
        msgs = read_range(bootstrap, topic, rows, rows + live)
        decode = value_decoder(fmt, cfg.registry_url, topic)
        lat = [m.timestamp()[1] - ts_micros(decode(m.value())["after"]["ts"]) / 1000 for m in msgs]
        result.update(
            live_rows=live,
            live_insert_s=live_s,
            latency_ms_p50=percentile(lat, 50),
            latency_ms_p99=percentile(lat, 99),
            latency_ms_max=max(lat),
            value_bytes_median=median([len(m.value()) for m in msgs]),
        )
        if fmt == "json":
            result["sample_value"] = json.loads(msgs[0].value())
        print(
            f"[{tool}/{fmt}] {result['rows_per_s_streaming']:,.0f} rows/s streaming, "
            f"{result['rows_per_s_from_start']:,.0f} rows/s from start "
            f"(first row {first_s:.1f} s), latency p50 {result['latency_ms_p50']:.0f} ms "
            f"p99 {result['latency_ms_p99']:.0f} ms"
        )
        return result
    finally:
        stop()


def value_decoder(fmt: str, registry_url: str, topic: str):
    if fmt == "json":
        return json.loads
    deserialize = AvroDeserializer(RegistryClient(registry_url))
    ctx = SerializationContext(topic, "value")
    return lambda value: deserialize(value, ctx)


# ------------------------------------------------------------------ raw binlog readers


def raw_library_rate(port: int, rows: int) -> float:
    """Rows/s of the ``mysql-replication`` package alone decoding the current binlog."""
    from pymysqlreplication import BinLogStreamReader
    from pymysqlreplication.row_event import WriteRowsEvent

    reader = BinLogStreamReader(
        connection_settings={
            "host": "127.0.0.1",
            "port": port,
            "user": "pipeway",
            "password": "pipeway",
        },
        server_id=9901,
        blocking=False,
        only_events=[WriteRowsEvent],
        only_schemas=[DB],
        enable_logging=False,
    )
    got, started = 0, time.perf_counter()
    for event in reader:
        got += len(event.rows)
        if got >= rows:
            break
    elapsed = time.perf_counter() - started
    reader.close()
    if got < rows:
        raise RuntimeError(f"mysql-replication read {got} of {rows} rows")
    return got / elapsed


def poll_loop_rate(port: int, rows: int) -> float:
    """Rows/s of pipeway's mysql-cdc task poll() loop over the current binlog (no Kafka)."""
    from pipeway.connect.sources.mysql_cdc.settings import MySqlCdcSettings
    from pipeway.connect.sources.mysql_cdc.task import MySqlCdcTask

    class Context:
        connector_name, task_id = "bench", 0

        def offset(self, partition: Any) -> None:
            return None

    settings = MySqlCdcSettings.model_validate(
        {
            k: v
            for k, v in pipeway_config(port, "raw", 9902, "avro").items()
            if not k.startswith(("connector.class", "tasks.max"))
        }
    )
    task = MySqlCdcTask(settings, {}, Context())
    task.start()
    got, started = 0, time.perf_counter()
    while got < rows:
        got += len(task.poll())
        if time.perf_counter() - started > 600:
            raise RuntimeError(f"poll loop read {got} of {rows} rows in 600 s")
    elapsed = time.perf_counter() - started
    task.stop()
    return got / elapsed


def datagen_run(worker: PipewayWorker, bootstrap: str, records: int, timeout: float) -> dict:
    topic = f"bench_datagen_{int(time.time())}"
    create_topic(bootstrap, topic)
    config = {
        "connector.class": "datagen",
        "kafka.topic": topic,
        "quickstart": "users",
        "iterations": records,
        "max.interval": 0,
        "random.seed": 42,
    }
    started = time.time()
    worker.start(topic, config)
    try:
        if not wait_for(bootstrap, topic, records, timeout):
            return {"error": f"datagen: not {records} records within {timeout} s"}
        first = read_range(bootstrap, topic, 0, 1)[0].timestamp()[1] / 1000
        last = read_range(bootstrap, topic, records - 1, records)[0].timestamp()[1] / 1000
    finally:
        worker.delete(topic)
    return {
        "records": records,
        "first_record_s": first - started,
        "records_per_s_from_start": records / (last - started),
        "records_per_s_streaming": (records - 1) / (last - first),
    }


# ------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="catch-up rows per run")
    parser.add_argument("--stream-rows", type=int, default=50_000, help="live rows per run")
    parser.add_argument("--stream-rate", type=float, default=5_000, help="live rows/s")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--datagen-records", type=int, default=200_000)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument(
        "--runs", default="debezium:json,pipeway:json,pipeway:avro", help="tool:format,…"
    )
    args = parser.parse_args()
    runs = [tuple(r.split(":")) for r in args.runs.split(",")]
    artifacts.resolve("debezium")

    with tempfile.TemporaryDirectory(prefix="pipeway-bench-cdc-") as tmp:
        workdir = Path(tmp)
        platform = Platform(fresh_config(workdir / "platform"))
        components = ["kafka", "registry", "mariadb"]
        platform.up(only=components)
        worker = None
        try:
            worker = PipewayWorker(platform, workdir)
            results: list[dict[str, Any]] = []
            server_id = 5500
            for _ in range(args.rounds):
                for tool, fmt in runs:
                    server_id += 1
                    results.append(cdc_run(tool, fmt, platform, worker, workdir, args, server_id))
            total = args.rows + args.stream_rows
            port = platform.config.mariadb_port
            raw = {
                "binlog_rows": total,
                "mysql_replication_rows_per_s": raw_library_rate(port, total),
                "pipeway_poll_loop_rows_per_s": poll_loop_rate(port, total),
            }
            print(f"raw binlog readers: {raw}")
            datagen = datagen_run(
                worker, platform.config.bootstrap_servers, args.datagen_records, args.timeout
            )
            print(f"datagen: {datagen}")
        finally:
            if worker is not None:
                worker.stop()
            platform.down(only=components)
            for log in workdir.glob("**/connect.log"):
                keep = Path(tempfile.gettempdir()) / f"bench-cdc-{log.parent.name}.log"
                keep.write_text(log.read_text(errors="replace"))
            wlog = workdir / "pipeway-worker.log"
            if wlog.exists():
                (Path(tempfile.gettempdir()) / "bench-cdc-pipeway-worker.log").write_text(
                    wlog.read_text(errors="replace")
                )

    summary = summarise(results)
    print_table(summary, raw, datagen)
    path = save(
        "cdc",
        {
            "args": vars(args),
            "runs": results,
            "summary": summary,
            "raw_binlog": raw,
            "datagen": datagen,
        },
    )
    print(f"results: {path}")


KEYS = (
    "rows_per_s_streaming",
    "rows_per_s_from_start",
    "first_row_s",
    "latency_ms_p50",
    "latency_ms_p99",
    "value_bytes_median",
)


def summarise(results: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    summary: dict[str, dict[str, float]] = {}
    for name in dict.fromkeys(f"{r['tool']}:{r['format']}" for r in results):
        ok = [r for r in results if f"{r['tool']}:{r['format']}" == name and "error" not in r]
        summary[name] = {k: median([r[k] for r in ok]) for k in KEYS} if ok else {}
    return summary


def print_table(summary: dict, raw: dict, datagen: dict) -> None:
    print("\n| run | streaming rows/s | rows/s from start | first row s | p50 ms | p99 ms | B |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, s in summary.items():
        if not s:
            print(f"| {name} | failed | | | | | |")
            continue
        print(
            f"| {name} | {s['rows_per_s_streaming']:,.0f} | {s['rows_per_s_from_start']:,.0f} | "
            f"{s['first_row_s']:.1f} | {s['latency_ms_p50']:.0f} | {s['latency_ms_p99']:.0f} | "
            f"{s['value_bytes_median']:.0f} |"
        )
    dbz = summary.get("debezium:json") or {}
    for name, s in summary.items():
        if s and dbz and name != "debezium:json":
            ratio = s["rows_per_s_streaming"] / dbz["rows_per_s_streaming"]
            print(f"{name} / debezium:json streaming ratio: {ratio:.2f}")
    print(f"raw: {raw}\ndatagen: {datagen}")


if __name__ == "__main__":
    main()
