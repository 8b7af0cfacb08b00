"""THE CRASH TEST: kill -9 the worker while mysql-cdc streams 100,000 rows; nothing is lost.

What is proven, and how the duplicate bound is derived:

- MariaDB gets 100,000 inserts in multi-row batches (one transaction each) while the connector
  streams; once 30 % or more of them reached the topic the worker process gets SIGKILL (no
  shutdown hook runs, nothing is flushed or committed). The remaining inserts, and 10,000
  updates, happen while no worker runs. A new worker process with the same group and
  internal topics takes the task over (after the dead member's session timeout) and resumes
  from the last committed source offset.
- **No loss**: the whole topic is read back (pk and op from the Confluent-wire Avro records);
  every inserted id has a ``c`` record (or an ``r`` record,
  when the initial snapshot's read saw it) and every updated id a ``u`` record.
- **Bounded duplicates**: the runner commits, every ``offset.flush.interval.ms``, the source
  offset of the latest record of the acknowledged prefix (that record and every earlier one
  are in Kafka); only records after it can be delivered again. The last offset committed
  before the kill names a binlog transaction (GTID), its row event and row; the record it
  names is found in the topic through its Debezium ``source`` block (``gtid``, ``pos`` of the
  row event, ``row``), and ``uncommitted`` = the records after it that were in the topic at
  the kill. The test asserts ``duplicates <= uncommitted`` and that every duplicate is one of
  those records. Duplicates > 0 is not required (the kill may land right after a commit).
"""

from __future__ import annotations

import io
import json
import signal
import threading
import time
from collections import Counter
from typing import Any

import pymysql
import pytest
from confluent_kafka import Message, TopicPartition
from fastavro import parse_schema, schemaless_reader

from pipeway.connect.runtime.contract import WorkerSettings
from pipeway.platform.components.mariadb import MariaDbEndpoint
from tests.integration.connect.e2e.helpers import (
    AvroReader,
    create_connector,
    high_watermark,
    read_range,
    reader,
    wait_for,
    wait_running,
)
from tests.integration.connect.worker.conftest import SpawnWorker

pytestmark = pytest.mark.integration

ROWS = 100_000
BATCH = 2_000
UPDATED = 10_000
KILL_AT = 0.35  # fraction of the inserts in the topic when the worker is killed
# The initial snapshot of the (empty) table can still be running when the first inserts
# commit: rows its consistent read sees arrive as snapshot reads ("r"), not creates, as in
# Debezium. Either proves the row reached the topic; both for one row would be a double.
CREATED = {"c", "r"}


def _insert_all(mariadb: MariaDbEndpoint, table: str, errors: list[BaseException]) -> None:
    try:
        conn = pymysql.connect(
            host=mariadb.host,
            port=mariadb.port,
            user=mariadb.root_user,
            password=mariadb.root_password,
            autocommit=True,
        )
        with conn.cursor() as cur:
            for start in range(1, ROWS + 1, BATCH):
                rows = ",".join(
                    f"({i},{i % 977},'row-{i}',{i * 0.5})" for i in range(start, start + BATCH)
                )
                cur.execute(f"INSERT INTO {table} (id, a, b, c) VALUES {rows}")
                time.sleep(0.15)  # spread the inserts (~8 s) so the kill lands mid-stream
        conn.close()
    except BaseException as exc:
        errors.append(exc)


