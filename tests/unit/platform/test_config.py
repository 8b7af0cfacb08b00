from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeway.platform.config import PlatformConfig
from pipeway.platform.paths import cache_dir, data_dir


def test_save_and_load_round_trip_with_overrides(tmp_path: Path) -> None:
    PlatformConfig(data_dir=tmp_path, kafka_port=19092, registry_port=18081).save()
    loaded = PlatformConfig.load(tmp_path, registry_port=18082, kafka_port=None)
    assert loaded.kafka_port == 19092
    assert loaded.registry_port == 18082
    assert loaded.bootstrap_servers == "127.0.0.1:19092"
    assert loaded.registry_url == "http://127.0.0.1:18082"


def test_defaults_match_the_well_known_ports(tmp_path: Path) -> None:
    config = PlatformConfig.load(tmp_path)
    assert (config.kafka_port, config.registry_port) == (9092, 8081)


@pytest.mark.parametrize(
    "field, value", [("kafka_port", 0), ("registry_port", 70000), ("kafka_heap", "lots")]
)
def test_invalid_values_name_the_field(tmp_path: Path, field: str, value: object) -> None:
    with pytest.raises(ValidationError) as err:
        PlatformConfig(data_dir=tmp_path, **{field: value})
    assert field in str(err.value)


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="kafka_prot"):
        PlatformConfig(data_dir=tmp_path, kafka_prot=1)


def test_data_dir_and_cache_dir_follow_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIPEWAY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PIPEWAY_CACHE", str(tmp_path / "cache"))
    assert data_dir() == tmp_path / "home"
    assert data_dir(tmp_path / "x") == tmp_path / "x"
    assert cache_dir() == tmp_path / "cache"
    monkeypatch.delenv("PIPEWAY_HOME")
    monkeypatch.chdir(tmp_path)
    assert data_dir() == tmp_path / ".pipeway"
