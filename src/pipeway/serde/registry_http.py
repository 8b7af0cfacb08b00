"""The HTTP layer of the registry client: one pooled httpx client and error mapping.

Confluent Schema Registry answers errors with ``{"error_code": N, "message": "..."}``; this
module turns them into the typed exceptions of :mod:`pipeway.serde.exceptions` and network
failures into :class:`~pipeway.serde.exceptions.RegistryUnavailableError` (a transient error).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx
import orjson

from pipeway.serde.exceptions import (
    IncompatibleSchemaError,
    InvalidSchemaError,
    RegistryAuthError,
    RegistryServerError,
    RegistryUnavailableError,
    SchemaNotFoundError,
    SchemaRegistryError,
    SubjectNotFoundError,
    VersionNotFoundError,
)

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
ACCEPT = (
    "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, "
    "application/json; qs=0.5"
)

_BY_ERROR_CODE: dict[int, type[SchemaRegistryError]] = {
    40401: SubjectNotFoundError,
    40402: VersionNotFoundError,
    40403: SchemaNotFoundError,
    42201: InvalidSchemaError,
}


class RegistryHttp:
    """Sends JSON requests to one registry base URL over a single pooled connection set."""

    def __init__(
        self,
        url: str,
        *,
        auth: tuple[str, str] | None = None,
        timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
        verify: bool | str = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        all_headers = {"Accept": ACCEPT, "Content-Type": CONTENT_TYPE, **(headers or {})}
        self._client = httpx.Client(
            base_url=self.url,
            auth=httpx.BasicAuth(*auth) if auth else None,
            timeout=timeout,
            headers=all_headers,
            verify=verify,
            transport=transport,
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request and return the decoded JSON answer.

        Raises:
            RegistryUnavailableError: the registry did not answer (refused, DNS, timeout).
            SchemaRegistryError: the registry answered with an error status.
        """
        content = orjson.dumps(body) if body is not None else None
        try:
            response = self._client.request(method, path, content=content, params=params)
        except httpx.TransportError as exc:
            raise RegistryUnavailableError(self.url, _describe_transport_error(exc)) from exc
        if response.status_code >= 400:
            raise error_from_response(response.status_code, response.content, self._full(path))
        return self._decode(response, path)

    def _decode(self, response: httpx.Response, path: str) -> Any:
        """Decode a successful answer; non-JSON means the URL is not a schema registry."""
        if not response.content:
            return None
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            snippet = response.content[:80].decode("utf-8", "replace")
            message = f"answer is not JSON ({snippet!r}); is this a schema registry URL?"
            status = response.status_code
            raise SchemaRegistryError(status, status, message, self._full(path)) from exc

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def _full(self, path: str) -> str:
        """Return the absolute URL of ``path`` for error messages."""
        return f"{self.url}{path}"


def error_from_response(status: int, content: bytes, url: str) -> SchemaRegistryError:
    """Map an error answer to the most specific :class:`SchemaRegistryError` subclass.

    Args:
        status: HTTP status code.
        content: the raw body, normally ``{"error_code": N, "message": "..."}``.
        url: the requested URL, kept on the exception.

    Returns:
        The exception to raise (not raised here so callers can add context).
    """
    error_code, message = _parse_error_body(status, content)
    return _error_class(status, error_code)(status, error_code, message, url)


def _error_class(status: int, error_code: int) -> type[SchemaRegistryError]:
    """Choose the exception class from the Confluent error_code, then the HTTP status."""
    by_code = _BY_ERROR_CODE.get(error_code)
    if by_code is not None:
        return by_code
    if status == 409:
        return IncompatibleSchemaError
    if status in (401, 403):
        return RegistryAuthError
    if status == 429 or status >= 500:
        return RegistryServerError
    return SchemaRegistryError


def _parse_error_body(status: int, content: bytes) -> tuple[int, str]:
    """Return ``(error_code, message)``; falls back to the status and raw text."""
    try:
        data = orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        data = None
    if isinstance(data, dict) and "error_code" in data:
        return int(data["error_code"]), str(data.get("message", ""))
    text = content.decode("utf-8", "replace").strip()[:500]
    return status, text or httpx.codes.get_reason_phrase(status)


def _describe_transport_error(exc: httpx.TransportError) -> str:
    """Say what went wrong on the network in words an operator can act on."""
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({detail}); check that it is running and not overloaded"
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed ({detail}); check the URL and that the registry is running"
    return detail
