from __future__ import annotations

from pathlib import Path

import pytest

from pipeway.connect.worker.__main__ import settings_from
from pipeway.connect.worker.assignment import connector_partition, task_partition
from pipeway.connect.worker.exceptions import WorkerConfigError
from pipeway.connect.worker.worker import worker_id_of


def test_flags_override_the_file(tmp_path: Path) -> None:
    path = tmp_path / "w.properties"
    path.write_text("bootstrap.servers=k:9\ngroup.id=from-file\nrest.port=1234\n")
    settings = settings_from(path, group_id="from-flag", rest_port=None)
    assert settings.bootstrap_servers == "k:9"
    assert settings.group_id == "from-flag"
    assert worker_id_of(settings) == "127.0.0.1:1234"


def test_unknown_worker_key_is_named(tmp_path: Path) -> None:
    path = tmp_path / "w.properties"
    path.write_text("key.converter=json\n")
    with pytest.raises(WorkerConfigError, match=r"key\.converter"):
        settings_from(path)


def test_tasks_of_a_connector_use_distinct_consecutive_partitions() -> None:
    parts = [task_partition("orders", n) for n in range(16)]
    assert sorted(parts) == list(range(16))
    assert parts[0] == connector_partition("orders")
