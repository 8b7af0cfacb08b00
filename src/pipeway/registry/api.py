"""The ASGI application: Starlette routes behind the hot-path shortcut, state loaded at start."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from pipeway.registry.compatibility import CompatibilityLevel
from pipeway.registry.exceptions import HttpError, RegistryError
from pipeway.registry.hot_paths import HotPaths
from pipeway.registry.responses import error_response
from pipeway.registry.routes import ROUTES
from pipeway.registry.service import RegistryService
from pipeway.registry.settings import RegistrySettings
from pipeway.registry.state import RegistryState
from pipeway.registry.store import KafkaSchemaLog, SchemaLog

log = logging.getLogger(__name__)

LogFactory = Callable[[RegistrySettings, RegistryState], SchemaLog]


def create_app(settings: RegistrySettings, log_factory: LogFactory | None = None) -> HotPaths:
    """The registry as an ASGI app; ``log_factory`` swaps the Kafka log (tests use memory)."""
    make_log: LogFactory = log_factory or KafkaSchemaLog
    default_level = CompatibilityLevel.parse(settings.default_compatibility).value

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state = RegistryState(default_compatibility=default_level)
        schema_log = make_log(settings, state)
        try:
            await schema_log.start()
        except Exception as exc:
            log.error("registry cannot start topic=%s error=%s", settings.topic, exc)
            raise
        app.state.service = hot.service = RegistryService(state, schema_log)
        log.info(
            "registry ready host=%s port=%d topic=%s", settings.host, settings.port, settings.topic
        )
        try:
            yield
        finally:
            hot.service = None
            await schema_log.stop()

    starlette = Starlette(
        routes=ROUTES,
        lifespan=lifespan,
        exception_handlers={
            RegistryError: _registry_error,
            HTTPException: _http_error,
            Exception: _unexpected_error,
        },
    )
    hot = HotPaths(starlette, settings.lookup_cache_size)
    return hot


async def _registry_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RegistryError)
    if exc.status >= 500:
        log.error(
            "request failed method=%s path=%s error=%s", request.method, request.url.path, exc
        )
    return error_response(exc, request.headers.get("accept"))


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown routes and methods, shaped like Confluent's (``HTTP 404 Not Found``)."""
    assert isinstance(exc, HTTPException)
    message = f"HTTP {exc.status_code} {exc.detail}"
    return error_response(HttpError(exc.status_code, message), request.headers.get("accept"))


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error method=%s path=%s", request.method, request.url.path)
    return error_response(HttpError(500, "Internal Server Error"), request.headers.get("accept"))
