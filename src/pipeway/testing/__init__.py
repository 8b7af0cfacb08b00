"""Test harness: real Kafka and schema registry on free ports, as pytest fixtures.

Loaded automatically by pytest (``pytest11`` entry point ``pipeway``), so integration tests
of pipeway and of users' own connectors share it. Point at existing services instead with
``PIPEWAY_TEST_BOOTSTRAP_SERVERS`` and ``PIPEWAY_TEST_REGISTRY_URL``.
"""

from pipeway.testing.services import LocalServices, unique_name

__all__ = ["LocalServices", "unique_name"]
