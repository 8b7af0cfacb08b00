"""The Kafka component against the real broker jars."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeway.platform.components import kafka as kafka_module
from pipeway.platform.config import PlatformConfig
from pipeway.platform.ports import free_port


def test_storage_formats_with_a_cluster_id_starting_with_a_dash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kafka_module, "kafka_uuid", lambda: "-AbCdEfGhIjKlMnOpQrStU")
    config = PlatformConfig(
        data_dir=tmp_path, kafka_port=free_port(), kafka_controller_port=free_port()
    )
    component = kafka_module.KafkaComponent(config)
    component.prepare()
    meta = (component.log_dirs / "meta.properties").read_text()
    assert "cluster.id=-AbCdEfGhIjKlMnOpQrStU" in meta


def test_server_properties_use_the_configured_ports(tmp_path: Path) -> None:
    config = PlatformConfig(
        data_dir=tmp_path, kafka_port=free_port(), kafka_controller_port=free_port()
    )
    component = kafka_module.KafkaComponent(config)
    component.prepare()
    props = component.properties_file.read_text()
    assert f"PLAINTEXT://127.0.0.1:{config.kafka_port}" in props
    assert f"CONTROLLER://127.0.0.1:{config.kafka_controller_port}" in props
    assert "transaction.state.log.replication.factor=1" in props
