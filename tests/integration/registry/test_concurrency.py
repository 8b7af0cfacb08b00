"""Two instances, many threads: ids stay unique and one schema never gets two ids."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.integration.registry.conftest import RegistryLauncher
from tests.integration.registry.helpers import HEADERS, record_schema

pytestmark = pytest.mark.integration

DISTINCT = 40
SHARED = 5  # schemas every thread registers too


def _register(url: str, subject: str, schema: str) -> int:
    response = httpx.post(
        f"{url}/subjects/{subject}/versions", json={"schema": schema}, headers=HEADERS, timeout=60
    )
    assert response.status_code == 200, response.text
    return int(response.json()["id"])


def test_concurrent_registrations_through_two_instances(
    registry_launcher: RegistryLauncher,
) -> None:
    one, two = registry_launcher.start(), registry_launcher.start()
    jobs = []
    for n in range(DISTINCT):
        schema = record_schema(f"Distinct{n}", ("v", "int"))
        jobs.append(((one, two)[n % 2].url, f"distinct-{n}-value", schema))
    for n in range(SHARED):
        schema = record_schema(f"Shared{n}", ("v", "string"))
        for copy in range(4):  # same subject and other subjects, through both instances
            subject = f"shared-{n}-value" if copy < 2 else f"shared-{n}-copy{copy}-value"
            jobs.append(((one, two)[copy % 2].url, subject, schema))

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(lambda job: _register(*job), jobs))

    distinct_ids = ids[:DISTINCT]
    assert len(set(distinct_ids)) == DISTINCT, "two schemas got the same id"
    shared_ids = [ids[DISTINCT + 4 * n : DISTINCT + 4 * n + 4] for n in range(SHARED)]
    for group in shared_ids:
        assert len(set(group)) == 1, f"one schema got several ids: {group}"
    assert not set(distinct_ids) & {g[0] for g in shared_ids}
    _assert_instances_agree(one.url, two.url, expected_subjects=DISTINCT + 3 * SHARED)


def _assert_instances_agree(first: str, second: str, expected_subjects: int) -> None:
    """Reads on the other instance are eventually consistent (tailing lag)."""
    deadline = time.monotonic() + 10
    while True:
        views = [httpx.get(f"{url}/subjects", headers=HEADERS).json() for url in (first, second)]
        if views[0] == views[1] and len(views[0]) == expected_subjects:
            break
        assert time.monotonic() < deadline, views
        time.sleep(0.1)
    for n in range(SHARED):  # registered twice in the same subject: one version
        url = f"{first}/subjects/shared-{n}-value/versions"
        assert httpx.get(url, headers=HEADERS).json() == [1]
