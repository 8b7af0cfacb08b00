"""A synchronous client for Confluent-Schema-Registry-compatible REST APIs, with caching.

Schema ids and subject versions are immutable once registered, so they are cached without
expiry (bounded LRU); only "latest version of a subject" can change and is cached for a short
TTL. A serializer therefore talks to the registry once per schema, not once per record.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from urllib.parse import quote

import httpx

from pipeway.serde.exceptions import SchemaRegistryError, SerdeConfigError
from pipeway.serde.registry_cache import LockedCache
from pipeway.serde.registry_http import RegistryHttp
from pipeway.serde.registry_models import (
    AVRO,
    CompatibilityResult,
    RegisteredSchema,
    SchemaReference,
)

logger = logging.getLogger(__name__)

_SUBJECT_SOFT_DELETED = 40404

SchemaKey = tuple[str, str, str, tuple[SchemaReference, ...], bool]


class RegistryClient:
    """Talks to one schema registry; safe to share between threads and serializers.

    Implements :class:`~pipeway.serde.registry_models.SchemaRegistry`.
    """

    def __init__(
        self,
        url: str,
        *,
        auth: tuple[str, str] | None = None,
        timeout: float = 10.0,
        latest_ttl: float = 10.0,
        cache_capacity: int = 1000,
        headers: Mapping[str, str] | None = None,
        verify: bool | str = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Create a client.

        Args:
            url: base URL, e.g. ``http://127.0.0.1:8081``.
            auth: ``(user, password)`` for HTTP basic auth.
            timeout: seconds per request (connect and read).
            latest_ttl: seconds a subject's latest version is cached.
            cache_capacity: entries kept per cache (ids, versions, lookups).
            headers: extra HTTP headers sent with every request.
            verify: TLS verification flag or CA bundle path.
            transport: an httpx transport to use instead of the network (tests, proxies).

        Raises:
            SerdeConfigError: ``url`` is not a single http(s) URL.
        """
        _check_url(url)
        self._http = RegistryHttp(
            url, auth=auth, timeout=timeout, headers=headers, verify=verify, transport=transport
        )
        self._by_id: LockedCache[int, RegisteredSchema] = LockedCache.lru(cache_capacity)
        self._ids: LockedCache[SchemaKey, int] = LockedCache.lru(cache_capacity)
        self._versions: LockedCache[SchemaKey, tuple[int, int]] = LockedCache.lru(cache_capacity)
        self._by_version: LockedCache[tuple[str, int], RegisteredSchema] = LockedCache.lru(
            cache_capacity
        )
        self._latest: LockedCache[str, RegisteredSchema] = LockedCache.ttl(
            cache_capacity, latest_ttl
        )

    @property
    def url(self) -> str:
        """The registry base URL, without a trailing slash."""
        return self._http.url

    def close(self) -> None:
        """Release the pooled HTTP connections."""
        self._http.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def register(
        self,
        subject: str,
        schema_str: str,
        schema_type: str = AVRO,
        references: Sequence[SchemaReference] | None = None,
        normalize: bool = False,
    ) -> int:
        """Register a schema under ``subject``; registering an existing schema is a no-op.

        Args:
            subject: the subject, e.g. ``orders-value``.
            schema_str: the schema text.
            schema_type: ``AVRO``, ``JSON`` or ``PROTOBUF``.
            references: named types imported from other subjects.
            normalize: ask the registry to normalize the schema before comparing.

        Returns:
            The schema's global id.

        Raises:
            IncompatibleSchemaError: the schema breaks the subject's compatibility level.
            InvalidSchemaError: the registry cannot parse the schema.
            RegistryUnavailableError: the registry cannot be reached.
        """
        key = _schema_key(subject, schema_str, schema_type, references, normalize)
        cached = self._ids.get(key)
        if cached is not None:
            return cached
        answer = self._http.request(
            "POST",
            f"/subjects/{_q(subject)}/versions",
            body=_schema_body(schema_str, schema_type, references),
            params=_normalize_param(normalize),
        )
        schema_id = int(answer["id"])
        self._ids.put(key, schema_id)
        logger.info("schema id %d registered under subject %s", schema_id, subject)
        return schema_id

    def lookup(
        self,
        subject: str,
        schema_str: str,
        schema_type: str = AVRO,
        references: Sequence[SchemaReference] | None = None,
        normalize: bool = False,
    ) -> tuple[int, int]:
        """Find a schema already registered under ``subject`` without registering it.

        Returns:
            ``(id, version)``.

        Raises:
            SubjectNotFoundError: nothing is registered under ``subject``.
            SchemaNotFoundError: the subject exists but has no such schema.
            RegistryUnavailableError: the registry cannot be reached.
        """
        key = _schema_key(subject, schema_str, schema_type, references, normalize)
        cached = self._versions.get(key)
        if cached is not None:
            return cached
        answer = self._http.request(
            "POST",
            f"/subjects/{_q(subject)}",
            body=_schema_body(schema_str, schema_type, references),
            params=_normalize_param(normalize),
        )
        found = (int(answer["id"]), int(answer["version"]))
        self._versions.put(key, found)
        self._ids.put(key, found[0])
        return found

    def get_schema(self, schema_id: int) -> RegisteredSchema:
        """Fetch a schema by global id (cached forever: ids are immutable).

        Raises:
            SchemaNotFoundError: no schema has this id.
            RegistryUnavailableError: the registry cannot be reached.
        """
        cached = self._by_id.get(schema_id)
        if cached is not None:
            return cached
        answer = self._http.request("GET", f"/schemas/ids/{int(schema_id)}")
        schema = _registered_from_json(answer, schema_id=schema_id)
        self._by_id.put(schema_id, schema)
        return schema

    def get_latest(self, subject: str) -> RegisteredSchema:
        """Fetch the newest version of ``subject`` (cached for ``latest_ttl`` seconds).

        Raises:
            SubjectNotFoundError: nothing is registered under ``subject``.
            RegistryUnavailableError: the registry cannot be reached.
        """
        cached = self._latest.get(subject)
        if cached is not None:
            return cached
        schema = self._fetch_version(subject, "latest")
        self._latest.put(subject, schema)
        return schema

    def get_version(self, subject: str, version: int | Literal["latest"]) -> RegisteredSchema:
        """Fetch one version of ``subject``; ``"latest"`` behaves like :meth:`get_latest`.

        Raises:
            SubjectNotFoundError: nothing is registered under ``subject``.
            VersionNotFoundError: the subject has no such version.
            RegistryUnavailableError: the registry cannot be reached.
        """
        if version == "latest":
            return self.get_latest(subject)
        key = (subject, int(version))
        cached = self._by_version.get(key)
        if cached is not None:
            return cached
        schema = self._fetch_version(subject, str(int(version)))
        self._by_version.put(key, schema)
        return schema

    def list_subjects(self) -> list[str]:
        """Return every (non-deleted) subject name."""
        return [str(s) for s in self._http.request("GET", "/subjects")]

    def get_compatibility(self, subject: str | None = None) -> str:
        """Return the compatibility level of ``subject``, or the global one.

        A subject without its own level reports the global level.
        """
        if subject is None:
            answer = self._http.request("GET", "/config")
        else:
            path = f"/config/{_q(subject)}"
            answer = self._http.request("GET", path, params={"defaultToGlobal": "true"})
        return str(answer["compatibilityLevel"])

    def set_compatibility(self, level: str, subject: str | None = None) -> str:
        """Set the compatibility level (``BACKWARD``, ``FULL_TRANSITIVE``, ``NONE``...).

        Returns:
            The level the registry stored.

        Raises:
            SchemaRegistryError: the level is unknown (error_code 42203).
        """
        path = "/config" if subject is None else f"/config/{_q(subject)}"
        answer = self._http.request("PUT", path, body={"compatibility": level.upper()})
        return str(answer["compatibility"])

    def test_compatibility(
        self,
        subject: str,
        schema_str: str,
        schema_type: str = AVRO,
        references: Sequence[SchemaReference] | None = None,
        version: int | Literal["latest"] = "latest",
    ) -> CompatibilityResult:
        """Ask whether ``schema_str`` could be registered under ``subject``.

        Returns:
            A result that is truthy when compatible; ``messages`` say what breaks.
        """
        answer = self._http.request(
            "POST",
            f"/compatibility/subjects/{_q(subject)}/versions/{version}",
            body=_schema_body(schema_str, schema_type, references),
            params={"verbose": "true"},
        )
        messages = tuple(str(m) for m in answer.get("messages") or ())
        return CompatibilityResult(bool(answer["is_compatible"]), messages)

    def delete_subject(self, subject: str, permanent: bool = False) -> list[int]:
        """Delete a subject (soft; then hard as well when ``permanent``).

        Returns:
            The versions that were deleted.
        """
        path = f"/subjects/{_q(subject)}"
        try:
            versions = self._http.request("DELETE", path)
        except SchemaRegistryError as exc:
            if not (permanent and exc.error_code == _SUBJECT_SOFT_DELETED):
                raise
            versions = []
        if permanent:
            versions = self._http.request("DELETE", path, params={"permanent": "true"})
        self._forget_subject(subject)
        logger.info("subject %s deleted (permanent=%s)", subject, permanent)
        return [int(v) for v in versions]

    def _fetch_version(self, subject: str, version: str) -> RegisteredSchema:
        """GET one subject version and remember its id → schema mapping."""
        answer = self._http.request("GET", f"/subjects/{_q(subject)}/versions/{version}")
        schema = _registered_from_json(answer)
        self._by_id.put(schema.id, schema)
        return schema

    def _forget_subject(self, subject: str) -> None:
        """Drop every cached entry of ``subject`` (ids stay valid: they are global)."""
        self._ids.discard_where(lambda k: k[0] == subject)
        self._versions.discard_where(lambda k: k[0] == subject)
        self._by_version.discard_where(lambda k: k[0] == subject)
        self._latest.discard_where(lambda k: k == subject)


