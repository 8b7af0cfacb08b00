"""HTTP endpoints (Starlette routes; the two hottest are also served by :mod:`hot_paths`)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pipeway.registry.exceptions import RegistryError, SchemaNotFoundError, SubjectNotFoundError
from pipeway.registry.requests import flag, json_object, schema_request, version_param
from pipeway.registry.responses import (
    error_body,
    json_response,
    raw_response,
    require_json_request,
)
from pipeway.registry.schemas import SUPPORTED_TYPES
from pipeway.registry.service import RegistryService
from pipeway.registry.state import SchemaEntry


def _service(request: Request) -> RegistryService:
    service: RegistryService = request.app.state.service
    return service


def _accept(request: Request) -> str | None:
    return request.headers.get("accept")


def _flag(request: Request, name: str) -> bool:
    return flag(request.query_params.get(name))


async def _body(request: Request) -> bytes:
    require_json_request(request.headers.get("content-type"))
    return await request.body()


def _ok(request: Request, content: Any) -> Response:
    return json_response(content, _accept(request))


def _page(request: Request, items: list[Any]) -> list[Any]:
    """Confluent's ``offset``/``limit`` paging (``limit`` -1 or absent: everything)."""
    try:
        offset = max(int(request.query_params.get("offset") or 0), 0)
        limit = int(request.query_params.get("limit") or -1)
    except ValueError:
        return items
    return items[offset:] if limit < 0 else items[offset : offset + limit]


async def root(request: Request) -> Response:
    return _ok(request, {})


# ---- subjects ----------------------------------------------------------------------------------


async def list_subjects(request: Request) -> Response:
    state = _service(request).state
    deleted_only = _flag(request, "deletedOnly")
    names = state.subject_names(include_deleted=deleted_only or _flag(request, "deleted"))
    if deleted_only:
        names = [n for n in names if not state.versions(n)]
    prefix = request.query_params.get("subjectPrefix") or ""
    return _ok(request, _page(request, [n for n in names if n.startswith(prefix)]))


async def list_versions(request: Request) -> Response:
    service, subject = _service(request), request.path_params["subject"]
    deleted_only = _flag(request, "deletedOnly")
    entries = service.state.versions(
        subject, include_deleted=deleted_only or _flag(request, "deleted")
    )
    if not entries:
        raise SubjectNotFoundError(subject)
    versions = [e.version for e in entries if e.deleted or not deleted_only]
    return _ok(request, _page(request, versions))


async def register(request: Request) -> Response:
    service, subject = _service(request), request.path_params["subject"]
    parsed = schema_request(await _body(request))
    schema_id = await service.register(subject, parsed, _flag(request, "normalize"))
    return _ok(request, {"id": schema_id})


async def get_version(request: Request) -> Response:
    service, subject = _service(request), request.path_params["subject"]
    version = version_param(request.path_params["version"])
    entry = service.get_version(subject, version, _flag(request, "deleted"))
    return raw_response(entry.body, _accept(request))


async def get_version_schema(request: Request) -> Response:
    service, subject = _service(request), request.path_params["subject"]
    version = version_param(request.path_params["version"])
    entry = service.get_version(subject, version, _flag(request, "deleted"))
    return raw_response(service.state.schemas[entry.schema_id].text.encode(), _accept(request))


async def referenced_by(request: Request) -> Response:
    service, subject = _service(request), request.path_params["subject"]
    entry = service.get_version(subject, version_param(request.path_params["version"]), True)
    return _ok(request, service.state.referenced_by(subject, entry.version))


async def lookup(request: Request) -> Response:
    status, body = lookup_response(
        _service(request),
        request.path_params["subject"],
        request.query_params.get("normalize"),
        request.query_params.get("deleted"),
        await _body(request),
    )
    return raw_response(body, _accept(request), status)


def lookup_response(
    service: RegistryService, subject: str, normalize: str | None, deleted: str | None, body: bytes
) -> tuple[int, bytes]:
    """Status and body of ``POST /subjects/{subject}``; shared with the hot path's cache."""
    try:
        request = schema_request(body)
        entry = service.lookup(subject, request, flag(normalize), flag(deleted))
    except RegistryError as exc:
        return exc.status, error_body(exc)
    return 200, entry.body


async def delete_subject(request: Request) -> Response:
    service, subject = _service(request), request.path_params["subject"]
    return _ok(request, await service.delete_subject(subject, _flag(request, "permanent")))


async def delete_version(request: Request) -> Response:
    service, subject = _service(request), request.path_params["subject"]
    version = version_param(request.path_params["version"])
    return _ok(request, await service.delete_version(subject, version, _flag(request, "permanent")))


# ---- schemas by id ----------------------------------------------------------------------------


def _schema(request: Request) -> SchemaEntry:
    schema_id = request.path_params["schema_id"]
    entry = _service(request).state.schemas.get(schema_id)
    if entry is None:
        raise SchemaNotFoundError(schema_id)
    return entry


