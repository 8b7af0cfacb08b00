"""pytest fixtures giving tests a real Kafka broker and schema registry.

Session scoped: one broker and one registry per test run, started lazily on free ports and
stopped at the end. Tests keep out of each other's way with unique topic names
(``unique_topic``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from pipeway.platform.components.mariadb import MariaDbEndpoint
from pipeway.testing.services import LocalServices, create_topic, unique_name

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

BOOTSTRAP_ENV = "PIPEWAY_TEST_BOOTSTRAP_SERVERS"
REGISTRY_ENV = "PIPEWAY_TEST_REGISTRY_URL"
MARIADB_ENV = "PIPEWAY_TEST_MARIADB"


@pytest.fixture(scope="session")
def pipeway_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServices]:
    """The session's private platform (components start when a fixture first needs them)."""
    services = LocalServices(tmp_path_factory.mktemp("pipeway-platform"))
    yield services
    services.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(request: pytest.FixtureRequest) -> str:
    """``host:port`` of a real Kafka broker (``$PIPEWAY_TEST_BOOTSTRAP_SERVERS`` if set)."""
    external = os.environ.get(BOOTSTRAP_ENV)
    if external:
        return external
    services: LocalServices = request.getfixturevalue("pipeway_services")
    return services.bootstrap_servers()


@pytest.fixture(scope="session")
def registry_url(request: pytest.FixtureRequest, kafka_bootstrap: str) -> str:
    """URL of a real pipeway schema registry (``$PIPEWAY_TEST_REGISTRY_URL`` if set)."""
    external = os.environ.get(REGISTRY_ENV)
    if external:
        return external
    services: LocalServices = request.getfixturevalue("pipeway_services")
    return services.registry_url()


@pytest.fixture(scope="session")
def mariadb(request: pytest.FixtureRequest) -> MariaDbEndpoint:
    """A real MariaDB with a row binlog and the ``pipeway`` CDC user.

    ``$PIPEWAY_TEST_MARIADB`` (``host:port``) points at an existing server instead; it needs
    the same binlog settings, CDC user and an admin ``root`` without password.
    """
    external = os.environ.get(MARIADB_ENV)
    if external:
        host, _, port = external.rpartition(":")
        return MariaDbEndpoint(host=host, port=int(port))
    services: LocalServices = request.getfixturevalue("pipeway_services")
    return services.mariadb()


@pytest.fixture
def unique_topic(request: pytest.FixtureRequest) -> str:
    """A topic name used by this test only (not created: producers auto-create it)."""
    return unique_name(f"t-{request.node.name}")


@pytest.fixture
def make_topic(kafka_bootstrap: str, request: pytest.FixtureRequest) -> Callable[..., str]:
    """Create a uniquely named topic: ``make_topic(partitions=3, config={...})``."""

    def make(partitions: int = 1, config: dict[str, str] | None = None) -> str:
        name = unique_name(f"t-{request.node.name}")
        return create_topic(kafka_bootstrap, name, partitions, config)

    return make


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    """One SparkSession (``local[2]``, UI off) for the whole run: Spark starts in ~10 s once.

    Tests must not stop it or change static settings; give each streaming query its own
    checkpoint directory (``tmp_path``).
    """
    from pipeway.jobs.session import get_spark, stop_spark
    from pipeway.jobs.settings import SparkSettings

    settings = SparkSettings(
        master="local[2]",
        app_name="pipeway-tests",
        shuffle_partitions=2,
        ui_enabled=False,
        data_dir=tmp_path_factory.mktemp("pipeway-spark"),
    )
    session = get_spark(settings)
    yield session
    stop_spark()
