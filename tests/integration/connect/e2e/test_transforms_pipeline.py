"""A transform chain in a real worker: CDC output unwrapped, filtered, routed and reshaped.

One ``mysql-cdc`` connector capturing two tables runs seven transforms with Kafka Connect and
Debezium class names: ``ExtractNewRecordState`` (rewrite deletes, keep tombstones, add
``op``/``table``), ``Filter`` + ``RecordIsTombstone``, ``Filter`` + ``TopicNameMatches`` (drops
the audit table), ``RegexRouter``, ``InsertField$Value`` (static field), ``ReplaceField$Value``
(exclude) and ``MaskField$Value``. The records in Kafka and the schema registered for the
routed topic must show every one of them.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from confluent_kafka.admin import AdminClient

from tests.integration.connect.e2e.helpers import (
    AvroReader,
    create_connector,
    read_until,
    wait_running,
)
from tests.integration.connect.sources.mysql_cdc.conftest import execute
from tests.integration.connect.worker.conftest import SpawnWorker

pytestmark = pytest.mark.integration


def test_cdc_through_a_transform_chain(
    spawn_worker: SpawnWorker,
    cdc_config: Any,
    root: Any,
    database: str,
    kafka_bootstrap: str,
    registry_url: str,
) -> None:
    execute(
        root,
        f"CREATE TABLE {database}.customers (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, "
        "email VARCHAR(60) NOT NULL, secret VARCHAR(40) NOT NULL)",
        f"CREATE TABLE {database}.audit_log (id INT PRIMARY KEY, note VARCHAR(40))",
        f"INSERT INTO {database}.customers VALUES (1, 'ann', 'ann@x.io', 's1')",
        f"INSERT INTO {database}.audit_log VALUES (1, 'snapshotted')",
    )
    prefix = f"tx{database[4:]}"
    routed = f"routed-{prefix}.customers"
    config = cdc_config(
        prefix,
        ["customers", "audit_log"],
        **{
            "transforms": "unwrap,dropTombstones,dropAudit,route,origin,dropSecret,mask",
            "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState",
            "transforms.unwrap.delete.handling.mode": "rewrite",
            "transforms.unwrap.drop.tombstones": "false",
            "transforms.unwrap.add.fields": "op,table",
            "transforms.dropTombstones.type": "org.apache.kafka.connect.transforms.Filter",
            "transforms.dropTombstones.predicate": "isTombstone",
            "transforms.dropAudit.type": "Filter",
            "transforms.dropAudit.predicate": "isAudit",
            "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
            "transforms.route.regex": f"{prefix}[.]{database}[.](.*)",
            "transforms.route.replacement": f"routed-{prefix}.$1",
            "transforms.origin.type": "org.apache.kafka.connect.transforms.InsertField$Value",
            "transforms.origin.static.field": "origin",
            "transforms.origin.static.value": "pipeway",
            "transforms.dropSecret.type": "ReplaceField$Value",
            "transforms.dropSecret.exclude": "secret",
            "transforms.mask.type": "mask-field-value",
            "transforms.mask.fields": "email",
            "predicates": "isTombstone,isAudit",
            "predicates.isTombstone.type": (
                "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone"
            ),
            "predicates.isAudit.type": "TopicNameMatches",
            "predicates.isAudit.pattern": ".*[.]audit_log",
        },
    )
    url = spawn_worker().url
    create_connector(url, "cdc-transforms", config)
    read_until(kafka_bootstrap, routed, 1)
    execute(
        root,
        f"INSERT INTO {database}.customers VALUES (2, 'bob', 'bob@x.io', 's2')",
        f"INSERT INTO {database}.audit_log VALUES (2, 'streamed')",
        f"UPDATE {database}.customers SET name = 'anna' WHERE id = 1",
        f"DELETE FROM {database}.customers WHERE id = 2",
    )
    avro = AvroReader(registry_url)
    messages = read_until(kafka_bootstrap, routed, 4)
    assert len(messages) == 4, "the delete's tombstone was filtered out"
    assert [avro.key(m) for m in messages] == [{"id": 1}, {"id": 2}, {"id": 1}, {"id": 2}]
    values = [avro.value(m) for m in messages]
    common = {"email": "", "origin": "pipeway", "__table": "customers"}
    assert values == [
        {"id": 1, "name": "ann", "__op": "r", "__deleted": "false", **common},
        {"id": 2, "name": "bob", "__op": "c", "__deleted": "false", **common},
        {"id": 1, "name": "anna", "__op": "u", "__deleted": "false", **common},
        {"id": 2, "name": "bob", "__op": "d", "__deleted": "true", **common},
    ]

    schema = json.loads(avro.registry.get_latest_version(f"{routed}-value").schema.schema_str or "")
    fields = {f["name"]: f["type"] for f in schema["fields"]}
    assert set(fields) == {"id", "name", "email", "__op", "__table", "__deleted", "origin"}
    assert "secret" not in fields and fields["email"] == "string"  # masked, same type
    assert fields["origin"] == ["null", "string"]

    topics = AdminClient({"bootstrap.servers": kafka_bootstrap}).list_topics(timeout=10).topics
    assert not [t for t in topics if t.endswith(".audit_log")], "audit records were filtered"
    assert f"{prefix}.{database}.customers" not in topics, "records were routed"
    wait_running(url, "cdc-transforms")
