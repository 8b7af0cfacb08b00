"""A small client of the worker's REST API (what the CLI uses)."""

from __future__ import annotations

from typing import Any, Literal

import httpx

from pipeway.connect.worker.exceptions import WorkerError
from pipeway.connect.worker.rest import UNCHANGED_HEADER

Applied = Literal["created", "updated", "unchanged"]


class ConnectApiError(WorkerError):
    """The worker answered with an error (``message`` is Connect's error message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message

    def __reduce__(self) -> tuple[type, tuple[int, str]]:
        return (type(self), (self.status, self.message))


class ConnectUnreachable(WorkerError):
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot reach the connect worker at {url}: {reason}")
        self.url = url
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.url, self.reason))


class ConnectClient:
    def __init__(self, url: str, timeout_s: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, timeout=timeout_s)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ConnectUnreachable(self.url, str(exc) or type(exc).__name__) from exc
        if response.status_code >= 400:
            raise ConnectApiError(response.status_code, _message(response))
        return response

    def names(self) -> list[str]:
        return list(self._call("GET", "/connectors").json())

    def statuses(self) -> list[dict[str, Any]]:
        expanded = self._call("GET", "/connectors", params={"expand": "status"}).json()
        return [expanded[name]["status"] for name in sorted(expanded)]

    def status(self, name: str) -> dict[str, Any]:
        return dict(self._call("GET", f"/connectors/{name}/status").json())

    def apply(self, name: str, config: dict[str, Any]) -> Applied:
        """Create or update ``name`` (PUT config) and say which it was."""
        response = self._call("PUT", f"/connectors/{name}/config", json=config)
        if response.status_code == 201:
            return "created"
        return "unchanged" if response.headers.get(UNCHANGED_HEADER) == "true" else "updated"

    def delete(self, name: str) -> None:
        self._call("DELETE", f"/connectors/{name}")

    def pause(self, name: str) -> None:
        self._call("PUT", f"/connectors/{name}/pause")

    def resume(self, name: str) -> None:
        self._call("PUT", f"/connectors/{name}/resume")

    def restart(self, name: str, include_tasks: bool, only_failed: bool) -> dict[str, Any] | None:
        params = {
            "includeTasks": str(include_tasks).lower(),
            "onlyFailed": str(only_failed).lower(),
        }
        response = self._call("POST", f"/connectors/{name}/restart", params=params)
        return None if response.status_code == 204 else dict(response.json())


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text or response.reason_phrase
    if isinstance(body, dict) and "message" in body:
        return str(body["message"])
    return str(body)
