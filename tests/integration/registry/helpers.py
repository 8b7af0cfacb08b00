"""Small helpers shared by the registry integration tests."""

from __future__ import annotations

from typing import Any

import httpx
import orjson

V1 = "application/vnd.schemaregistry.v1+json"
HEADERS = {"Content-Type": V1, "Accept": V1}


def record_schema(name: str, *fields: tuple[str, Any] | tuple[str, Any, Any]) -> str:
    out = []
    for spec in fields:
        item: dict[str, Any] = {"name": spec[0], "type": spec[1]}
        if len(spec) == 3:
            item["default"] = spec[2]
        out.append(item)
    return orjson.dumps({"type": "record", "name": name, "fields": out}).decode()


def http(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers=HEADERS, timeout=30.0)


def error_of(response: httpx.Response) -> tuple[int, int]:
    return response.status_code, response.json()["error_code"]
