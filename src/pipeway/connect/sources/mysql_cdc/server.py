"""Talking to the server outside the binlog stream: connections, probes, positions."""

from __future__ import annotations

import functools
import logging
import ssl
from typing import Any

import pymysql
import pymysql.connections

from pipeway.connect.sources.mysql_cdc.exceptions import BinlogNotReady, DatabaseUnavailable
from pipeway.connect.sources.mysql_cdc.gtid import (
    MariaDbGtidPos,
    MySqlGtidSet,
    detect_is_mariadb,
    is_mariadb_gtid_text,
)
from pipeway.connect.sources.mysql_cdc.position import BinlogPoint
from pipeway.connect.sources.mysql_cdc.settings import MySqlCdcSettings

log = logging.getLogger(__name__)

REQUIRED_SETTINGS = {"log_bin": "ON", "binlog_format": "ROW", "binlog_row_image": "FULL"}


@functools.cache
def _preferred_tls_context() -> ssl.SSLContext:
    """The context PyMySQL builds for its default "TLS if the server offers it" mode."""
    return Connection._create_default_ctx()


class Connection(pymysql.connections.Connection):
    """PyMySQL's connection with one shared context for its default opportunistic TLS.

    PyMySQL builds a new ``SSLContext`` (reading the system CA store, ~30 ms of CPU) for every
    connection; the binlog reader opens two connections each time it resumes after an EOF, so
    the connector reuses one context instead. Explicit TLS options are handled as before.
    """

    @classmethod
    def _create_default_ctx(cls) -> ssl.SSLContext:
        return pymysql.connections.Connection._create_ssl_ctx(None, {})

    def _create_ssl_ctx(self, sslp: Any) -> Any:
        if isinstance(sslp, dict) and not sslp:
            return _preferred_tls_context()
        return super()._create_ssl_ctx(sslp)


def connection_kwargs(settings: MySqlCdcSettings) -> dict[str, Any]:
    """PyMySQL/BinLogStreamReader connection settings (the password only goes here)."""
    return {
        "host": settings.hostname,
        "port": settings.port,
        "user": settings.user,
        "password": settings.password.get_secret_value(),
        "charset": "utf8mb4",
        "connect_timeout": settings.connect_timeout_ms / 1000,
    }


def connect(settings: MySqlCdcSettings, **extra: Any) -> Any:
    """A PyMySQL connection with UTC session time (TIMESTAMP values come back in UTC).

    Raises:
        DatabaseUnavailable: when the server cannot be reached (retriable).
    """
    try:
        conn = Connection(autocommit=True, **connection_kwargs(settings), **extra)
        with conn.cursor() as cur:
            cur.execute("SET SESSION time_zone = '+00:00'")
        return conn
    except pymysql.OperationalError as exc:
        raise DatabaseUnavailable(settings.address, 1, str(exc)) from exc


def _variable(cur: Any, name: str) -> str:
    cur.execute("SHOW GLOBAL VARIABLES LIKE %s", (name,))
    row = cur.fetchone()
    return "" if row is None else str(row[1])


def probe(conn: Any, adapter: str | None) -> bool:
    """Check the binlog settings CDC needs; returns whether the server is MariaDB.

    Raises:
        BinlogNotReady: naming the first setting that prevents change data capture.
    """
    with conn.cursor() as cur:
        for name, required in REQUIRED_SETTINGS.items():
            actual = _variable(cur, name)
            if actual.upper() != required:
                raise BinlogNotReady(name, actual, required)
        if _variable(cur, "binlog_row_metadata").upper() != "FULL":
            log.warning("binlog_row_metadata is not FULL: column names come from the catalog")
        cur.execute("SELECT VERSION()")
        version = str(cur.fetchone()[0])
    if adapter is not None:
        return adapter == "mariadb"
    return detect_is_mariadb(version)


def current_point(conn: Any, is_mariadb: bool) -> BinlogPoint:
    """The binlog end and the GTID state there (call under a global read lock for a
    consistent snapshot point)."""
    with conn.cursor() as cur:
        row = _binlog_status(cur)
        gtid_var = "@@GLOBAL.gtid_binlog_pos" if is_mariadb else "@@GLOBAL.gtid_executed"
        try:
            cur.execute(f"SELECT {gtid_var}")
            gtids = str(cur.fetchone()[0] or "").replace("\n", "")
        except pymysql.MySQLError:
            gtids = ""
    return BinlogPoint(str(row[0]), int(row[1]), gtids or None)


def _binlog_status(cur: Any) -> Any:
    """``SHOW MASTER STATUS`` (``SHOW BINARY LOG STATUS`` on MySQL 8.4+)."""
    try:
        cur.execute("SHOW MASTER STATUS")
    except pymysql.ProgrammingError:
        cur.execute("SHOW BINARY LOG STATUS")
    row = cur.fetchone()
    if row is None:
        raise BinlogNotReady("log_bin", "OFF", "ON")
    return row


def binary_logs(conn: Any) -> list[str]:
    with conn.cursor() as cur:
        cur.execute("SHOW BINARY LOGS")
        return [str(r[0]) for r in cur.fetchall()]


def first_point(conn: Any) -> BinlogPoint:
    """The oldest position still in the binlog (``snapshot.mode=never`` starts there)."""
    return BinlogPoint(binary_logs(conn)[0], 4)


def point_available(conn: Any, point: BinlogPoint, is_mariadb: bool) -> bool:
    """Whether the server can still stream from ``point`` (binlog not purged past it)."""
    if point.gtids and not is_mariadb and not is_mariadb_gtid_text(point.gtids):
        with conn.cursor() as cur:
            cur.execute("SELECT @@GLOBAL.gtid_purged")
            purged = MySqlGtidSet.parse(str(cur.fetchone()[0] or ""))
        return purged.is_subset_of(MySqlGtidSet.parse(point.gtids))
    return point.file in binary_logs(conn)


def mariadb_gtid_available(conn: Any, gtids: str) -> bool:
    """Whether MariaDB can stream from the GTID position ``gtids`` (``domain-server-seq``s).

    The binlog must still hold everything after it: in every domain, the position is at or
    past where the oldest binlog file starts (its ``Gtid_list``, ``BINLOG_GTID_POS(oldest, 4)``)
    and not past the server's own binlog (``gtid_binlog_pos``; strict mode refuses a
    position the server never had, e.g. after failing over to a replica that lags behind).
    """
    if not gtids.strip() or not is_mariadb_gtid_text(gtids):
        return False
    wanted = MariaDbGtidPos.parse(gtids)
    with conn.cursor() as cur:
        oldest_file = binary_logs(conn)[0]
        cur.execute("SELECT BINLOG_GTID_POS(%s, 4), @@GLOBAL.gtid_binlog_pos", (oldest_file,))
        oldest_text, current_text = cur.fetchone()
    oldest = MariaDbGtidPos.parse(str(oldest_text or ""))
    current = MariaDbGtidPos.parse(str(current_text or ""))
    return all(wanted.contains(g) for g in oldest.gtids()) and all(
        current.contains(g) for g in wanted.gtids()
    )
