"""The MariaDB component: a real mariadbd with the binlog settings CDC needs."""

from __future__ import annotations

from pathlib import Path

import pymysql
import pytest

from pipeway.platform.components.mariadb import CDC_PASSWORD, CDC_USER, MariaDbComponent
from pipeway.platform.config import PlatformConfig
from pipeway.platform.ports import free_port

pytestmark = pytest.mark.integration


def test_starts_with_binlog_settings_and_cdc_user_and_restarts(tmp_path: Path) -> None:
    component = MariaDbComponent(PlatformConfig(data_dir=tmp_path, mariadb_port=free_port()))
    component.start()
    try:
        assert component.healthy()
        endpoint = component.endpoint
        for host in ("127.0.0.1", "localhost"):
            conn = pymysql.connect(
                host=host, port=endpoint.port, user=CDC_USER, password=CDC_PASSWORD
            )
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT @@log_bin, @@binlog_format, @@binlog_row_image, "
                    "@@binlog_row_metadata, @@gtid_strict_mode, @@server_id"
                )
                assert cur.fetchone() == (1, "ROW", "FULL", "FULL", 1, 1)
                cur.execute("SHOW GRANTS")
                grants = " ".join(row[0] for row in cur.fetchall())
            conn.close()
            assert "REPLICATION SLAVE" in grants and "BINLOG MONITOR" in grants
        component.process.stop()
        component.start()  # data directory and user survive a restart
        assert component.healthy()
    finally:
        component.process.stop()
