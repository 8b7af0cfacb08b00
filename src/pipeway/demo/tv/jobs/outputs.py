"""Writing one micro-batch of the operator's rows to the output topics (``foreachBatch``).

Sessions and views arrive encoded by the operator (:mod:`.encoding`); the shards' partial
minute cells are summed (their users are disjoint, so distinct viewers add up) and top
programs ranked here, which works because every shard finalizes a window in the same batch
(the watermark is global). Values are Confluent Avro with the contract's schemas
(``schemas/<topic>.avsc``), keys an Avro record of the row key, so a batch replayed after a
crash rewrites the same keyed rows.
Dead letters the operator passed through go to the job's dead letter topic in the same
Kafka write, with Kafka Connect's error headers (:mod:`pipeway.jobs.dead_letters`).

The whole write is one SQL statement (:class:`OutputQuery`), written once when the job
starts and run on every batch with the batch as its input: building the same plan with the
DataFrame API took ~60 calls into the JVM, each analysed on its own, about 0.5 s of every
micro-batch on the driver (docs/jobs/tv-analytics.md, "Outputs").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pyspark.sql import DataFrame

from pipeway.demo.tv import contract
from pipeway.demo.tv.jobs.encoding import ENCODED_KINDS, ROW_KEYS, key_schema, register
from pipeway.demo.tv.jobs.encoding import value_schema as value_schema_of
from pipeway.demo.tv.jobs.topics import COUNTS, TvJobConfig
from pipeway.jobs.dead_letters import HEADERS_TYPE, dead_letter_headers_sql, dead_letter_topic
from pipeway.jobs.kafka_sink import sink_options
from pipeway.jobs.settings import KafkaSettings
from pipeway.serde import RegistryClient
from pipeway.serde.wire_format import encode_header

AGGREGATED_KINDS = ("program_cell", "program_total", "ad_cell", "count")
"""Row kinds summed over the shards here."""

GROUP_COLUMNS = ("shard", "name", "window_start", "channel_id", "program_id", "ad_id",
                 "age_band", "gender", "city_id")  # fmt: skip
"""One grouping for every aggregated kind: a kind leaves the others' columns null (``shard``
only groups counters: cells of all shards add up)."""

TOTALS = f"""totals AS (
  SELECT kind, {", ".join(GROUP_COLUMNS)},
         first(title, true) AS title, sum(viewers) AS viewers, sum(view_ms) AS view_ms,
         max_by(value, version) AS value,
         window_start + {contract.WINDOW_MS} AS window_end,
         CAST(sum(view_ms) AS DOUBLE) / 1000D AS seconds
  FROM (SELECT kind, IF(kind = 'count', shard, NULL) AS shard,
               {", ".join(GROUP_COLUMNS[1:])}, title, viewers, view_ms, value, version
        FROM {{batch}} WHERE kind IN ({", ".join(f"'{k}'" for k in AGGREGATED_KINDS)}))
  GROUP BY kind, {", ".join(GROUP_COLUMNS)}
)"""
"""The shards' partial cells and program totals summed per window and group, and each
shard's counters as of its last save in the batch, in one shuffle (a shuffle per output was
a Spark stage each, most of a small batch's time)."""

TOP = f"""top AS (
  SELECT * FROM (
    SELECT *, row_number() OVER (PARTITION BY window_start
                                 ORDER BY viewers DESC, view_ms DESC, channel_id, program_id)
              AS rank
    FROM totals WHERE kind = 'program_total')
  WHERE rank <= {contract.TOP_N}
)"""

SOURCES = {
    contract.PROGRAM_MINUTE: "totals WHERE kind = 'program_cell'",
    contract.AD_MINUTE: "totals WHERE kind = 'ad_cell'",
    contract.TOP_PROGRAMS: "top",
    COUNTS: "totals WHERE kind = 'count'",
}
"""Where each output Spark encodes reads its rows (sessions and views come encoded)."""

NO_HEADERS = f"CAST(NULL AS {HEADERS_TYPE})"


