"""mysql-cdc through a real worker process into Kafka, read back with Confluent's own tools.

MariaDB → ``python -m pipeway.connect.worker`` → Kafka + registry; the records are decoded with
confluent-kafka's ``AvroDeserializer`` and ``SchemaRegistryClient`` (what any Kafka tool uses),
which proves pipeway writes Confluent-wire Avro with registered schemas.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integration.connect.e2e.helpers import (
    AvroReader,
    create_connector,
    read_until,
    wait_for,
    wait_running,
)
from tests.integration.connect.sources.mysql_cdc.conftest import execute
from tests.integration.connect.worker.conftest import SpawnWorker

pytestmark = pytest.mark.integration


def test_snapshot_stream_and_schema_change(
    spawn_worker: SpawnWorker,
    cdc_config: Any,
    root: Any,
    database: str,
    kafka_bootstrap: str,
    registry_url: str,
) -> None:
    execute(
        root,
        f"CREATE TABLE {database}.items "
        "(id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, qty INT NOT NULL)",
        f"INSERT INTO {database}.items VALUES (1, 'apple', 3), (2, 'pear', 5), (3, 'fig', 7)",
    )
    url = spawn_worker().url
    prefix = f"e2e{database[4:]}"
    topic = f"{prefix}.{database}.items"
    create_connector(url, "cdc-e2e", cdc_config(prefix, ["items"]))
    avro = AvroReader(registry_url)

    snapshot = read_until(kafka_bootstrap, topic, 3)
    assert [avro.key(m) for m in snapshot] == [{"id": 1}, {"id": 2}, {"id": 3}]
    values = [avro.value(m) for m in snapshot]
    assert [v["op"] for v in values] == ["r", "r", "r"]
    assert [v["after"] for v in values] == [
        {"id": 1, "name": "apple", "qty": 3},
        {"id": 2, "name": "pear", "qty": 5},
        {"id": 3, "name": "fig", "qty": 7},
    ]
    assert all(v["before"] is None for v in values)
    assert [v["source"]["snapshot"] for v in values] == ["true", "true", "last"]
    assert {v["source"]["db"] for v in values} == {database}
    first_schema = avro.schema_id(snapshot[0].value())

    execute(
        root,
        f"INSERT INTO {database}.items VALUES (4, 'kiwi', 1)",
        f"UPDATE {database}.items SET qty = 30 WHERE id = 3",
        f"DELETE FROM {database}.items WHERE id = 1",
    )
    msgs = read_until(kafka_bootstrap, topic, 3 + 4)[3:]
    assert [avro.key(m) for m in msgs] == [{"id": 4}, {"id": 3}, {"id": 1}, {"id": 1}]
    create, update, delete = (avro.value(m) for m in msgs[:3])
    assert create["op"] == "c" and create["before"] is None
    assert create["after"] == {"id": 4, "name": "kiwi", "qty": 1}
    assert update["op"] == "u"
    assert update["before"] == {"id": 3, "name": "fig", "qty": 7}
    assert update["after"] == {"id": 3, "name": "fig", "qty": 30}
    assert delete["op"] == "d" and delete["after"] is None
    assert delete["before"] == {"id": 1, "name": "apple", "qty": 3}
    assert delete["source"]["snapshot"] == "false" and delete["source"]["file"]
    assert msgs[3].value() is None, "a delete is followed by a tombstone"
    assert {avro.schema_id(m.value()) for m in msgs[:3]} == {first_schema}

    st = wait_running(url, "cdc-e2e")
    assert st["type"] == "source" and len(st["tasks"]) == 1

    def binlog_offset() -> dict[str, Any] | None:
        offsets = httpx.get(f"{url}/connectors/cdc-e2e/offsets", timeout=10).json()["offsets"]
        if not offsets or offsets[0]["offset"].get("snapshot"):
            return None
        return offsets[0]

    committed = wait_for(binlog_offset, 30, "a streaming offset")
    assert committed["partition"] == {"server": prefix}
    assert committed["offset"]["file"].startswith(("mysql-bin", "mariadb-bin"))
    assert committed["offset"]["pos"] > 0

    # DDL mid-stream: the next row carries a new schema, registered as a new version
    execute(
        root,
        f"ALTER TABLE {database}.items ADD COLUMN color VARCHAR(20) NULL",
        f"INSERT INTO {database}.items VALUES (5, 'plum', 2, 'purple')",
        f"UPDATE {database}.items SET color = 'green' WHERE id = 4",
    )
    after_ddl = read_until(kafka_bootstrap, topic, 7 + 2)[7:]
    added, recolored = (avro.value(m) for m in after_ddl)
    assert added["op"] == "c"
    assert added["after"] == {"id": 5, "name": "plum", "qty": 2, "color": "purple"}
    assert recolored["op"] == "u"
    assert recolored["before"] == {"id": 4, "name": "kiwi", "qty": 1, "color": None}
    assert recolored["after"]["color"] == "green"
    new_schema = avro.schema_id(after_ddl[0].value())
    assert new_schema != first_schema
    assert avro.registry.get_versions(f"{topic}-value") == [1, 2]
    latest = avro.registry.get_latest_version(f"{topic}-value")
    assert latest.schema_id == new_schema and "color" in (latest.schema.schema_str or "")
    assert avro.registry.get_versions(f"{topic}-key") == [1]
    assert wait_running(url, "cdc-e2e")
