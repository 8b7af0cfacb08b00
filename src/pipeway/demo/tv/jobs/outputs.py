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

BATCH_VIEW = "tv_analytics_batch"
"""The temporary view the statement reads the batch from, in the query's own session (a
streaming query runs its batches in a clone of the session). Not the ``spark.sql(..., batch=df)``
formatter: it drops its view afterwards, and dropping a view uncaches its plan, which is the
persisted batch: every output would then recompute the micro-batch, stateful operator
included."""

AGGREGATED_KINDS: dict[str, str] = {
    "program_cell": contract.PROGRAM_MINUTE,
    "ad_cell": contract.AD_MINUTE,
    "program_total": contract.TOP_PROGRAMS,
    "count": COUNTS,
}
"""Row kinds summed over the shards here, and the output each becomes."""

GROUP_COLUMNS = ("shard", "name", "window_start", "as_of", "channel_id", "program_id", "ad_id",
                 "age_band", "gender", "city_id")  # fmt: skip
"""One grouping for every aggregated kind: a kind leaves the others' columns null (``shard``
only groups counters: cells of all shards add up; ``as_of`` is set on live cells only)."""

RANKED = f"""totals AS (
  SELECT kind, {", ".join(GROUP_COLUMNS)},
         first(title, true) AS title, sum(viewers) AS viewers, sum(view_ms) AS view_ms,
         max_by(value, version) AS value,
         window_start + {contract.WINDOW_MS} AS window_end,
         CAST(sum(view_ms) AS DOUBLE) / 1000D AS seconds
  FROM (SELECT kind, IF(kind = 'count', shard, NULL) AS shard,
               {", ".join(GROUP_COLUMNS[1:])}, title, viewers, view_ms, value, version
        FROM {BATCH_VIEW} WHERE kind IN ({", ".join(f"'{k}'" for k in AGGREGATED_KINDS)})
        DISTRIBUTE BY kind, window_start)
  GROUP BY kind, {", ".join(GROUP_COLUMNS)}
),
ranked AS (
  SELECT *, row_number() OVER (PARTITION BY kind, window_start, as_of
                               ORDER BY viewers DESC, view_ms DESC, channel_id, program_id)
            AS rank
  FROM totals
)"""
"""The shards' partial cells and program totals summed per window and group, each shard's
counters as of its last save in the batch, and program totals ranked per window: one shuffle
in all. The rows are distributed by (kind, window) before the sum, which also places them for
the ranking; a shuffle per output (or a second one for the ranking) was a Spark stage each,
most of a small batch's time."""

NO_HEADERS = f"CAST(NULL AS {HEADERS_TYPE})"


@dataclass(frozen=True)
class OutputQuery:
    """The batch's Kafka messages (``topic``, ``key``, ``value``, ``headers``) as one SQL
    statement over :data:`BATCH_VIEW`, with every schema, topic and header as a named
    parameter."""

    text: str
    args: dict[str, Any]

    @classmethod
    def build(cls, config: TvJobConfig, registry: RegistryClient, job: str) -> OutputQuery:
        """Register the outputs' schemas for ``config``'s topics and write the statement."""
        args: dict[str, Any] = {"dlq_topic": dead_letter_topic(job)}
        selects = [
            _encoded_rows(config, args),
            _aggregated_rows(config, registry, args),
            _dead_letters(job),
        ]
        union = "\nUNION ALL\n".join(selects)
        return cls(f"WITH {RANKED}\n{union}", args)

    def messages(self, batch: DataFrame) -> DataFrame:
        """The messages of ``batch`` (the operator's rows, persisted: the statement reads it
        several times). Its view stays until the next batch replaces it; dropping it would
        unpersist the batch too."""
        batch.createOrReplaceTempView(BATCH_VIEW)
        return batch.sparkSession.sql(self.text, args=self.args)


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
        f" FROM {BATCH_VIEW} WHERE kind IN ({kinds})"
    )


