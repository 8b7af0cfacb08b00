"""``python -m pipeway.connect.worker``: run one connect worker (what the platform starts)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from pipeway.connect.runtime.contract import WorkerSettings
from pipeway.connect.worker.exceptions import WorkerConfigError
from pipeway.connect.worker.properties import read_properties
from pipeway.connect.worker.server import serve
from pipeway.errors import validation_problems

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
FLAG_KEYS = {
    "bootstrap_servers": "bootstrap.servers",
    "registry_url": "schema.registry.url",
    "group_id": "group.id",
    "rest_host": "rest.host.name",
    "rest_port": "rest.port",
    "worker_id": "worker.id",
}


def settings_from(config: Path | None = None, **flags: object) -> WorkerSettings:
    """``worker.properties`` values overridden by the flags that were given.

    Raises:
        WorkerConfigError: the file cannot be read, or a key is unknown or invalid.
    """
    values: dict[str, object] = dict(read_properties(config)) if config else {}
    values.update({FLAG_KEYS[k]: v for k, v in flags.items() if v is not None})
    try:
        return WorkerSettings.model_validate(values)
    except ValidationError as exc:
        raise WorkerConfigError(f"invalid worker settings: {validation_problems(exc)}") from exc


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m pipeway.connect.worker")
    parser.add_argument("--config", type=Path, help="worker.properties file")
    parser.add_argument("--bootstrap-servers")
    parser.add_argument("--registry-url")
    parser.add_argument("--group-id")
    parser.add_argument("--rest-host")
    parser.add_argument("--rest-port", type=int)
    parser.add_argument("--worker-id")
    parser.add_argument("--log-level", default="info")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format=LOG_FORMAT, stream=sys.stderr)
    flags = {k: getattr(args, k) for k in FLAG_KEYS}
    try:
        settings = settings_from(args.config, **flags)
    except WorkerConfigError as exc:
        print(f"pipeway connect worker: {exc}", file=sys.stderr)
        return 2
    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())
