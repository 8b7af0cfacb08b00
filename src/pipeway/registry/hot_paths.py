"""Raw ASGI fast paths for the two endpoints serializers hit on every new producer/consumer.

``GET /schemas/ids/{id}`` answers the body precomputed when the record was applied, and
``POST /subjects/{subject}`` (lookup) answers from a cache keyed by (subject, query, body),
cleared whenever the state changes. Both skip Starlette's routing and request objects; every
other request, and every miss that needs an error page, goes to the Starlette app.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeway.registry.exceptions import RegistryError
from pipeway.registry.responses import error_body, negotiate, require_json_request
from pipeway.registry.routes import lookup_response
from pipeway.registry.service import RegistryService

IDS_PREFIX = "/schemas/ids/"
SUBJECTS_PREFIX = "/subjects/"


class HotPaths:
    def __init__(self, app: ASGIApp, cache_size: int) -> None:
        self.app = app
        self.cache_size = cache_size
        self.service: RegistryService | None = None  # set once the log is loaded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        service = self.service
        if scope["type"] == "http" and service is not None:
            path: str = scope["path"]
            if scope["method"] == "GET" and path.startswith(IDS_PREFIX):
                entry = service.state.schemas.get(_int_or_none(path[len(IDS_PREFIX) :]))
                if entry is not None:
                    await _send(send, 200, entry.body, _header(scope, b"accept"))
                    return
            elif scope["method"] == "POST" and path.startswith(SUBJECTS_PREFIX):
                subject = path[len(SUBJECTS_PREFIX) :]
                if subject and "/" not in subject:
                    await self._lookup(service, subject, scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _lookup(
        self, service: RegistryService, subject: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        accept = _header(scope, b"accept")
        try:
            require_json_request(_header(scope, b"content-type"))
        except RegistryError as exc:
            await _send(send, exc.status, error_body(exc), accept)
            return
        body = await _read_body(receive)
        key = (subject, scope["query_string"], body)
        cache = service.state.response_cache
        found = cache.get(key)
        if found is None:
            query = parse_qs(scope["query_string"].decode("latin-1"))
            found = lookup_response(
                service, subject, _first(query, "normalize"), _first(query, "deleted"), body
            )
            if len(cache) >= self.cache_size:
                cache.clear()
            cache[key] = found
        await _send(send, found[0], found[1], accept)


def _int_or_none(text: str) -> int:
    """The id in the path, or -1 (never an id) when it is not a plain number."""
    return int(text) if text.isdigit() and len(text) < 11 else -1


def _first(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message: Message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send(send: Send, status: int, body: bytes, accept: str | None) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", negotiate(accept).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
