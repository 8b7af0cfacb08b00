"""Connecting the herder to the task runtime (`runtime.runners.create_runner`).

Kept apart so the herder and the REST API never depend on the runtime: tests give the herder
a fake factory.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeway.connect.runtime.contract import TaskId, TaskRunner, WorkerSettings
from pipeway.connect.runtime.offsets import OffsetStore
from pipeway.connect.runtime.runners import create_runner
from pipeway.connect.worker.herder import RunnerFactory
from pipeway.connect.worker.validation import ValidatedConfig


def runtime_runner_factory(worker: WorkerSettings, offsets: OffsetStore) -> RunnerFactory:
    """A factory creating the runtime's runners, sharing this worker's offset store.

    The runner builds a fresh transform chain per task (chains may keep state).
    """

    def create(
        task_id: TaskId, config: ValidatedConfig, task_config: Mapping[str, Any]
    ) -> TaskRunner:
        return create_runner(
            task_id,
            config.connector_cls,
            config.settings,
            config.runtime,
            config.grouped,
            dict(task_config),
            worker,
            offsets,
        )

    return create
