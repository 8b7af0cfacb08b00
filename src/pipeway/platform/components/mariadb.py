"""A local MariaDB with a row-based binlog, the source database of the CDC connector.

The server runs as a plain child process (``--no-defaults``: no system config, no init
system) with every binlog setting change data capture needs: row format, full row images and
full row metadata (without the last, binlog readers only see ``UNKNOWN_COL0``… as column
names). MariaDB always writes GTIDs; strict mode keeps them gap-free.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pymysql

from pipeway.platform.components.base import Component
from pipeway.platform.exceptions import ComponentFailed, PrerequisiteMissing
from pipeway.platform.ports import port_in_use

log = logging.getLogger(__name__)

CDC_USER = "pipeway"
CDC_PASSWORD = "pipeway"
ROOT_USER = "root"
ROOT_PASSWORD = ""
CDC_GRANTS = "SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR"
CDC_HOSTS = ("%", "localhost", "127.0.0.1")
"""MariaDB's anonymous users shadow ``'%'`` for local connections: name the local hosts too."""

USERS_MARKER = "pipeway-users-created"


@dataclass(frozen=True)
class MariaDbEndpoint:
    """How to reach the platform's MariaDB: the CDC account and the admin (root) account."""

    host: str
    port: int
    user: str = CDC_USER
    password: str = CDC_PASSWORD
    root_user: str = ROOT_USER
    root_password: str = ROOT_PASSWORD


def mariadb_binary(name: str) -> str:
    """Path of a MariaDB server tool.

    Raises:
        PrerequisiteMissing: when the Debian package ``mariadb-server`` is not installed.
    """
    for candidate in (shutil.which(name), f"/usr/sbin/{name}", f"/usr/bin/{name}"):
        if candidate and Path(candidate).exists():
            return candidate
    raise PrerequisiteMissing(
        name,
        "install the MariaDB server (scripts/ensure-system-packages.sh, or apt-get "
        "install mariadb-server)",
    )


class MariaDbComponent(Component):
    """MariaDB server; its data directory is initialised and its CDC user created once."""

    name = "mariadb"

    @property
    def url(self) -> str:
        return f"mysql://{self.config.host}:{self.config.mariadb_port}"

    @property
    def ports(self) -> list[int]:
        return [self.config.mariadb_port]

    @property
    def data_path(self) -> Path:
        return self.home / "data"

    @property
    def endpoint(self) -> MariaDbEndpoint:
        return MariaDbEndpoint(host=self.config.host, port=self.config.mariadb_port)

    def prepare(self) -> None:
        super().prepare()
        if not (self.data_path / "mysql").is_dir():
            self._install_db()

    def _install_db(self) -> None:
        self.data_path.mkdir(parents=True, exist_ok=True)
        cmd = [
            mariadb_binary("mariadb-install-db"),
            "--no-defaults",
            f"--datadir={self.data_path}",
            *self._user_args(),
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-15:])
            raise ComponentFailed(self.name, "mariadb-install-db failed", tail)
        log.info("initialised mariadb datadir=%s", self.data_path)

    @staticmethod
    def _user_args() -> list[str]:
        """mariadbd refuses to run as root unless told to, so say so when we are root."""
        return ["--user=root"] if os.geteuid() == 0 else []

    def command(self) -> list[str]:
        d = self.data_path
        return [
            mariadb_binary("mariadbd"),
            "--no-defaults",
            f"--datadir={d}",
            f"--port={self.config.mariadb_port}",
            f"--bind-address={self.config.host}",
            f"--socket={self.home / 'mariadb.sock'}",
            f"--pid-file={self.home / 'mariadb.pid'}",
            *self._user_args(),
            "--server-id=1",
            "--log-bin=mysql-bin",
            "--binlog-format=ROW",
            "--binlog-row-image=FULL",
            "--binlog-row-metadata=FULL",
            "--gtid-strict-mode=ON",
            "--log-slave-updates",
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_general_ci",
            "--default-time-zone=+00:00",
            "--innodb-buffer-pool-size=128M",
            "--max-connections=200",
        ]

    def start(self) -> None:
        super().start()
        marker = self.home / USERS_MARKER
        if not marker.exists():
            self._create_cdc_user()
            marker.write_text("ok\n")

    def _create_cdc_user(self) -> None:
        with self._connect_root() as conn, conn.cursor() as cur:
            for host in CDC_HOSTS:
                cur.execute(
                    "CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s",
                    (CDC_USER, host, CDC_PASSWORD),
                )
                cur.execute(f"GRANT {CDC_GRANTS} ON *.* TO %s@%s", (CDC_USER, host))
            cur.execute("FLUSH PRIVILEGES")
        log.info("created mariadb cdc user=%s", CDC_USER)

    def _connect_root(self, timeout: float = 5.0) -> pymysql.connections.Connection:
        return pymysql.connect(
            host=self.config.host,
            port=self.config.mariadb_port,
            user=ROOT_USER,
            password=ROOT_PASSWORD,
            connect_timeout=timeout,
            autocommit=True,
        )

    def healthy(self) -> bool:
        """The port accepts connections and the server answers ``SELECT 1``."""
        if not port_in_use(self.config.host, self.config.mariadb_port):
            return False
        try:
            with self._connect_root(timeout=1.0) as conn, conn.cursor() as cur:
                cur.execute("SELECT 1")
                return cur.fetchone() == (1,)
        except pymysql.MySQLError:
            return False
