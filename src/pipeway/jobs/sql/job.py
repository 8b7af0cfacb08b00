"""A SQL file as a job: each ``INSERT INTO <topic>`` becomes one streaming query.

Tables the statements read resolve to decoded streams of registered topics (see
:mod:`relations`); views created by ``CREATE TEMPORARY VIEW`` and settings made by ``SET``
apply to the statements after them. Results are written as Confluent Avro with their schema
registered under ``<topic>-value``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pyspark.errors import AnalysisException, ParseException

from pipeway.jobs.exceptions import JobsConfigError
from pipeway.jobs.runner.context import JobContext, OutputMode
from pipeway.jobs.sql.relations import relation_names, resolve_topic, topic_candidates
from pipeway.jobs.sql.statements import InsertInto, Statement, parse_insert, split_statements

_OUTPUT_MODES = ("append", "update", "complete")


def sql_job_builder(script: str, source: str) -> Callable[[JobContext], None]:
    """Check the file's structure now; return the ``build(ctx)`` that starts its queries.

    Raises:
        JobsConfigError: the file has no ``INSERT INTO`` or a malformed statement.
    """
    statements = split_statements(script)
    inserts = [s for s in statements if parse_insert(s) is not None]
    if not inserts:
        raise JobsConfigError(f"{source}: no INSERT INTO <topic> SELECT ... statement")

    def build(ctx: JobContext) -> None:
        views: set[str] = set()
        try:
            for statement in statements:
                _run_statement(ctx, statement, views, source)
        finally:
            # started queries hold their analysed plans; dropping the views lets the next
            # run (same session) read the topics afresh, with their dead letter queries
            for view in views:
                ctx.spark.catalog.dropTempView(_quoted(view))

    return build


def _temp_views(ctx: JobContext) -> set[str]:
    return {t.name for t in ctx.spark.catalog.listTables() if t.isTemporary}


def _run_statement(ctx: JobContext, statement: Statement, views: set[str], source: str) -> None:
    """Run one statement; ``views`` collects the temporary views this build created."""
    insert = parse_insert(statement)
    sql = insert.query if insert else statement.text
    try:
        _register_topics(ctx, sql, views, source, statement.line)
        if insert is None:
            before = _temp_views(ctx)
            ctx.spark.sql(sql)
            views.update(_temp_views(ctx) - before)
            return
        frame = ctx.spark.sql(sql)
        mode = _output_mode(insert, source)
        key = _key(insert)
        ctx.write(
            frame, insert.target, key=key, output_mode=mode, query=insert.options.get("query")
        )
    except (AnalysisException, ParseException) as exc:
        raise JobsConfigError(f"{source}:{statement.line}: {_first_line(exc)}") from exc


def _register_topics(ctx: JobContext, sql: str, views: set[str], source: str, line: int) -> None:
    """Make each table the statement reads a temporary view of its topic's decoded stream."""
    for name in relation_names(ctx.spark, sql):
        if name in views:
            continue
        topic = resolve_topic(ctx.registry, name)
        if topic is None:
            tried = ", ".join(f"{t}-value" for t in topic_candidates(name))
            raise JobsConfigError(
                f"{source}:{line}: {name!r} is neither a view nor a registered topic "
                f"(no subject {tried} in the registry)"
            )
        ctx.read(topic).createOrReplaceTempView(_quoted(name))
        views.add(name)


def _quoted(name: str) -> str:
    """A view name as Spark's name parser needs it (topic names may hold ``.`` and ``-``)."""
    return "`" + name.replace("`", "``") + "`"


def _output_mode(insert: InsertInto, source: str) -> OutputMode:
    mode = insert.options.get("outputMode")
    if mode is None:
        grouped = re.search(r"\bGROUP\s+BY\b", insert.query, re.IGNORECASE)
        return "update" if grouped else "append"
    if mode not in _OUTPUT_MODES:
        raise JobsConfigError(
            f"{source}:{insert.line}: outputMode must be one of {', '.join(_OUTPUT_MODES)}"
        )
    return mode  # type: ignore[return-value]


def _key(insert: InsertInto) -> list[str] | None:
    columns = [c.strip() for c in insert.options.get("key", "").split(",") if c.strip()]
    return columns or None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
