"""Splitting a SQL file into statements and recognising pipeway's ``INSERT INTO <topic>``.

Spark SQL does the querying; pipeway only adds the statement that sends a query's result to a
topic::

    INSERT INTO views_per_minute
    OPTIONS (key 'channel_id', outputMode 'update', query 'views')
    SELECT window(ts, '1 minute') AS w, channel_id, count(*) AS views
    FROM tv_actions WATERMARK ts DELAY OF INTERVAL 30 SECONDS
    GROUP BY 1, 2

``OPTIONS`` is optional (Spark's own ``OPTIONS (k 'v')`` spelling); everything else (``SET``,
``CREATE TEMPORARY VIEW``, ...) goes to Spark as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeway.jobs.exceptions import JobsConfigError

INSERT_OPTIONS = frozenset({"key", "outputMode", "query"})
_INSERT = re.compile(
    r"^\s*INSERT\s+INTO\s+(?P<target>`[^`]+`|[A-Za-z0-9_.\-]+)\s*"
    r"(?:OPTIONS\s*\((?P<options>[^)]*)\)\s*)?(?P<select>(?:SELECT|WITH|FROM)\b.*)$",
    re.IGNORECASE | re.DOTALL,
)
_OPTION = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=?\s*'((?:[^']|'')*)'\s*(?:,|$)")


@dataclass(frozen=True)
class Statement:
    """One statement of a SQL file, with the line it starts on (for error messages)."""

    text: str
    line: int


@dataclass(frozen=True)
class InsertInto:
    """``INSERT INTO <topic> [OPTIONS (...)] <query>``."""

    target: str
    query: str
    line: int
    options: dict[str, str] = field(default_factory=dict)


def split_statements(script: str) -> list[Statement]:
    """Statements separated by ``;``, ignoring ``;`` inside quotes and comments.

    Raises:
        JobsConfigError: a quote or block comment is not closed.
    """
    statements: list[Statement] = []
    current: list[str] = []
    line, start_line, i, n = 1, 1, 0, len(script)
    while i < n:
        ch = script[i]
        if ch in "'\"`":
            end = _closing_quote(script, i)
            if end < 0:
                raise JobsConfigError(f"line {line}: unclosed {ch} quote")
            chunk = script[i : end + 1]
        elif script.startswith("--", i):
            end = script.find("\n", i)
            chunk = script[i:] if end < 0 else script[i:end]
            chunk = " " * len(chunk)
        elif script.startswith("/*", i):
            end = script.find("*/", i + 2)
            if end < 0:
                raise JobsConfigError(f"line {line}: unclosed /* comment")
            chunk = re.sub(r"[^\n]", " ", script[i : end + 2])
        elif ch == ";":
            _append(statements, current, start_line)
            current, i = [], i + 1
            start_line = line
            continue
        else:
            chunk = ch
        if not "".join(current).strip():
            start_line = line + chunk[: len(chunk) - len(chunk.lstrip())].count("\n")
        current.append(chunk)
        line += chunk.count("\n")
        i += len(chunk)
    _append(statements, current, start_line)
    return statements


def _closing_quote(script: str, start: int) -> int:
    quote, i = script[start], start + 1
    while i < len(script):
        if script[i] == "\\" and quote != "`":
            i += 2
            continue
        if script[i] == quote:
            return i
        i += 1
    return -1


def _append(statements: list[Statement], parts: list[str], line: int) -> None:
    text = "".join(parts).strip()
    if text:
        statements.append(Statement(text, line))


def parse_insert(statement: Statement) -> InsertInto | None:
    """The ``INSERT INTO`` of ``statement``, or None for any other statement.

    Raises:
        JobsConfigError: an unknown or malformed option.
    """
    if not re.match(r"^\s*INSERT\s+INTO\b", statement.text, re.IGNORECASE):
        return None
    match = _INSERT.match(statement.text)
    if match is None:
        raise JobsConfigError(
            f"line {statement.line}: expected INSERT INTO <topic> [OPTIONS (...)] SELECT ..."
        )
    target = match.group("target").strip("`")
    options = _options(match.group("options") or "", statement.line)
    return InsertInto(target, match.group("select").strip(), statement.line, options)


def _options(text: str, line: int) -> dict[str, str]:
    options: dict[str, str] = {}
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _OPTION.match(text, pos)
        if match is None:
            raise JobsConfigError(f"line {line}: OPTIONS must be name 'value' pairs: {text!r}")
        name, value = match.group(1), match.group(2).replace("''", "'")
        if name not in INSERT_OPTIONS:
            raise JobsConfigError(
                f"line {line}: unknown INSERT INTO option {name!r}; "
                f"known: {', '.join(sorted(INSERT_OPTIONS))}"
            )
        options[name] = value
        pos = match.end()
    return options