def _check_url(url: str) -> None:
    """Reject what httpx would fail on later with a less helpful message."""
    if "," in url:
        raise SerdeConfigError("schema.registry.url", f"give a single URL, not a list: {url}")
    if not url.startswith(("http://", "https://")):
        raise SerdeConfigError(
            "schema.registry.url", f"'{url}' must start with http:// or https://"
        )


def _q(subject: str) -> str:
    """Quote a subject for a URL path (subjects may contain '/', ':' or spaces)."""
    return quote(subject, safe="")


def _normalize_param(normalize: bool) -> dict[str, str] | None:
    """Return the ``normalize=true`` query parameter when asked for."""
    return {"normalize": "true"} if normalize else None


def _schema_key(
    subject: str,
    schema_str: str,
    schema_type: str,
    references: Sequence[SchemaReference] | None,
    normalize: bool,
) -> SchemaKey:
    """Build the cache key of a (subject, schema) pair."""
    return (subject, schema_str, schema_type.upper(), tuple(references or ()), normalize)


def _schema_body(
    schema_str: str, schema_type: str, references: Sequence[SchemaReference] | None
) -> dict[str, Any]:
    """Build the JSON body of register/lookup/compatibility requests.

    ``schemaType`` is left out for Avro, which registries older than 5.5 require.
    """
    body: dict[str, Any] = {"schema": schema_str}
    if schema_type.upper() != AVRO:
        body["schemaType"] = schema_type.upper()
    if references:
        body["references"] = [ref.to_json() for ref in references]
    return body


def _registered_from_json(answer: dict[str, Any], schema_id: int | None = None) -> RegisteredSchema:
    """Build a RegisteredSchema from a ``/schemas/ids`` or ``/subjects/.../versions`` answer."""
    refs = tuple(SchemaReference.from_json(r) for r in answer.get("references") or ())
    version = answer.get("version")
    return RegisteredSchema(
        id=int(answer["id"]) if schema_id is None else schema_id,
        schema_str=str(answer["schema"]),
        schema_type=str(answer.get("schemaType") or AVRO),
        references=refs,
        subject=answer.get("subject"),
        version=int(version) if version is not None else None,
    )
