"""RegistryClient against an httpx.MockTransport: requests, caching, errors."""

from __future__ import annotations

import base64
import pickle

import httpx
import orjson
import pytest

from pipeway.errors import ConfigError, TransientError
from pipeway.serde import (
    IncompatibleSchemaError,
    InvalidSchemaError,
    RegistryAuthError,
    RegistryClient,
    RegistryServerError,
    RegistryUnavailableError,
    SchemaNotFoundError,
    SchemaReference,
    SchemaRegistryError,
    SubjectNotFoundError,
    VersionNotFoundError,
)

from .conftest import REGISTRY_URL
from .fake_registry import FakeRegistry, request_paths
from .schemas import ADDRESS, CUSTOMER_WITH_REF, USER_V1, USER_V2


def _answering(status: int, body: object) -> RegistryClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=orjson.dumps(body))

    return RegistryClient(REGISTRY_URL, transport=httpx.MockTransport(handler))


def test_register_returns_id_and_caches(registry: RegistryClient, fake_registry: FakeRegistry):
    first = registry.register("users-value", USER_V1)
    second = registry.register("users-value", USER_V1)

    assert first == second == 1
    assert request_paths(fake_registry) == ["POST /subjects/users-value/versions"]


def test_register_body_omits_schema_type_for_avro(
    registry: RegistryClient, fake_registry: FakeRegistry
):
    registry.register("users-value", USER_V1)

    body = orjson.loads(fake_registry.requests[0].content)
    assert body == {"schema": USER_V1}
    assert fake_registry.requests[0].headers["content-type"] == (
        "application/vnd.schemaregistry.v1+json"
    )


def test_register_sends_references_and_normalize(
    registry: RegistryClient, fake_registry: FakeRegistry
):
    registry.register("address", ADDRESS)
    ref = SchemaReference("com.example.Address", "address", 1)

    registry.register("customers-value", CUSTOMER_WITH_REF, references=[ref], normalize=True)

    request = fake_registry.requests[-1]
    assert request.url.params["normalize"] == "true"
    assert orjson.loads(request.content)["references"] == [
        {"name": "com.example.Address", "subject": "address", "version": 1}
    ]


def test_lookup_returns_id_and_version_and_caches(
    registry: RegistryClient, fake_registry: FakeRegistry
):
    fake_registry.register_direct("users-value", USER_V1)
    fake_registry.register_direct("users-value", USER_V2)

    assert registry.lookup("users-value", USER_V2) == (2, 2)
    assert registry.lookup("users-value", USER_V2) == (2, 2)
    assert registry.register("users-value", USER_V2) == 2  # filled by the lookup
    assert len(fake_registry.requests) == 1


def test_lookup_of_unknown_schema_and_subject(registry: RegistryClient, fake_registry):
    with pytest.raises(SubjectNotFoundError) as missing_subject:
        registry.lookup("nobody-value", USER_V1)
    fake_registry.register_direct("users-value", USER_V1)
    with pytest.raises(SchemaNotFoundError) as missing_schema:
        registry.lookup("users-value", USER_V2)

    assert missing_subject.value.error_code == 40401
    assert missing_subject.value.status == 404
    assert missing_schema.value.error_code == 40403


def test_get_schema_is_cached_forever(registry: RegistryClient, fake_registry: FakeRegistry):
    schema_id = fake_registry.register_direct("users-value", USER_V1)

    first = registry.get_schema(schema_id)
    second = registry.get_schema(schema_id)

    assert first is second
    assert first.id == schema_id
    assert first.schema_str == USER_V1
    assert first.schema_type == "AVRO"
    assert first.references == ()
    assert request_paths(fake_registry) == [f"GET /schemas/ids/{schema_id}"]


def test_get_schema_keeps_references(registry: RegistryClient, fake_registry: FakeRegistry):
    fake_registry.register_direct("address", ADDRESS)
    ref = {"name": "com.example.Address", "subject": "address", "version": 1}
    schema_id = fake_registry.register_direct("customers-value", CUSTOMER_WITH_REF, [ref])

    schema = registry.get_schema(schema_id)

    assert schema.references == (SchemaReference("com.example.Address", "address", 1),)


def test_unknown_schema_id(registry: RegistryClient):
    with pytest.raises(SchemaNotFoundError) as err:
        registry.get_schema(999)

    assert err.value.error_code == 40403
    assert err.value.url == f"{REGISTRY_URL}/schemas/ids/999"