@dataclass(frozen=True)
class OutputQuery:
    """The batch's Kafka messages (``topic``, ``key``, ``value``, ``headers``) as one SQL
    statement over ``{batch}``, with every schema, topic and header as a named parameter."""

    text: str
    args: dict[str, Any]

    @classmethod
    def build(cls, config: TvJobConfig, registry: RegistryClient, job: str) -> OutputQuery:
        """Register the outputs' schemas for ``config``'s topics and write the statement."""
        args: dict[str, Any] = {"dlq_topic": dead_letter_topic(job)}
        selects = [_encoded_rows(config, args)]
        for n, (name, source) in enumerate(SOURCES.items()):
            selects.append(_avro_rows(f"o{n}", name, config.topic(name), source, registry, args))
        selects.append(_dead_letters(job))
        union = "\nUNION ALL\n".join(selects)
        return cls(f"WITH {TOTALS},\n{TOP}\n{union}", args)

    def messages(self, batch: DataFrame) -> DataFrame:
        """The messages of ``batch`` (the operator's rows)."""
        return batch.sparkSession.sql(self.text, args=self.args, batch=batch)


def _encoded_rows(config: TvJobConfig, args: dict[str, Any]) -> str:
    """Rows the operator encoded itself, to the topic of their kind, in one pass (a pass per
    kind scanned every cached row once more)."""
    cases = []
    for kind, name in ENCODED_KINDS.items():
        args[f"topic_{kind}"] = config.topic(name)
        cases.append(f"WHEN '{kind}' THEN :topic_{kind}")
    kinds = ", ".join(f"'{k}'" for k in ENCODED_KINDS)
    return (
        f"SELECT CASE kind {' '.join(cases)} END AS topic, avro_key AS key,"
        f" avro_value AS value, {NO_HEADERS} AS headers"
        f" FROM {{batch}} WHERE kind IN ({kinds})"
    )


def _avro_rows(
    param: str, name: str, topic: str, source: str, registry: RegistryClient, args: dict[str, Any]
) -> str:
    """Output ``name``'s rows of ``source`` as Confluent Avro key and value (``param``
    prefixes its parameters)."""
    value_id, key_id = register(registry, topic, name)
    value = value_schema_of(name)
    key = key_schema(value, ROW_KEYS[name])
    args.update({
        f"{param}_topic": topic,
        f"{param}_key_header": encode_header(key_id),
        f"{param}_key_schema": json.dumps(key),
        f"{param}_value_header": encode_header(value_id),
        f"{param}_value_schema": json.dumps(value),
    })  # fmt: skip
    return (
        f"SELECT :{param}_topic AS topic,"
        f" concat(:{param}_key_header, to_avro({_struct(key)}, :{param}_key_schema)) AS key,"
        f" concat(:{param}_value_header, to_avro({_struct(value)}, :{param}_value_schema))"
        f" AS value, {NO_HEADERS} AS headers FROM {source}"
    )


def _struct(schema: dict[str, Any]) -> str:
    fields = ", ".join(f"'{f['name']}', {f['name']}" for f in schema["fields"])
    return f"named_struct({fields})"


def _dead_letters(job: str) -> str:
    """The batch's dead letters: the original bytes and headers plus Kafka Connect's error
    headers (:func:`pipeway.jobs.dead_letters.dead_letter_headers_sql`)."""
    return (
        f"SELECT :dlq_topic AS topic, key, value, {dead_letter_headers_sql(job)} AS headers"
        f" FROM (SELECT dl_key AS key, dl_value AS value, dl_topic AS topic,"
        f" dl_partition AS `partition`, `offset`, dl_reason AS reason, dl_stage AS stage,"
        f" from_json(dl_headers, '{HEADERS_TYPE}') AS headers"
        f" FROM {{batch}} WHERE kind = 'dead_letter')"
    )


class OutputWriter:
    """The ``foreachBatch`` function of the analytics query (runs on the driver)."""

    def __init__(
        self, config: TvJobConfig, kafka: KafkaSettings, registry: RegistryClient, job: str
    ) -> None:
        self.config = config
        self.kafka = kafka
        self.query = OutputQuery.build(config, registry, job)

    def __call__(self, batch: DataFrame, batch_id: int) -> None:
        # every output below reads the batch: run the stateful operator once, into the cache
        batch = batch.persist()
        try:
            batch.count()
            messages = self.query.messages(batch)
            # one task per core rather than per output and partition (8 times partitions
            # tasks): each task pays a start and a producer flush, most of a small batch
            messages = messages.coalesce(batch.sparkSession.sparkContext.defaultParallelism)
            # one Spark job for all topics: the sink takes each row's topic column
            options = {k: v for k, v in sink_options("", self.kafka).items() if k != "topic"}
            messages.write.format("kafka").options(**options).save()
        finally:
            batch.unpersist()