class Decoder:
    """pk (Avro int key) and op of each record, writer schemas fetched by id."""

    def __init__(self, avro: AvroReader) -> None:
        self.avro = avro
        self.schemas: dict[int, Any] = {}

    def value(self, msg: Message) -> Any:
        data = msg.value()
        if data is None:
            return None
        schema_id = self.avro.schema_id(data)
        if schema_id not in self.schemas:
            schema = self.avro.registry.get_schema(schema_id).schema_str or "null"
            self.schemas[schema_id] = parse_schema(json.loads(schema))
        return schemaless_reader(io.BytesIO(data[5:]), self.schemas[schema_id], None)

    def op(self, msg: Message) -> str:
        value = self.value(msg)
        return "tombstone" if value is None else str(value["op"])

    def covered(self, messages: list[Message], offset: dict[str, Any]) -> int:
        """Index of the record a committed offset names (the last record it covers).

        A streaming offset is ``{"txn": gtid, "event": n, "row": r}``: rows ``0..r-1`` of the
        ``n``-th row event (0-based) of transaction ``gtid`` are done. In the records, the row
        event is told apart by ``source.pos`` (its start) and the row by ``source.row``.
        """
        assert offset.get("txn") and "part" not in offset, offset
        events: list[int] = []
        for index, msg in enumerate(messages):
            source = (self.value(msg) or {}).get("source") or {}
            if source.get("gtid") != offset["txn"]:
                continue
            if source["pos"] not in events:
                events.append(source["pos"])
            if len(events) - 1 == offset["event"] and source["row"] == offset["row"] - 1:
                return index
        raise AssertionError(f"no record in the topic for the committed offset {offset}")

    @staticmethod
    def pk(msg: Message) -> int:
        data = msg.key()
        assert data is not None and data[0] == 0
        return _zigzag(data[5:])


def _zigzag(buf: bytes) -> int:
    n = shift = 0
    for b in buf:
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            break
    return (n >> 1) ^ -(n & 1)


def _last_offset_commit(bootstrap: str, offsets_topic: str, name: str) -> tuple[int, Any]:
    """(timestamp ms, offset) of the last offset record of connector ``name``."""
    consumer = reader(bootstrap)
    meta = consumer.list_topics(offsets_topic, timeout=10).topics[offsets_topic]
    last: tuple[int, Any] = (0, None)
    try:
        for partition in meta.partitions:
            end = consumer.get_watermark_offsets(TopicPartition(offsets_topic, partition), 10)[1]
            if not end:
                continue
            consumer.assign([TopicPartition(offsets_topic, partition, 0)])
            seen, deadline = 0, time.monotonic() + 20
            while seen < end and time.monotonic() < deadline:
                for msg in consumer.consume(1000, 1.0):
                    if msg.error() is not None:
                        continue
                    seen = (msg.offset() or 0) + 1
                    key = json.loads(msg.key() or b"null")
                    if key and key[0] == name and msg.value() is not None:
                        ts = msg.timestamp()[1]
                        if ts >= last[0]:
                            last = (ts, json.loads(msg.value() or b"null"))
    finally:
        consumer.close()
    return last