def test_get_version_caches_and_fills_id_cache(registry: RegistryClient, fake_registry):
    fake_registry.register_direct("users-value", USER_V1)

    version = registry.get_version("users-value", 1)
    registry.get_version("users-value", 1)
    by_id = registry.get_schema(version.id)

    assert (version.subject, version.version, version.id) == ("users-value", 1, 1)
    assert by_id == version
    assert request_paths(fake_registry) == ["GET /subjects/users-value/versions/1"]


def test_get_version_errors(registry: RegistryClient, fake_registry: FakeRegistry):
    fake_registry.register_direct("users-value", USER_V1)

    with pytest.raises(VersionNotFoundError) as err:
        registry.get_version("users-value", 7)
    with pytest.raises(SubjectNotFoundError):
        registry.get_version("nobody-value", 1)

    assert err.value.error_code == 40402


def test_get_latest_is_cached_for_ttl(fake_registry: FakeRegistry):
    fake_registry.register_direct("users-value", USER_V1)
    fresh = RegistryClient(REGISTRY_URL, transport=fake_registry.transport(), latest_ttl=0.0)
    cached = RegistryClient(REGISTRY_URL, transport=fake_registry.transport(), latest_ttl=60)

    assert cached.get_latest("users-value").version == 1
    assert fresh.get_latest("users-value").version == 1
    fake_registry.register_direct("users-value", USER_V2)

    assert cached.get_latest("users-value").version == 1
    assert cached.get_version("users-value", "latest").version == 1
    assert fresh.get_latest("users-value").version == 2


def test_list_subjects(registry: RegistryClient, fake_registry: FakeRegistry):
    fake_registry.register_direct("b-value", USER_V1)
    fake_registry.register_direct("a-value", USER_V1)

    assert registry.list_subjects() == ["a-value", "b-value"]


def test_compatibility_levels(registry: RegistryClient, fake_registry: FakeRegistry):
    fake_registry.register_direct("users-value", USER_V1)

    assert registry.get_compatibility() == "BACKWARD"
    assert registry.get_compatibility("users-value") == "BACKWARD"  # global default
    assert registry.set_compatibility("full", "users-value") == "FULL"
    assert registry.get_compatibility("users-value") == "FULL"
    assert registry.set_compatibility("NONE") == "NONE"
    assert registry.get_compatibility() == "NONE"


def test_invalid_compatibility_level(registry: RegistryClient):
    with pytest.raises(SchemaRegistryError) as err:
        registry.set_compatibility("SIDEWAYS")

    assert (err.value.status, err.value.error_code) == (422, 42203)


def test_test_compatibility(registry: RegistryClient, fake_registry: FakeRegistry):
    fake_registry.register_direct("users-value", USER_V1)

    ok = registry.test_compatibility("users-value", USER_V2)
    fake_registry.compatible = False
    bad = registry.test_compatibility("users-value", USER_V2)

    assert ok and ok.is_compatible and ok.messages == ()
    assert not bad
    assert bad.messages == ("READER_FIELD_MISSING_DEFAULT_VALUE",)
    assert fake_registry.requests[-1].url.params["verbose"] == "true"
    assert fake_registry.requests[-1].url.path == (
        "/compatibility/subjects/users-value/versions/latest"
    )


def test_incompatible_register(registry: RegistryClient, fake_registry: FakeRegistry):
    fake_registry.register_direct("users-value", USER_V1)
    fake_registry.compatible = False

    with pytest.raises(IncompatibleSchemaError) as err:
        registry.register("users-value", USER_V2)

    assert err.value.status == 409
    assert "incompatible" in str(err.value)


def test_invalid_schema(registry: RegistryClient):
    with pytest.raises(InvalidSchemaError) as err:
        registry.register("users-value", '{"type": "record", "name": "X", "fields": [{"x": 1}]}')

    assert (err.value.status, err.value.error_code) == (422, 42201)


def test_delete_subject_soft_and_permanent(registry: RegistryClient, fake_registry):
    fake_registry.register_direct("users-value", USER_V1)
    registry.register("users-value", USER_V1)
    registry.get_latest("users-value")

    assert registry.delete_subject("users-value") == [1]
    assert registry.list_subjects() == []
    with pytest.raises(SubjectNotFoundError):
        registry.get_latest("users-value")  # the latest cache was dropped
    assert registry.delete_subject("users-value", permanent=True) == [1]
    assert "users-value" not in fake_registry.subjects


def test_delete_subject_permanent_does_soft_delete_first(registry: RegistryClient, fake_registry):
    fake_registry.register_direct("users-value", USER_V1)

    registry.delete_subject("users-value", permanent=True)

    assert [(r.method, r.url.params.get("permanent")) for r in fake_registry.requests] == [
        ("DELETE", None),
        ("DELETE", "true"),
    ]


