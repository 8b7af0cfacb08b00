from pathlib import Path

import pytest

from pipeway.platform.config import PlatformConfig
from pipeway.platform.exceptions import PlatformError, UnknownComponent
from pipeway.platform.manager import Platform


def _platform(tmp_path: Path) -> Platform:
    return Platform(PlatformConfig(data_dir=tmp_path))


def test_select_keeps_start_order(tmp_path: Path) -> None:
    platform = _platform(tmp_path)
    assert [c.name for c in platform.select()] == ["kafka", "registry", "mariadb", "connect"]
    assert [c.name for c in platform.select(only=["registry", "kafka"])] == ["kafka", "registry"]
    assert [c.name for c in platform.select(skip=["registry", "mariadb", "connect"])] == ["kafka"]


def test_unknown_component_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(UnknownComponent, match="unknown component.*kafak.*known: kafka, registry"):
        _platform(tmp_path).select(only=["kafak"])


def test_status_of_a_stopped_platform(tmp_path: Path) -> None:
    statuses = _platform(tmp_path).status()
    assert [(s.name, s.state, s.healthy, s.pid) for s in statuses] == [
        ("kafka", "stopped", False, None),
        ("registry", "stopped", False, None),
        ("mariadb", "stopped", False, None),
        ("connect", "stopped", False, None),
    ]
    assert statuses[1].url == "http://127.0.0.1:8081"


def test_registry_alone_needs_kafka_running(tmp_path: Path) -> None:
    platform = _platform(tmp_path)
    with pytest.raises(PlatformError, match="registry needs kafka, which is not running"):
        platform.up(only=["registry"])


def test_cluster_ids_have_kafkas_uuid_shape() -> None:
    from pipeway.platform.components.kafka import kafka_uuid

    ids = {kafka_uuid() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 22 and "=" not in i for i in ids)
