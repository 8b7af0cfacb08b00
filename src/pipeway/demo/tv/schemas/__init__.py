"""The Avro schemas of the TV demo's topics, one ``<topic>.avsc`` per topic value.

The users CDC topic also has its key schema (``tvdb.tv.users.key.avsc``). A live topic
(``<minute topic>_live``) has its minute topic's fields plus ``as_of`` and ``final``
(:func:`live_schema`). The streaming jobs
write their outputs with these field names; the oracle's records validate against them.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from pipeway.demo.tv.contract import LIVE_SUFFIX


class UnknownSchema(LookupError):
    """No schema file is shipped for the requested topic."""


@cache
def _text(name: str) -> str:
    path = resources.files(__name__) / f"{name}.avsc"
    if not path.is_file():
        raise UnknownSchema(f"no schema {name}.avsc in {__name__} (topics: {', '.join(names())})")
    return path.read_text(encoding="utf-8")


def schema_text(topic: str) -> str:
    """The value schema of ``topic`` as JSON text (what gets registered)."""
    if topic.endswith(LIVE_SUFFIX):
        return json.dumps(schema(topic))
    return _text(topic)


def schema(topic: str) -> dict[str, Any]:
    """The value schema of ``topic`` as a fresh dict."""
    if topic.endswith(LIVE_SUFFIX):
        return live_schema(schema(topic.removesuffix(LIVE_SUFFIX)))
    parsed: dict[str, Any] = json.loads(_text(topic))
    return parsed


def live_schema(final: dict[str, Any]) -> dict[str, Any]:
    """The live topic's schema of a minute topic's ``final`` schema."""
    as_of = {"type": "long", "logicalType": "timestamp-millis"}
    return {
        **final,
        "name": final["name"] + "Live",
        "doc": f"{final.get('doc', '')} Live: updated every batch while the window is open.",
        "fields": [
            *final["fields"],
            {"name": "as_of", "type": as_of,
             "doc": "viewing counted up to here: the latest action read + 1 ms while not "
                    "final, window_end once final"},
            {"name": "final", "type": "boolean",
             "doc": "true: the window's final row; false: it may still change"},
        ],
    }  # fmt: skip


def key_schema(topic: str) -> dict[str, Any]:
    """The key schema of a topic that has one (the CDC topic)."""
    parsed: dict[str, Any] = json.loads(_text(f"{topic}.key"))
    return parsed


def names() -> list[str]:
    """Every schema shipped, by file name without ``.avsc``."""
    files = resources.files(__name__).iterdir()
    return sorted(p.name.removesuffix(".avsc") for p in files if p.name.endswith(".avsc"))
