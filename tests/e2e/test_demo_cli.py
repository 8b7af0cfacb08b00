"""``pipeway demo`` as ``make demo`` runs it, bounded by --seconds."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import Run


def test_demo_shows_records_flowing_and_stops_the_platform(
    cli: Run, port_flags: list[str], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    ports = dict(zip(port_flags[::2], port_flags[1::2], strict=True))
    (home / "platform.json").write_text(
        json.dumps(
            {
                "data_dir": str(home),
                "kafka_port": int(ports["--kafka-port"]),
                "kafka_controller_port": int(ports["--kafka-controller-port"]),
                "registry_port": int(ports["--registry-port"]),
                "mariadb_port": int(ports["--mariadb-port"]),
                "connect_port": int(ports["--connect-port"]),
            }
        )
    )
    proc = cli("demo", "--records", "3000", env={"DEMO_SECONDS": "1", "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "records flowed through Kafka and the registry" in proc.stdout
    assert "demo.tv.actions-value" in proc.stdout
    assert "3000 in" in proc.stdout  # produced and consumed counts
    assert proc.stdout.count("3000 in") == 2
    assert "stopped: connect, mariadb, registry, kafka" in proc.stdout

    again = cli("demo", "--records", "1000", "--seconds", "0", "--keep")
    try:
        assert again.returncode == 0, again.stdout + again.stderr
        assert again.stdout.count("1000 in") == 2  # only this run's records are read back
    finally:
        cli("platform", "down")