def test_kill_9_mid_stream_loses_nothing(
    spawn_worker: SpawnWorker,
    worker_settings: WorkerSettings,
    cdc_config: Any,
    root: Any,
    database: str,
    mariadb: MariaDbEndpoint,
    kafka_bootstrap: str,
    registry_url: str,
) -> None:
    table = f"{database}.bulk"
    root.cursor().execute(
        f"CREATE TABLE {table} (id INT PRIMARY KEY, a INT NOT NULL, b VARCHAR(24), c DOUBLE)"
    )
    prefix = f"crash{database[4:]}"
    topic = f"{prefix}.{table}"
    first = spawn_worker()
    config = cdc_config(prefix, ["bulk"], **{"max.batch.size": 4096})
    create_connector(first.url, "cdc-crash", config)
    wait_running(first.url, "cdc-crash")
    started = time.monotonic()

    errors: list[BaseException] = []
    inserter = threading.Thread(target=_insert_all, args=(mariadb, table, errors), daemon=True)
    inserter.start()
    offsets_topic = worker_settings.offset_storage_topic
    # at 40k rows/s the first offset commit (every offset.flush.interval.ms) can come after
    # KILL_AT of the rows: wait for both, so the kill always lands after a commit
    wait_for(
        lambda: (
            high_watermark(kafka_bootstrap, topic) >= ROWS * KILL_AT
            and _last_offset_commit(kafka_bootstrap, offsets_topic, "cdc-crash")[1] is not None
        ),
        60,
        f"{KILL_AT:.0%} of the rows in the topic and an offset commit",
        interval_s=0.2,
    )
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(10)
    killed_at = time.monotonic() - started
    in_topic_at_kill = high_watermark(kafka_bootstrap, topic)
    commit_ts, committed = _last_offset_commit(
        kafka_bootstrap, worker_settings.offset_storage_topic, "cdc-crash"
    )
    assert committed is not None, "an offset was committed before the kill"

    second = spawn_worker()
    inserter.join(60)
    assert not errors, errors
    root.cursor().execute(f"UPDATE {table} SET a = a + 1 WHERE id <= {UPDATED}")
    expected_min = ROWS + UPDATED
    wait_running(second.url, "cdc-crash", timeout_s=40)
    wait_for(
        lambda: high_watermark(kafka_bootstrap, topic) >= expected_min,
        40,
        "every change in the topic after the restart",
    )
    # Duplicates count towards the watermark, so reaching ROWS + UPDATED records does not yet
    # mean every change arrived: read until nothing is missing, or give up and report the loss.
    decoder = Decoder(AvroReader(registry_url))
    deadline = time.monotonic() + 40
    while True:
        messages = read_range(kafka_bootstrap, topic, high_watermark(kafka_bootstrap, topic))
        changes = Counter((Decoder.pk(m), decoder.op(m)) for m in messages)
        created = {pk for pk, op in changes if op in CREATED}
        updated = {pk for pk, op in changes if op == "u"}
        lost_inserts = set(range(1, ROWS + 1)) - created
        lost_updates = set(range(1, UPDATED + 1)) - updated
        if not (lost_inserts or lost_updates) or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    time.sleep(1.0)  # then anything still in flight (e.g. late duplicates) is counted too
    messages = read_range(kafka_bootstrap, topic, high_watermark(kafka_bootstrap, topic))
    changes = Counter((Decoder.pk(m), decoder.op(m)) for m in messages)
    elapsed = time.monotonic() - started

    duplicates = sum(n - 1 for n in changes.values())
    dup_keys = {key for key, n in changes.items() if n > 1}
    pre_kill = messages[:in_topic_at_kill]
    uncommitted = pre_kill[decoder.covered(pre_kill, committed) + 1 :]
    produced_after_commit = sum(m.timestamp()[1] >= commit_ts for m in pre_kill)
    uncommitted_keys = {(Decoder.pk(m), decoder.op(m)) for m in uncommitted}
    print(
        f"\ncrash test: {ROWS} inserts + {UPDATED} updates; killed at {killed_at:.1f} s with "
        f"{in_topic_at_kill} records in the topic ({len(uncommitted)} after the record the "
        f"last offset commit {committed} names; {produced_after_commit} produced after that "
        f"commit); topic now {len(messages)} records; lost inserts "
        f"{len(lost_inserts)}, lost updates {len(lost_updates)}, duplicates {duplicates}; "
        f"ops {dict(Counter(op for _, op in changes.elements()))}; {elapsed:.1f} s total"
    )
    assert not lost_inserts, sorted(lost_inserts)[:20]
    assert not lost_updates, sorted(lost_updates)[:20]
    assert {op for _, op in changes} <= {*CREATED, "u"}
    read_and_created = {pk for pk, op in changes if op == "r"} & {
        pk for pk, op in changes if op == "c"
    }
    assert not read_and_created, (
        f"rows both snapshotted and streamed: {sorted(read_and_created)[:20]}"
    )
    assert duplicates <= len(uncommitted)
    assert dup_keys <= uncommitted_keys, sorted(dup_keys - uncommitted_keys)[:20]
    assert len(messages) == ROWS + UPDATED + duplicates
