from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from pipeway.errors import PipewayError, TransientError
from pipeway.registry import RegistrySettings, create_app
from pipeway.registry import exceptions as errors
from pipeway.registry.exceptions import RegistryError
from pipeway.registry.state import RegistryState
from tests.unit.registry.conftest import V1, avro_record
from tests.unit.registry.memory_log import InMemoryLog

EXPECTED: list[tuple[RegistryError, int, int]] = [
    (errors.SubjectNotFoundError("s"), 404, 40401),
    (errors.VersionNotFoundError(3), 404, 40402),
    (errors.SchemaNotFoundError(9), 404, 40403),
    (errors.SubjectSoftDeletedError("s"), 404, 40404),
    (errors.SubjectNotSoftDeletedError("s"), 404, 40405),
    (errors.VersionSoftDeletedError("s", 1), 404, 40406),
    (errors.VersionNotSoftDeletedError("s", 1), 404, 40407),
    (errors.SubjectCompatibilityNotConfiguredError("s"), 404, 40408),
    (errors.SubjectModeNotConfiguredError("s"), 404, 40409),
    (errors.IncompatibleSchemaError("x"), 409, 40901),
    (errors.InvalidSchemaError("x"), 422, 42201),
    (errors.InvalidVersionError("0"), 422, 42202),
    (errors.InvalidCompatibilityLevelError(), 422, 42203),
    (errors.InvalidModeError(), 422, 42204),
    (errors.OperationNotPermittedError("x"), 422, 42205),
    (errors.ReferenceExistsError("x"), 422, 42206),
    (errors.IdDoesNotMatchError("x"), 422, 42207),
    (errors.StoreError("x"), 500, 50001),
    (errors.StoreTimeoutError("x"), 500, 50002),
]


@pytest.mark.parametrize(("error", "status", "code"), EXPECTED)
def test_error_codes_match_confluent(error: RegistryError, status: int, code: int) -> None:
    assert (error.status, error.error_code) == (status, code)
    assert isinstance(error, PipewayError)


def test_confluent_messages() -> None:
    assert errors.SubjectNotFoundError("s").message == "Subject 's' not found."
    assert errors.VersionNotFoundError(2).message == "Version 2 not found."
    assert errors.SchemaNotFoundError().message == "Schema not found"
    assert "2^31-1" in errors.InvalidVersionError("0").message


def test_store_errors_are_transient() -> None:
    assert isinstance(errors.StoreError("x"), TransientError)
    assert not isinstance(errors.InvalidSchemaError("x"), TransientError)


class FailingLog(InMemoryLog):
    """A log whose writes fail the way a broken Kafka would."""

    def __init__(self, state: RegistryState, error: Exception) -> None:
        super().__init__(state)
        self.error = error

    async def write(self, plan: Callable[[], Any]) -> Any:
        raise self.error


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (errors.StoreError("Error in the backend data store"), 500, 50001),
        (errors.StoreTimeoutError("Operation timed out"), 500, 50002),
        (RuntimeError("bug"), 500, 500),
    ],
)
def test_store_failures_answer_json(error: Exception, status: int, code: int) -> None:
    settings = RegistrySettings(bootstrap_servers="unused:9092")
    app = create_app(settings, lambda _s, state: FailingLog(state, error))
    with TestClient(app, headers={"Content-Type": V1}, raise_server_exceptions=False) as client:
        response = client.post(
            "/subjects/s/versions", json={"schema": avro_record("R", ("a", "int"))}
        )
    assert response.status_code == status
    assert response.json()["error_code"] == code