async def get_schema(request: Request) -> Response:
    return raw_response(_schema(request).body, _accept(request))


async def get_schema_text(request: Request) -> Response:
    return raw_response(_schema(request).text.encode(), _accept(request))


def _usages(request: Request) -> list[tuple[str, int]]:
    entry = _schema(request)
    wanted = request.query_params.get("subject")
    found = _service(request).state.usages(entry.schema_id, _flag(request, "deleted"))
    return [(e.subject, e.version) for e in found if wanted in (None, e.subject)]


async def get_schema_subjects(request: Request) -> Response:
    return _ok(request, _page(request, sorted({subject for subject, _ in _usages(request)})))


async def get_schema_versions(request: Request) -> Response:
    found = [{"subject": s, "version": v} for s, v in _usages(request)]
    return _ok(request, _page(request, found))


async def get_schema_types(request: Request) -> Response:
    return _ok(request, list(SUPPORTED_TYPES))


# ---- config, mode, compatibility -----------------------------------------------------------------


async def get_config(request: Request) -> Response:
    subject = request.path_params.get("subject")
    level = _service(request).get_compatibility(subject, _flag(request, "defaultToGlobal"))
    return _ok(request, {"compatibilityLevel": level})


async def put_config(request: Request) -> Response:
    body = json_object(await _body(request))
    value = body.get("compatibility", body.get("compatibilityLevel"))
    subject = request.path_params.get("subject")
    level = await _service(request).set_compatibility(subject, value)
    return _ok(request, {"compatibility": level})


async def delete_config(request: Request) -> Response:
    level = await _service(request).delete_compatibility(request.path_params.get("subject"))
    return _ok(request, {"compatibilityLevel": level})


async def get_mode(request: Request) -> Response:
    subject = request.path_params.get("subject")
    mode = _service(request).get_mode(subject, _flag(request, "defaultToGlobal"))
    return _ok(request, {"mode": mode})


async def put_mode(request: Request) -> Response:
    body = json_object(await _body(request))
    subject = request.path_params.get("subject")
    mode = await _service(request).set_mode(subject, body.get("mode"), _flag(request, "force"))
    return _ok(request, {"mode": mode})


async def delete_mode(request: Request) -> Response:
    mode = await _service(request).delete_mode(request.path_params["subject"])
    return _ok(request, {"mode": mode})


async def check_compatibility(request: Request) -> Response:
    service, subject = _service(request), request.path_params["subject"]
    raw_version = request.path_params.get("version")
    version = None if raw_version is None else version_param(raw_version)
    parsed = schema_request(await _body(request))
    messages = service.test_compatibility(
        subject, version, parsed, _flag(request, "normalize"), against_all=raw_version is None
    )
    result: dict[str, Any] = {"is_compatible": not messages}
    if _flag(request, "verbose"):
        result["messages"] = messages
    return raw_response(orjson.dumps(result), _accept(request))


SUBJECT = "/subjects/{subject}"
VERSION = SUBJECT + "/versions/{version}"
SCHEMA = "/schemas/ids/{schema_id:int}"

ROUTES = [
    Route("/", root, methods=["GET"]),
    Route("/subjects", list_subjects, methods=["GET"]),
    Route(SUBJECT + "/versions", list_versions, methods=["GET"]),
    Route(SUBJECT + "/versions", register, methods=["POST"]),
    Route(VERSION, get_version, methods=["GET"]),
    Route(VERSION, delete_version, methods=["DELETE"]),
    Route(VERSION + "/schema", get_version_schema, methods=["GET"]),
    Route(VERSION + "/referencedby", referenced_by, methods=["GET"]),
    Route(SUBJECT, lookup, methods=["POST"]),
    Route(SUBJECT, delete_subject, methods=["DELETE"]),
    Route(SCHEMA, get_schema, methods=["GET"]),
    Route(SCHEMA + "/schema", get_schema_text, methods=["GET"]),
    Route(SCHEMA + "/subjects", get_schema_subjects, methods=["GET"]),
    Route(SCHEMA + "/versions", get_schema_versions, methods=["GET"]),
    Route("/schemas/types", get_schema_types, methods=["GET"]),
    Route("/config", get_config, methods=["GET"]),
    Route("/config", put_config, methods=["PUT"]),
    Route("/config", delete_config, methods=["DELETE"]),
    Route("/config/{subject}", get_config, methods=["GET"]),
    Route("/config/{subject}", put_config, methods=["PUT"]),
    Route("/config/{subject}", delete_config, methods=["DELETE"]),
    Route("/mode", get_mode, methods=["GET"]),
    Route("/mode", put_mode, methods=["PUT"]),
    Route("/mode/{subject}", get_mode, methods=["GET"]),
    Route("/mode/{subject}", put_mode, methods=["PUT"]),
    Route("/mode/{subject}", delete_mode, methods=["DELETE"]),
    Route("/compatibility" + VERSION, check_compatibility, methods=["POST"]),
    Route("/compatibility" + SUBJECT + "/versions", check_compatibility, methods=["POST"]),
]
