"""The Avro schemas of the TV demo's topics, one ``<topic>.avsc`` per topic value.

The users CDC topic also has its key schema (``tvdb.tv.users.key.avsc``). The streaming jobs
write their outputs with these field names; the oracle's records validate against them.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


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
    return _text(topic)


def schema(topic: str) -> dict[str, Any]:
    """The value schema of ``topic`` as a fresh dict."""
    parsed: dict[str, Any] = json.loads(_text(topic))
    return parsed


def key_schema(topic: str) -> dict[str, Any]:
    """The key schema of a topic that has one (the CDC topic)."""
    parsed: dict[str, Any] = json.loads(_text(f"{topic}.key"))
    return parsed


def names() -> list[str]:
    """Every schema shipped, by file name without ``.avsc``."""
    files = resources.files(__name__).iterdir()
    return sorted(p.name.removesuffix(".avsc") for p in files if p.name.endswith(".avsc"))
