"""Bad input gets Confluent's 4xx codes; an unreachable Kafka stops the start, clearly."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from pipeway.platform.ports import free_port
from tests.integration.registry.conftest import RegistryProcess
from tests.integration.registry.helpers import HEADERS, error_of, http

pytestmark = pytest.mark.integration


def test_malformed_schema_is_42201(registry: RegistryProcess) -> None:
    with http(registry.url) as client:
        for schema in (
            '{"type":"record","name":"R","fields":[{"name":"a"}]}',
            "{",
            '{"type":"nope"}',
        ):
            response = client.post("/subjects/bad-value/versions", json={"schema": schema})
            assert error_of(response) == (422, 42201), response.text


@pytest.mark.parametrize(
    "body", [b"not json", b"{", b"\x00\x01", b'["schema"]', b'{"schema": 1}', b""]
)
def test_non_json_body_is_4xx_never_500(registry: RegistryProcess, body: bytes) -> None:
    for path in ("/subjects/x/versions", "/subjects/x", "/compatibility/subjects/x/versions/1"):
        response = httpx.post(registry.url + path, content=body, headers=HEADERS)
        assert 400 <= response.status_code < 500, (path, body, response.text)
        assert isinstance(response.json()["error_code"], int)


def test_dead_broker_gives_a_clear_error_at_start() -> None:
    dead = f"127.0.0.1:{free_port()}"
    result = subprocess.run(
        [
            sys.executable, "-m", "pipeway.registry",
            "--bootstrap-servers", dead,
            "--port", str(free_port()),
            "--kafka-timeout", "3",
        ],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert f"cannot reach Kafka at {dead}" in result.stderr
