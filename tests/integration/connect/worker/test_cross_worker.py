"""Any worker answers for every task: statuses from the status topic, metrics forwarded."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.connect.worker.conftest import StartWorker, task_states
from tests.integration.connect.worker.test_prompt_lifecycle import _split_name, _start, _two_workers

pytestmark = pytest.mark.integration


def test_status_and_metrics_of_every_task_from_either_worker(
    start_worker: StartWorker, unique_topic: str
) -> None:
    a, b = _two_workers(start_worker)
    name = _split_name(a, "where")
    _start(a, name, unique_topic)
    runs_on = {t.task: w.worker.worker_id for w in (a, b) for t in w.worker.herder.tasks.ids()}
    assert set(runs_on) == {0, 1, 2, 3} and len(set(runs_on.values())) == 2
    for asked in (a, b):
        assert task_states(asked.url, name) == [("RUNNING", runs_on[n]) for n in range(4)]
        for n in range(4):
            response = httpx.get(f"{asked.url}/connectors/{name}/tasks/{n}/metrics", timeout=10)
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["worker_id"] == runs_on[n]
            assert body["metrics"]["records_polled_total"] > 0
