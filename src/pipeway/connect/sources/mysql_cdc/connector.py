"""``connector.class: mysql-cdc`` — change data capture from MySQL and MariaDB binlogs."""

from __future__ import annotations

from typing import Any, ClassVar

from pipeway.connect.api import SourceConnector
from pipeway.connect.sources.mysql_cdc.settings import MySqlCdcSettings
from pipeway.connect.sources.mysql_cdc.task import MySqlCdcTask


class MySqlCdcConnector(SourceConnector):
    """Debezium-compatible change events from a MySQL/MariaDB server (one task)."""

    settings_class: ClassVar[type[MySqlCdcSettings]] = MySqlCdcSettings
    task_class: ClassVar[type[MySqlCdcTask]] = MySqlCdcTask

    def task_configs(self, max_tasks: int) -> list[dict[str, Any]]:
        """Always one task: the binlog is a single ordered stream."""
        return [{}]
