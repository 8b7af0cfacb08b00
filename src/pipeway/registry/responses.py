"""Content types and response bodies, as Confluent's registry negotiates and shapes them.

Confluent serves ``application/vnd.schemaregistry.v1+json`` (preferred),
``application/vnd.schemaregistry+json`` (quality 0.9) and ``application/json`` (0.5); the
client's ``Accept`` weights multiply those. Requests may use any of them or
``application/octet-stream`` (or no content type); anything else is 415.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from pipeway.registry.exceptions import HttpError, RegistryError

V1_JSON = "application/vnd.schemaregistry.v1+json"
DEFAULT_JSON = "application/vnd.schemaregistry+json"
JSON = "application/json"
_SERVER_QUALITY = ((V1_JSON, 1.0), (DEFAULT_JSON, 0.9), (JSON, 0.5))
_REQUEST_TYPES = frozenset({V1_JSON, DEFAULT_JSON, JSON, "application/octet-stream", ""})
_negotiated: dict[str, str] = {}


def negotiate(accept: str | None) -> str:
    """The response content type for an ``Accept`` header (memoized: clients repeat them)."""
    if not accept:
        return V1_JSON
    found = _negotiated.get(accept)
    if found is None:
        found = _negotiate(accept)
        if len(_negotiated) < 256:
            _negotiated[accept] = found
    return found


def _negotiate(accept: str) -> str:
    best, best_score = V1_JSON, 0.0
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        quality = _quality(params)
        for served, server_quality in _SERVER_QUALITY:
            if media in (served, "*/*", "application/*") and quality * server_quality > best_score:
                best, best_score = served, quality * server_quality
    return best


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def require_json_request(content_type: str | None) -> None:
    """Refuse bodies that are not declared as JSON (Confluent answers 415 for those)."""
    media = (content_type or "").partition(";")[0].strip().lower()
    if media not in _REQUEST_TYPES:
        raise HttpError(415, "HTTP 415 Unsupported Media Type")


def error_body(exc: RegistryError) -> bytes:
    return orjson.dumps({"error_code": exc.error_code, "message": exc.message})


def json_response(content: Any, accept: str | None, status: int = 200) -> Response:
    return raw_response(orjson.dumps(content), accept, status)


def raw_response(body: bytes, accept: str | None, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type=negotiate(accept))


def error_response(exc: RegistryError, accept: str | None) -> Response:
    return raw_response(error_body(exc), accept, exc.status)
