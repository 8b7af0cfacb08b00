from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from pipeway.connect.plugins import load_connector
from pipeway.connect.sources.mysql_cdc.settings import MySqlCdcSettings

BASE: dict[str, Any] = {
    "database.hostname": "db",
    "database.user": "cdc",
    "database.password": "s3cret",
    "database.server.id": 5400,
    "topic.prefix": "shop",
}


def _errors(**changes: Any) -> str:
    config = {**BASE, **changes}
    with pytest.raises(ValidationError) as info:
        MySqlCdcSettings.model_validate({k: v for k, v in config.items() if v is not None})
    return str(info.value)


def test_defaults_follow_debezium_and_lists_split() -> None:
    s = MySqlCdcSettings.model_validate(
        {**BASE, "table.include.list": r"shop\.orders, shop\.items_\d{1\,3}"}
    )
    assert s.port == 3306 and s.snapshot_mode == "initial" and s.tombstones_on_delete
    assert s.decimal_handling_mode == "precise" and s.bigint_unsigned_handling_mode == "long"
    assert s.connector_adapter is None and s.max_batch_size == 2048
    assert s.table_include_list == [r"shop\.orders", r"shop\.items_\d{1,3}"]


def test_password_never_shows() -> None:
    s = MySqlCdcSettings.model_validate(BASE)
    assert "s3cret" not in repr(s) and "s3cret" not in str(s.model_dump())
    assert s.password.get_secret_value() == "s3cret"


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"database.hostname": None}, "database.hostname"),
        ({"database.server.id": 0}, "database.server.id"),
        ({"topic.prefix": "bad prefix"}, "topic.prefix"),
        ({"snapshot.mode": "schema_only"}, "snapshot.mode"),
        ({"table.include.list": "(unclosed"}, "table.include.list"),
        ({"connector.adapter": "oracle"}, "connector.adapter"),
        ({"database.history": "x"}, "database.history"),
    ],
)
def test_errors_name_the_key(changes: dict[str, Any], key: str) -> None:
    assert key in _errors(**changes)


def test_include_and_exclude_lists_are_exclusive() -> None:
    message = _errors(**{"table.include.list": "a\\.b", "table.exclude.list": "a\\.c"})
    assert "table.include.list and table.exclude.list cannot both be set" in message


def test_plugin_short_name_loads_the_connector() -> None:
    connector_class = load_connector("mysql-cdc")
    connector = connector_class("cdc", MySqlCdcSettings.model_validate(BASE))
    assert connector.task_configs(8) == [{}]
    assert connector_class.settings_class is MySqlCdcSettings
