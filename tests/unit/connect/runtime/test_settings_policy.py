"""Runtime settings helpers shared by the unit tests."""

from __future__ import annotations

from typing import Any

from pipeway.connect.settings import RuntimeSettings


def runtime_settings(**keys: Any) -> RuntimeSettings:
    return RuntimeSettings.model_validate({"name": "orders", "connector.class": "x", **keys})


def test_defaults_fail_on_the_first_error() -> None:
    settings = runtime_settings()
    assert settings.errors_tolerance == "none"
    assert settings.errors_dlq_context_headers is True
