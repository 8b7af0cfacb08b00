"""`pipeway platform up` from cold to healthy, next to a bare Kafka JVM start.

Reference: the same Kafka broker started directly with ``java kafka.Kafka`` until it answers
a metadata request (what a hand-run ``kafka-server-start.sh`` gives). pipeway's figure is
the whole platform (Kafka + schema registry) through the CLI, from a new data directory
(storage formatting included) and again as a restart of an existing one.

Run: ``.venv/bin/python -m bench.platform_startup --runs 5``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import fresh_config, median, save
from pipeway.platform.components.kafka import KafkaComponent
from pipeway.platform.manager import Platform


def time_cli_up(data_dir: Path, ports: list[str]) -> float:
    """Seconds for ``pipeway platform up`` to return with everything healthy."""
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "pipeway", "platform", "up", "--data-dir", str(data_dir), *ports],
        check=True,
        capture_output=True,
    )
    return time.monotonic() - started


def time_bare_kafka(data_dir: Path) -> float:
    """Seconds from launching the broker JVM to its first metadata answer (pre-formatted)."""
    kafka = KafkaComponent(fresh_config(data_dir))
    kafka.prepare()
    started = time.monotonic()
    kafka.process.start(kafka.command(), cwd=kafka.home)
    try:
        kafka.wait_healthy(60)
        return time.monotonic() - started
    finally:
        kafka.process.stop()


def one_round() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="pipeway-bench-") as tmp:
        config = fresh_config(Path(tmp) / "pw")
        ports = [
            "--kafka-port",
            str(config.kafka_port),
            "--kafka-controller-port",
            str(config.kafka_controller_port),
            "--registry-port",
            str(config.registry_port),
            "--mariadb-port",
            str(config.mariadb_port),
            "--connect-port",
            str(config.connect_port),
        ]
        platform = Platform(config)
        cold = time_cli_up(config.data_dir, ports)
        platform.down()
        restart = time_cli_up(config.data_dir, ports)
        platform.down()
        bare = time_bare_kafka(Path(tmp) / "bare")
    return {"cold": cold, "restart": restart, "bare_kafka": bare}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rounds = [one_round() for _ in range(args.runs)]
    result = {k: median([r[k] for r in rounds]) for k in rounds[0]}
    result["ratio_cold_vs_bare_kafka"] = result["cold"] / result["bare_kafka"]
    save("platform_startup", {"runs": rounds, "median": result})
    print(f"runs={args.runs}")
    for key, value in result.items():
        print(f"{key:>26}: {value:.2f}")


if __name__ == "__main__":
    main()
