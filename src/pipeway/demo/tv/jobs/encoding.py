"""Output schemas and keys, and the Avro encoding of session and view rows in the operator.

Sessions and views are most of the job's output rows and need no further Spark work, so the
operator emits them as finished Confluent-wire Kafka keys and values (``avro_key``,
``avro_value``) encoded column-wise (:mod:`pipeway.serde.avro_columns`): Spark then carries
two binary columns for them instead of some thirty typed ones, and has nothing to encode.
The schemas are registered on the driver when the job starts (as a Confluent serializer does
on first use); the encoders travel to the executors with their schema ids.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeway.demo.tv import contract
from pipeway.demo.tv.jobs.topics import COUNTS, TvJobConfig
from pipeway.demo.tv.schemas import schema
from pipeway.jobs.registry import subject_for
from pipeway.serde import RegistryClient
from pipeway.serde.avro_columns import Block, ColumnEncoder
from pipeway.serde.wire_format import encode_header

ROW_KEYS: dict[str, tuple[str, ...]] = {
    contract.SESSIONS: ("user_id", "device_id", "start_ts"),
    contract.SHOW_VIEWS: ("user_id", "device_id", "session_start_ts", "show_start_ts"),
    contract.AD_VIEWS: ("user_id", "device_id", "session_start_ts", "break_start_ts"),
    contract.PROGRAM_MINUTE: (
        "window_start", "channel_id", "program_id", "age_band", "gender", "city_id",
    ),
    contract.AD_MINUTE: ("window_start", "ad_id", "age_band", "gender", "city_id"),
    contract.TOP_PROGRAMS: ("window_start", "rank"),
    COUNTS: ("shard", "name"),
}  # fmt: skip
ROW_KEYS.update({live: ROW_KEYS[final] for final, live in contract.LIVE_TOPICS.items()})
"""The Kafka key of each output: the contract's row key (docs/jobs/tv-analytics.md)."""

COUNTS_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "AnalyticsCount",
    "namespace": "pipeway.demo.tv",
    "doc": "A counter of one shard of the tv-analytics job; sum the shards' last values.",
    "fields": [
        {"name": "shard", "type": "int"},
        {"name": "name", "type": "string"},
        {"name": "value", "type": "long"},
    ],
}

ENCODED_KINDS: dict[str, str] = {
    "session": contract.SESSIONS,
    "show_view": contract.SHOW_VIEWS,
    "ad_view": contract.AD_VIEWS,
}
"""Row kinds the operator encodes itself, and their outputs."""


def value_schema(name: str) -> dict[str, Any]:
    """The value schema of output ``name`` (the contract's, or the counters')."""
    return COUNTS_SCHEMA if name == COUNTS else schema(name)


def key_schema(value: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The key record: the row key's fields as the value schema types them."""
    by_name = {f["name"]: f for f in value["fields"]}
    fields = [{k: v for k, v in by_name[n].items() if k != "doc"} for n in names]
    return {
        "type": "record",
        "name": value["name"] + "Key",
        "namespace": value.get("namespace", "pipeway.demo.tv"),
        "fields": fields,
    }


def register(registry: RegistryClient, topic: str, name: str) -> tuple[int, int]:
    """Register output ``name``'s value and key schemas for ``topic``: (value id, key id)."""
    value = value_schema(name)
    key = key_schema(value, ROW_KEYS[name])
    value_id = registry.register(subject_for(topic, "value"), json.dumps(value))
    key_id = registry.register(subject_for(topic, "key"), json.dumps(key))
    return value_id, key_id


@dataclass(frozen=True)
class _Output:
    value: ColumnEncoder
    key: ColumnEncoder


class RowEncoders:
    """Encodes the operator's session and view tables into ``avro_key``/``avro_value``."""

    def __init__(self, ids: dict[str, tuple[int, int]]) -> None:
        """``ids``: (value id, key id) per output of :data:`ENCODED_KINDS`."""
        self._outputs = {}
        for kind, name in ENCODED_KINDS.items():
            value_id, key_id = ids[name]
            value = value_schema(name)
            self._outputs[kind] = _Output(
                ColumnEncoder(value, encode_header(value_id)),
                ColumnEncoder(key_schema(value, ROW_KEYS[name]), encode_header(key_id)),
            )

    @classmethod
    def registered(cls, config: TvJobConfig, registry: RegistryClient) -> RowEncoders:
        """Encoders whose schemas are registered for ``config``'s output topics."""
        names = ENCODED_KINDS.values()
        return cls({name: register(registry, config.topic(name), name) for name in names})

    def encode(self, kind: str, rows: pa.Table) -> pa.Table:
        """``rows`` of ``kind`` as ``kind``, ``avro_key``, ``avro_value``."""
        output = self._outputs[kind]
        rows = _derived(kind, rows)
        shared: dict[tuple[str, str], list[Block]] = {}  # the key's fields are the value's
        return pa.table(
            {
                "kind": pa.repeat(kind, rows.num_rows).cast(pa.string()),
                "avro_key": output.key.encode(rows, shared),
                "avro_value": output.value.encode(rows, shared),
            }
        )


def _derived(kind: str, rows: pa.Table) -> pa.Table:
    """The value fields computed from others (as the contract defines them)."""
    if kind == "session":
        start = rows.column("start_ts").to_numpy()
        end = rows.column("end_ts").to_numpy()
        duration = end - start
        standby = pc.equal(rows.column("end_reason"), contract.END_STANDBY).combine_chunks()
        derived = {
            "duration_ms": pa.array(duration),
            "seconds": pa.array(duration / 1000.0),
            "standby": standby,
        }
    else:
        seconds = rows.column("view_ms").to_numpy().astype(np.float64) / 1000.0
        derived = {"seconds": pa.array(seconds)}
    for name, values in derived.items():
        rows = rows.append_column(name, values)
    return rows