def _aggregated_rows(config: TvJobConfig, registry: RegistryClient, args: dict[str, Any]) -> str:
    """The summed rows as Confluent Avro messages of their kind's output, in one projection
    (a branch per output would each read, and shuffle, the cells again); top programs are
    the program totals ranked up to :data:`~pipeway.demo.tv.contract.TOP_N`. With live
    topics, final cells also go to their live topic (``final`` true) and live cells (those
    with ``as_of``) only there."""
    finals = {kind: _target(kind, name, config, registry, args)
              for kind, name in AGGREGATED_KINDS.items()}  # fmt: skip
    source, where = "ranked", f"(kind <> 'program_total' OR rank <= {contract.TOP_N})"
    if not config.live:
        topic, key, value = (_cases(finals, i) for i in range(3))
        where += " AND as_of IS NULL"  # live cells have nowhere to go
    else:
        lives = {
            kind: _target(f"{kind}_live", contract.LIVE_TOPICS[name], config, registry, args)
            for kind, name in AGGREGATED_KINDS.items()
            if name in contract.LIVE_TOPICS
        }
        topic, key, value = (f"IF(live, {_cases(lives, i)}, {_cases(finals, i)})" for i in range(3))
        # live cells (with as_of) to the live topic only; final cells to both
        source += (
            " LATERAL VIEW explode(CASE WHEN as_of IS NOT NULL THEN array(true)"
            " WHEN kind = 'count' THEN array(false) ELSE array(false, true) END) AS live"
        )
    return (
        f"SELECT {topic} AS topic, {key} AS key, {value} AS value, {NO_HEADERS} AS headers"
        f" FROM {source} WHERE {where}"
    )


def _target(
    name: str, topic: str, config: TvJobConfig, registry: RegistryClient, args: dict[str, Any]
) -> tuple[str, str, str]:
    """SQL of the topic, key and value of a row going to output ``topic`` (its schemas
    registered, parameters named after ``name``)."""
    value_id, key_id = register(registry, config.topic(topic), topic)
    value = value_schema_of(topic)
    key = key_schema(value, ROW_KEYS[topic])
    args.update({
        f"{name}_topic": config.topic(topic),
        f"{name}_key_header": encode_header(key_id),
        f"{name}_key_schema": json.dumps(key),
        f"{name}_value_header": encode_header(value_id),
        f"{name}_value_schema": json.dumps(value),
    })  # fmt: skip
    return f":{name}_topic", _avro(name, "key", key), _avro(name, "value", value)


def _cases(targets: dict[str, tuple[str, str, str]], part: int) -> str:
    """``CASE kind`` choosing part ``part`` (topic, key, value) of the row's target."""
    whens = " ".join(f"WHEN '{kind}' THEN {target[part]}" for kind, target in targets.items())
    return f"CASE kind {whens} END"


def _avro(kind: str, part: str, schema: dict[str, Any]) -> str:
    """Confluent Avro of ``schema``'s fields (the header and schema are parameters)."""
    return f"concat(:{kind}_{part}_header, to_avro({_struct(schema)}, :{kind}_{part}_schema))"


LIVE_FIELDS = {"as_of": "coalesce(as_of, window_end)", "final": "as_of IS NULL"}
"""how the live topics' own fields are computed (final cells have no ``as_of``)"""


def _struct(schema: dict[str, Any]) -> str:
    fields = ", ".join(f"'{f['name']}', {LIVE_FIELDS.get(f['name'], f['name'])}"
                       for f in schema["fields"])  # fmt: skip
    return f"named_struct({fields})"


def _dead_letters(job: str) -> str:
    """The batch's dead letters: the original bytes and headers plus Kafka Connect's error
    headers (:func:`pipeway.jobs.dead_letters.dead_letter_headers_sql`)."""
    return (
        f"SELECT :dlq_topic AS topic, key, value, {dead_letter_headers_sql(job)} AS headers"
        f" FROM (SELECT dl_key AS key, dl_value AS value, dl_topic AS topic,"
        f" dl_partition AS `partition`, `offset`, dl_reason AS reason, dl_stage AS stage,"
        f" from_json(dl_headers, '{HEADERS_TYPE}') AS headers"
        f" FROM {BATCH_VIEW} WHERE kind = 'dead_letter')"
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
        # the statement reads the batch three times: the first read runs the stateful
        # operator into the cache, the others read the cache (a task that needs a partition
        # being cached waits for it). No count() first: that was a job of its own, ~0.7 s of
        # a 2.5 s batch at 25,000 actions/s.
        batch = batch.persist()
        try:
            messages = self.query.messages(batch)
            # one task per core rather than per output and partition (8 times partitions
            # tasks): each task pays a start and a producer flush, most of a small batch
            messages = messages.coalesce(batch.sparkSession.sparkContext.defaultParallelism)
            # one Spark job for all topics: the sink takes each row's topic column
            options = {k: v for k, v in sink_options("", self.kafka).items() if k != "topic"}
            messages.write.format("kafka").options(**options).save()
        finally:
            batch.unpersist()