def test_subject_is_url_quoted(registry: RegistryClient, fake_registry: FakeRegistry):
    registry.register("odd/subject name", USER_V1)

    assert fake_registry.requests[0].url.raw_path == b"/subjects/odd%2Fsubject%20name/versions"
    assert "odd/subject name" in fake_registry.subjects


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (404, 40401, SubjectNotFoundError),
        (404, 40402, VersionNotFoundError),
        (404, 40403, SchemaNotFoundError),
        (409, 409, IncompatibleSchemaError),
        (409, 40901, IncompatibleSchemaError),
        (422, 42201, InvalidSchemaError),
        (401, 401, RegistryAuthError),
        (403, 40301, RegistryAuthError),
        (500, 50001, RegistryServerError),
        (503, 50003, RegistryServerError),
        (429, 429, RegistryServerError),
        (400, 400, SchemaRegistryError),
    ],
)
def test_error_mapping(status: int, code: int, expected: type[SchemaRegistryError]):
    client = _answering(status, {"error_code": code, "message": "boom"})

    with pytest.raises(expected) as err:
        client.get_schema(1)

    assert type(err.value) is expected
    assert (err.value.status, err.value.error_code, err.value.message) == (status, code, "boom")
    assert isinstance(err.value, TransientError) == (expected is RegistryServerError)


def test_error_without_confluent_body_keeps_status_and_text():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>Bad gateway</html>")

    client = RegistryClient(REGISTRY_URL, transport=httpx.MockTransport(handler))

    with pytest.raises(RegistryServerError) as err:
        client.list_subjects()

    assert (err.value.status, err.value.error_code) == (502, 502)
    assert "Bad gateway" in err.value.message


def test_non_json_success_answer_is_explained():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>Welcome to nginx</html>")

    client = RegistryClient(REGISTRY_URL, transport=httpx.MockTransport(handler))

    with pytest.raises(SchemaRegistryError, match="not JSON.*is this a schema registry URL"):
        client.list_subjects()


def test_unreachable_registry_is_transient_and_names_url():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    client = RegistryClient("http://127.0.0.1:8081", transport=httpx.MockTransport(handler))

    with pytest.raises(RegistryUnavailableError) as err:
        client.get_schema(1)

    assert isinstance(err.value, TransientError)
    assert err.value.url == "http://127.0.0.1:8081"
    assert str(err.value).startswith("schema registry at http://127.0.0.1:8081 is unreachable: ")
    assert "Connection refused" in str(err.value)


def test_timeout_is_transient():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = RegistryClient(REGISTRY_URL, transport=httpx.MockTransport(handler))

    with pytest.raises(RegistryUnavailableError, match="timed out"):
        client.register("s", USER_V1)


def test_real_refused_connection_is_transient():
    client = RegistryClient("http://127.0.0.1:9", timeout=2.0)

    with pytest.raises(RegistryUnavailableError, match=r"127\.0\.0\.1:9 is unreachable"):
        client.list_subjects()
    client.close()


def test_basic_auth_and_extra_headers():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"[]")

    client = RegistryClient(
        REGISTRY_URL,
        auth=("alice", "s3cret"),
        headers={"X-Tenant": "t1"},
        transport=httpx.MockTransport(handler),
    )
    client.list_subjects()

    expected = "Basic " + base64.b64encode(b"alice:s3cret").decode()
    assert seen[0].headers["authorization"] == expected
    assert seen[0].headers["x-tenant"] == "t1"
    assert "application/vnd.schemaregistry.v1+json" in seen[0].headers["accept"]


@pytest.mark.parametrize("url", ["registry:8081", "http://a:1,http://b:2"])
def test_bad_url_is_a_config_error(url: str):
    with pytest.raises(ConfigError, match="schema.registry.url"):
        RegistryClient(url)


def test_trailing_slash_is_ignored(fake_registry: FakeRegistry):
    client = RegistryClient(REGISTRY_URL + "/", transport=fake_registry.transport())

    client.list_subjects()

    assert client.url == REGISTRY_URL
    assert fake_registry.requests[0].url.path == "/subjects"


def test_context_manager_closes():
    with RegistryClient(REGISTRY_URL) as client:
        assert client.url == REGISTRY_URL


def test_registry_errors_pickle():
    error = IncompatibleSchemaError(409, 409, "nope", f"{REGISTRY_URL}/subjects/x/versions")
    unreachable = RegistryUnavailableError("http://127.0.0.1:8081", "refused")

    for original in (error, unreachable):
        copy = pickle.loads(pickle.dumps(original))
        assert type(copy) is type(original)
        assert str(copy) == str(original)
        assert copy.__dict__ == original.__dict__
