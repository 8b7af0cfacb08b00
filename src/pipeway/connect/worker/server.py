"""Serving a worker's REST API with uvicorn, in the foreground or on a thread (tests).

The socket is bound before the worker is built so that ``rest.port=0`` works and the worker
id (``host:port``) names the real port.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import uvicorn
from fastapi import FastAPI

from pipeway.connect.runtime.contract import WorkerSettings
from pipeway.connect.worker.exceptions import WorkerError
from pipeway.connect.worker.rest import create_app
from pipeway.connect.worker.worker import ConnectWorker

log = logging.getLogger(__name__)


def bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def with_port(settings: WorkerSettings, sock: socket.socket) -> WorkerSettings:
    return settings.model_copy(update={"rest_port": sock.getsockname()[1]})


def worker_app(worker: ConnectWorker) -> FastAPI:
    """The REST app of a started ``worker``; the app's shutdown stops the worker."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(worker.stop)

    return create_app(worker.service, lifespan)


def _server(app: FastAPI) -> uvicorn.Server:
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=5
    )
    return uvicorn.Server(config)


def serve(
    settings: WorkerSettings, make_worker: Callable[..., ConnectWorker] = ConnectWorker
) -> int:
    """Run a worker and its API until SIGINT/SIGTERM; the exit code (2: Kafka unusable).

    The worker starts (reads its topics) before the API serves, so ``GET /connectors`` is
    only answered once the answer is complete.
    """
    sock = bind(settings.rest_host, settings.rest_port)
    worker = make_worker(with_port(settings, sock))
    try:
        worker.start()
    except WorkerError as exc:
        log.error("worker cannot start: %s", exc)
        sock.close()
        return 2
    server = _server(worker_app(worker))
    try:
        server.run(sockets=[sock])
    finally:
        worker.stop()  # no-op when the app's shutdown already stopped it
    return 0 if server.started else 1


class BackgroundWorker:
    """A worker with its API on a thread of this process (integration tests)."""

    def __init__(self, settings: WorkerSettings, **worker_args: Any) -> None:
        self._sock = bind(settings.rest_host, settings.rest_port)
        self.worker = ConnectWorker(with_port(settings, self._sock), **worker_args)
        self.url = f"http://{settings.rest_host}:{self._sock.getsockname()[1]}"
        self._server = _server(worker_app(self.worker))
        self._thread = threading.Thread(target=self._run, name="rest", daemon=True)

    def _run(self) -> None:
        self._server.run(sockets=[self._sock])

    def start(self, timeout_s: float = 60.0) -> BackgroundWorker:
        self.worker.start()
        self._thread.start()
        deadline = threading.Event()
        for _ in range(int(timeout_s * 10)):
            if self._server.started or not self._thread.is_alive():
                break
            deadline.wait(0.1)
        if not self._server.started:
            raise RuntimeError(f"worker {self.worker.worker_id} did not start")
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(60)
        self.worker.stop()
        self._sock.close()
