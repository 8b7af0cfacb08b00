"""An in-memory Confluent Schema Registry REST API for unit tests (behind httpx.MockTransport).

It implements just enough of the API for pipeway's RegistryClient and confluent-kafka's
SchemaRegistryClient to talk to the same store, so tests can check byte compatibility of
the two stacks without a server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import fastavro
import httpx
import orjson

Handler = Callable[[httpx.Request, list[str]], httpx.Response]


@dataclass
class StoredSchema:
    schema: str
    schema_type: str
    references: list[dict[str, Any]]

    def identity(self) -> tuple[str, bytes, bytes]:
        """Like the real registry, ignore formatting and ``{"type": "int"}`` vs ``"int"``."""
        parsed = orjson.loads(self.schema)
        if isinstance(parsed, dict) and set(parsed) == {"type"} and isinstance(parsed["type"], str):
            parsed = parsed["type"]
        return (self.schema_type, orjson.dumps(parsed), orjson.dumps(self.references))


@dataclass
class FakeRegistry:
    """The store plus request log; ``handler`` is the MockTransport callback."""

    schemas: dict[int, StoredSchema] = field(default_factory=dict)
    subjects: dict[str, list[int]] = field(default_factory=dict)
    soft_deleted: set[str] = field(default_factory=set)
    config: dict[str, str] = field(default_factory=lambda: {"": "BACKWARD"})
    compatible: bool = True
    requests: list[httpx.Request] = field(default_factory=list)
    next_id: int = 1

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.raw_path.decode().split("?")[0]
        parts = [unquote(p) for p in path.strip("/").split("/")]
        for method, pattern, handle in self._routes():
            if request.method == method and _matches(pattern, parts):
                return handle(request, parts)
        return _error(404, 404, f"HTTP 404 Not Found {request.method} {path}")

    def _routes(self) -> list[tuple[str, list[str], Handler]]:
        return [
            ("POST", ["subjects", "*", "versions"], self._register),
            ("POST", ["subjects", "*"], self._lookup),
            ("GET", ["schemas", "ids", "*"], self._get_by_id),
            ("GET", ["subjects", "*", "versions", "*"], self._get_version),
            ("GET", ["subjects"], self._list_subjects),
            ("DELETE", ["subjects", "*"], self._delete_subject),
            ("GET", ["config"], self._get_config),
            ("GET", ["config", "*"], self._get_config),
            ("PUT", ["config"], self._put_config),
            ("PUT", ["config", "*"], self._put_config),
            ("POST", ["compatibility", "subjects", "*", "versions", "*"], self._compat),
        ]

    def register_direct(self, subject: str, schema: str, references: Any = None) -> int:
        """Register without HTTP (test setup); returns the id."""
        body = {"schema": schema, "references": references or []}
        response = self._register_body(subject, body)
        return int(orjson.loads(response.content)["id"])

    def _register(self, request: httpx.Request, parts: list[str]) -> httpx.Response:
        return self._register_body(parts[1], orjson.loads(request.content))

    def _register_body(self, subject: str, body: dict[str, Any]) -> httpx.Response:
        stored = _stored(body)
        invalid = self._invalid_reason(stored)
        if invalid:
            return _error(422, 42201, f"Invalid schema: {invalid}")
        versions = self.subjects.setdefault(subject, [])
        self.soft_deleted.discard(subject)
        schema_id = self._find_id(stored)
        if schema_id in versions:
            return _ok({"id": schema_id})
        if versions and not self.compatible:
            return _error(409, 409, "Schema being registered is incompatible with an earlier one")
        if schema_id is None:
            schema_id, self.next_id = self.next_id, self.next_id + 1
            self.schemas[schema_id] = stored
        versions.append(schema_id)
        return _ok({"id": schema_id})

    def _lookup(self, request: httpx.Request, parts: list[str]) -> httpx.Response:
        subject = parts[1]
        if subject not in self.subjects or subject in self.soft_deleted:
            return _error(404, 40401, f"Subject '{subject}' not found.")
        schema_id = self._find_id(_stored(orjson.loads(request.content)))
        if schema_id not in self.subjects[subject]:
            return _error(404, 40403, "Schema not found")
        return _ok(self._version_json(subject, self.subjects[subject].index(schema_id) + 1))

    def _get_by_id(self, request: httpx.Request, parts: list[str]) -> httpx.Response:
        stored = self.schemas.get(int(parts[2]))
        if stored is None:
            return _error(404, 40403, "Schema not found")
        answer: dict[str, Any] = {"schema": stored.schema}
        if stored.schema_type != "AVRO":
            answer["schemaType"] = stored.schema_type
        if stored.references:
            answer["references"] = stored.references
        return _ok(answer)

    def _get_version(self, request: httpx.Request, parts: list[str]) -> httpx.Response:
        subject, version = parts[1], parts[3]
        versions = self.subjects.get(subject)
        if not versions or subject in self.soft_deleted:
            return _error(404, 40401, f"Subject '{subject}' not found.")
        number = len(versions) if version == "latest" else int(version)
        if not 1 <= number <= len(versions):
            return _error(404, 40402, f"Version {version} not found.")
        return _ok(self._version_json(subject, number))

    def _list_subjects(self, request: httpx.Request, parts: list[str]) -> httpx.Response:
        return _ok(sorted(s for s in self.subjects if s not in self.soft_deleted))

    def _delete_subject(self, request: httpx.Request, parts: list[str]) -> httpx.Response:
        subject = parts[1]
        if subject not in self.subjects:
            return _error(404, 40401, f"Subject '{subject}' not found.")
        versions = list(range(1, len(self.subjects[subject]) + 1))
        if request.url.params.get("permanent") == "true":
            del self.subjects[subject]
            self.soft_deleted.discard(subject)
            return _ok(versions)
        if subject in self.soft_deleted:
            return _error(404, 40404, f"Subject '{subject}' was soft deleted.")
        self.soft_deleted.add(subject)
        return _ok(versions)

    def _get_config(self, request: httpx.Request, parts: list[str]) -> httpx.Response:
        subject = parts[1] if len(parts) > 1 else ""
        level = self.config.get(subject)
        if level is None and request.url.params.get("defaultToGlobal") == "true":
            level = self.config[""]
        if level is None:
            return _error(404, 40408, f"Subject '{subject}' does not have subject-level config")
        return _ok({"compatibilityLevel": level})

    def _put_config(self, request: httpx.Request, parts: list[str]) -> httpx.Response:
        level = orjson.loads(request.content)["compatibility"]
        if level not in {"NONE", "BACKWARD", "FORWARD", "FULL"} | {
            f"{x}_TRANSITIVE" for x in ("BACKWARD", "FORWARD", "FULL")
        }:
            return _error(422, 42203, "Invalid compatibility level")
        self.config[parts[1] if len(parts) > 1 else ""] = level
        return _ok({"compatibility": level})

    def _compat(self, request: httpx.Request, parts: list[str]) -> httpx.Response:
        if parts[2] not in self.subjects:
            return _error(404, 40401, f"Subject '{parts[2]}' not found.")
        if self.compatible:
            return _ok({"is_compatible": True})
        return _ok({"is_compatible": False, "messages": ["READER_FIELD_MISSING_DEFAULT_VALUE"]})

    def _version_json(self, subject: str, version: int) -> dict[str, Any]:
        schema_id = self.subjects[subject][version - 1]
        stored = self.schemas[schema_id]
        answer = {"subject": subject, "version": version, "id": schema_id, "schema": stored.schema}
        if stored.schema_type != "AVRO":
            answer["schemaType"] = stored.schema_type
        if stored.references:
            answer["references"] = stored.references
        return answer

    def _find_id(self, stored: StoredSchema) -> int | None:
        identity = stored.identity()
        return next((i for i, s in self.schemas.items() if s.identity() == identity), None)

    def _invalid_reason(self, stored: StoredSchema) -> str | None:
        if stored.schema_type != "AVRO":
            return None
        named: dict[str, Any] = {}
        try:
            self._parse_references(stored.references, named, set())
            fastavro.parse_schema(orjson.loads(stored.schema), named)
        except Exception as exc:
            return str(exc) or type(exc).__name__
        return None

    def _parse_references(
        self, references: list[dict[str, Any]], named: dict[str, Any], seen: set[int]
    ) -> None:
        for ref in references:
            schema_id = self.subjects[ref["subject"]][int(ref["version"]) - 1]
            if schema_id in seen:
                continue
            seen.add(schema_id)
            self._parse_references(self.schemas[schema_id].references, named, seen)
            fastavro.parse_schema(orjson.loads(self.schemas[schema_id].schema), named)


def _stored(body: dict[str, Any]) -> StoredSchema:
    refs = [
        {"name": r["name"], "subject": r["subject"], "version": int(r["version"])}
        for r in body.get("references") or []
    ]
    return StoredSchema(body["schema"], body.get("schemaType") or "AVRO", refs)


def _matches(pattern: list[str], parts: list[str]) -> bool:
    return len(pattern) == len(parts) and all(
        p in ("*", s) for p, s in zip(pattern, parts, strict=True)
    )


def _ok(body: Any) -> httpx.Response:
    return httpx.Response(200, content=orjson.dumps(body))


def _error(status: int, code: int, message: str) -> httpx.Response:
    return httpx.Response(status, content=orjson.dumps({"error_code": code, "message": message}))


def request_paths(fake: FakeRegistry) -> list[str]:
    """The ``METHOD /path`` of every request the fake served (for caching assertions)."""
    return [f"{r.method} {r.url.path}" for r in fake.requests]
