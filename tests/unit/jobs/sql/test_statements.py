from __future__ import annotations

import pytest

from pipeway.jobs.exceptions import JobsConfigError
from pipeway.jobs.sql.statements import Statement, parse_insert, split_statements


def test_split_ignores_semicolons_in_quotes_and_comments() -> None:
    script = """
    -- a comment; with a semicolon
    SET spark.sql.shuffle.partitions = 2;
    /* block; comment */
    INSERT INTO out SELECT 'a;b' AS s, `odd;name` FROM t;

    CREATE TEMPORARY VIEW v AS SELECT "x;y" FROM t
    """
    statements = split_statements(script)
    assert [s.text.split()[0] for s in statements] == ["SET", "INSERT", "CREATE"]
    assert "'a;b'" in statements[1].text
    assert "`odd;name`" in statements[1].text
    assert statements[2].text.endswith('"x;y" FROM t')


def test_split_reports_statement_lines() -> None:
    statements = split_statements("SELECT 1;\n\n-- note\nSELECT\n 2;")
    assert [s.line for s in statements] == [1, 4]


@pytest.mark.parametrize("script", ["SELECT 'open", "SELECT 1 /* never closed"])
def test_split_rejects_unclosed_quotes_and_comments(script: str) -> None:
    with pytest.raises(JobsConfigError, match="unclosed"):
        split_statements(script)


def test_parse_insert_target_options_and_query() -> None:
    insert = parse_insert(
        Statement(
            "INSERT INTO views_per_minute OPTIONS (key 'channel_id, w', outputMode 'update')\n"
            "SELECT window(ts, '1 minute') AS w, channel_id, count(*) FROM tv_actions "
            "GROUP BY 1, 2",
            3,
        )
    )
    assert insert is not None
    assert insert.target == "views_per_minute"
    assert insert.options == {"key": "channel_id, w", "outputMode": "update"}
    assert insert.query.startswith("SELECT window(ts")
    assert insert.line == 3


def test_parse_insert_backquoted_topic_with_dots() -> None:
    insert = parse_insert(Statement("insert into `tv.minute` select * from x", 1))
    assert insert is not None and insert.target == "tv.minute" and insert.options == {}


def test_other_statements_are_not_inserts() -> None:
    assert parse_insert(Statement("CREATE TEMPORARY VIEW v AS SELECT 1", 1)) is None


def test_unknown_option_names_the_known_ones() -> None:
    with pytest.raises(JobsConfigError, match="unknown INSERT INTO option 'keys'.*key, outputMode"):
        parse_insert(Statement("INSERT INTO t OPTIONS (keys 'a') SELECT 1", 7))


def test_insert_without_query_is_an_error_with_its_line() -> None:
    with pytest.raises(JobsConfigError, match="line 5: expected INSERT INTO"):
        parse_insert(Statement("INSERT INTO t VALUES (1)", 5))
