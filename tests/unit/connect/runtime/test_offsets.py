"""Offset record layout (Kafka Connect's), partition keys and storage partitioning."""

from __future__ import annotations

import pytest

from pipeway.connect.runtime.offsets import (
    offset_key,
    parse_offset_key,
    partition_key,
    storage_partition,
)


def test_offset_key_is_kafka_connect_json() -> None:
    key = offset_key("mysql-orders", {"server": "db1", "table": "orders"})
    assert key == b'["mysql-orders",{"server":"db1","table":"orders"}]'


def test_parse_offset_key_round_trips() -> None:
    connector, partition = parse_offset_key(b'["c",{"file":"/a.parquet","n":1}]')
    assert connector == "c"
    assert partition == {"file": "/a.parquet", "n": 1}


@pytest.mark.parametrize("raw", [b'{"c":1}', b'["c"]', b"[1,{}]", b'["c","x"]'])
def test_parse_offset_key_rejects_other_shapes(raw: bytes) -> None:
    with pytest.raises(ValueError, match="not a Kafka Connect offset key"):
        parse_offset_key(raw)


def test_partition_key_ignores_order_and_freezes_nested_values() -> None:
    a = partition_key({"b": [1, 2], "a": "x"})
    assert a == partition_key({"a": "x", "b": [1, 2]})
    assert a == (("a", "x"), ("b", (1, 2)))
    assert hash(a) == hash(partition_key({"a": "x", "b": (1, 2)}))
    assert dict(partition_key({"t": "orders"})) == {"t": "orders"}


def test_storage_partition_is_stable_and_in_range() -> None:
    assert storage_partition("orders", 5) == storage_partition("orders", 5)
    assert all(0 <= storage_partition(f"c{i}", 5) < 5 for i in range(100))
    assert len({storage_partition(f"c{i}", 5) for i in range(100)}) == 5
