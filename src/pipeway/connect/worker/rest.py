"""Kafka Connect's REST API over :class:`ConnectService`.

Handlers are plain ``def`` functions: FastAPI runs them in its thread pool, where blocking on
Kafka (a write waits until it is read back) does not stall the event loop. Every error is
Connect's ``{"error_code": ..., "message": ...}``; malformed bodies are 400, never 500.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import Body, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from pipeway.connect.exceptions import InvalidConnectorConfig
from pipeway.connect.worker.exceptions import (
    BadRequest,
    ConnectorExists,
    ConnectorNotFound,
    NotRunningHere,
    StoreUnavailable,
    TaskNotFound,
)
from pipeway.connect.worker.service import FORWARDED_HEADER, ConnectService, invalid_message

log = logging.getLogger(__name__)

UNCHANGED_HEADER = "X-Pipeway-Unchanged"
ConfigBody = Annotated[dict[str, Any], Body()]
STATUS_BY_ERROR: dict[type[Exception], int] = {
    ConnectorNotFound: 404,
    TaskNotFound: 404,
    NotRunningHere: 404,
    ConnectorExists: 409,
    BadRequest: 400,
    StoreUnavailable: 503,
}


class CreateConnector(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1)
    config: dict[str, Any] = Field(default_factory=dict)
    initial_state: str | None = None


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error_code": status, "message": message}, status_code=status)


def _install_errors(app: FastAPI) -> None:
    for exc_type, status in STATUS_BY_ERROR.items():
        app.add_exception_handler(exc_type, _handler(status))

    @app.exception_handler(InvalidConnectorConfig)
    def _invalid(_request: Request, exc: Exception) -> JSONResponse:
        errors = exc.errors if isinstance(exc, InvalidConnectorConfig) else {}
        return error(400, invalid_message(errors))

    @app.exception_handler(RequestValidationError)
    def _bad_body(_request: Request, exc: Exception) -> JSONResponse:
        details = exc.errors() if isinstance(exc, RequestValidationError) else []
        parts = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in details]
        return error(400, "Invalid request: " + "; ".join(parts))

    @app.exception_handler(StarletteHTTPException)
    def _http(_request: Request, exc: Exception) -> JSONResponse:
        status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
        return error(status, f"HTTP {status} {getattr(exc, 'detail', '')}".strip())

    @app.exception_handler(Exception)
    def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error in REST handler")
        return error(500, f"{type(exc).__name__}: {exc}")


def _handler(status: int) -> Any:
    def handle(_request: Request, exc: Exception) -> JSONResponse:
        return error(status, str(exc))

    return handle


def create_app(service: ConnectService, lifespan: Any = None) -> FastAPI:
    app = FastAPI(title="pipeway connect", lifespan=lifespan, openapi_url=None, docs_url=None)
    _install_errors(app)
    _connector_routes(app, service)
    _lifecycle_routes(app, service)
    _task_routes(app, service)
    _plugin_routes(app, service)
    return app


def _connector_routes(app: FastAPI, svc: ConnectService) -> None:
    @app.get("/")
    def root() -> dict[str, Any]:
        return svc.server_info()

    @app.get("/connectors", response_model=None)
    def list_connectors(
        expand: Annotated[list[str] | None, Query()] = None,
    ) -> list[str] | dict[str, Any]:
        return svc.expanded(expand) if expand else svc.names()

    @app.post("/connectors", status_code=201)
    def create(body: CreateConnector) -> dict[str, Any]:
        return svc.create(body.name, body.config, body.initial_state)

    @app.get("/connectors/{name}")
    def info(name: str) -> dict[str, Any]:
        return svc.info(name)

    @app.get("/connectors/{name}/config")
    def get_config(name: str) -> dict[str, Any]:
        return svc.config(name)

    @app.put("/connectors/{name}/config")
    def put_config(name: str, config: ConfigBody) -> JSONResponse:
        created, changed, body = svc.put_config(name, config)
        headers = {} if changed else {UNCHANGED_HEADER: "true"}
        return JSONResponse(body, status_code=201 if created else 200, headers=headers)

    @app.delete("/connectors/{name}", status_code=204)
    def delete(name: str) -> Response:
        svc.delete(name)
        return Response(status_code=204)

    @app.get("/connectors/{name}/status")
    def status(name: str) -> dict[str, Any]:
        return svc.status(name)

    @app.get("/connectors/{name}/offsets")
    def offsets(name: str) -> dict[str, Any]:
        return svc.offsets(name)


def _lifecycle_routes(app: FastAPI, svc: ConnectService) -> None:
    @app.put("/connectors/{name}/pause", status_code=202)
    def pause(name: str) -> Response:
        svc.set_target(name, "PAUSED")
        return Response(status_code=202)

    @app.put("/connectors/{name}/resume", status_code=202)
    def resume(name: str) -> Response:
        svc.set_target(name, "STARTED")
        return Response(status_code=202)

    @app.put("/connectors/{name}/stop", status_code=204)
    def stop(name: str) -> Response:
        svc.set_target(name, "STOPPED")
        return Response(status_code=204)

    @app.post("/connectors/{name}/restart", response_model=None)
    def restart(
        name: str,
        include_tasks: Annotated[bool, Query(alias="includeTasks")] = False,
        only_failed: Annotated[bool, Query(alias="onlyFailed")] = False,
    ) -> Response:
        body = svc.restart(name, include_tasks, only_failed)
        if body is None:
            return Response(status_code=204)
        return JSONResponse(body, status_code=202)


def _task_routes(app: FastAPI, svc: ConnectService) -> None:
    @app.get("/connectors/{name}/tasks")
    def tasks(name: str) -> list[dict[str, Any]]:
        return svc.tasks(name)

    @app.get("/connectors/{name}/tasks/{task}/status")
    def task_status(name: str, task: int) -> dict[str, Any]:
        return svc.task_status(name, task)

    @app.post("/connectors/{name}/tasks/{task}/restart", status_code=204)
    def restart_task(name: str, task: int) -> Response:
        svc.restart_task(name, task)
        return Response(status_code=204)

    @app.get("/connectors/{name}/tasks/{task}/metrics")
    def task_metrics(name: str, task: int, request: Request) -> dict[str, Any]:
        return svc.task_metrics(name, task, forward=FORWARDED_HEADER not in request.headers)

    @app.get("/metrics", response_class=PlainTextResponse)
    def metrics() -> PlainTextResponse:
        return PlainTextResponse(svc.prometheus(), media_type="text/plain; version=0.0.4")


def _plugin_routes(app: FastAPI, svc: ConnectService) -> None:
    @app.get("/connector-plugins")
    def plugins() -> list[dict[str, Any]]:
        return svc.plugins()

    @app.put("/connector-plugins/{plugin}/config/validate")
    def validate(plugin: str, config: ConfigBody) -> dict[str, Any]:
        return svc.validate(plugin, config)
