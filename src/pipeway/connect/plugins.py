"""Finding connector, transform and predicate classes by short name or Python path.

Short names keep pipeline files readable (``connector.class: datagen``); Kafka Connect and
Debezium class names are accepted for transforms so existing configs carry over; any
``package.module.Class`` (or ``package.module:Class``) path loads a user's own plugin.
"""

from __future__ import annotations

import importlib
from typing import Any

from pipeway.connect.exceptions import UnknownPlugin

CONNECTORS: dict[str, str] = {
    "datagen": "pipeway.connect.sources.datagen.connector:DatagenConnector",
    "mysql-cdc": "pipeway.connect.sources.mysql_cdc.connector:MySqlCdcConnector",
}
"""Short connector names; later issues add parquet, mqtt, http, search and lake."""


def load_class(name: str, table: dict[str, str]) -> Any:
    """Resolve ``name`` through ``table`` or import it as a Python path.

    Raises:
        UnknownPlugin: when the name is neither known nor importable.
    """
    target = table.get(name, name)
    module_name, sep, attr = target.partition(":")
    if not sep:
        module_name, _, attr = target.rpartition(".")
    if not module_name or not attr:
        raise UnknownPlugin(name, sorted(table))
    try:
        module = importlib.import_module(module_name)
        return getattr(module, attr)
    except (ImportError, AttributeError) as exc:
        raise UnknownPlugin(name, sorted(table)) from exc


def load_connector(name: str) -> Any:
    """The connector class for ``connector.class``."""
    return load_class(name, CONNECTORS)
