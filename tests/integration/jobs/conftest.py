from __future__ import annotations

import pytest

from pipeway.jobs.settings import KafkaSettings


@pytest.fixture
def kafka(kafka_bootstrap: str, registry_url: str) -> KafkaSettings:
    """The test broker and registry as the jobs API takes them."""
    return KafkaSettings(bootstrap_servers=kafka_bootstrap, registry_url=registry_url)
