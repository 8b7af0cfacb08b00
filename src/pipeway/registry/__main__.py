"""``python -m pipeway.registry``: serve the registry with uvicorn (uvloop + httptools).

Settings travel to uvicorn's worker processes through one environment variable, so
``--workers N`` runs N independent instances (each tails the log; writes fence each other).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

import uvicorn

from pipeway.registry.api import create_app
from pipeway.registry.exceptions import StoreUnavailableError
from pipeway.registry.hot_paths import HotPaths
from pipeway.registry.settings import RegistrySettings
from pipeway.registry.topic import ensure_topic

SETTINGS_ENV = "PIPEWAY_REGISTRY_SETTINGS"
LOG_FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s %(message)s"


def parse_args(argv: list[str] | None = None) -> tuple[RegistrySettings, str]:
    parser = argparse.ArgumentParser(
        prog="python -m pipeway.registry", description="Confluent-compatible schema registry"
    )
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--topic", default="_schemas")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--instance-id", default=None)
    parser.add_argument("--default-compatibility", default="BACKWARD")
    parser.add_argument("--kafka-timeout", type=float, default=10.0, help="seconds per Kafka call")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    fields = {
        "bootstrap_servers": args.bootstrap_servers,
        "host": args.host,
        "port": args.port,
        "topic": args.topic,
        "workers": args.workers,
        "default_compatibility": args.default_compatibility,
        "kafka_timeout_s": args.kafka_timeout,
    }
    if args.instance_id:
        fields["instance_id"] = args.instance_id
    return RegistrySettings.model_validate(fields), args.log_level


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format=LOG_FORMAT, stream=sys.stderr)


def app_from_env() -> HotPaths:
    """uvicorn factory, run in every worker process."""
    settings = RegistrySettings.model_validate_json(os.environ[SETTINGS_ENV])
    configure_logging(os.environ.get(SETTINGS_ENV + "_LOG_LEVEL", "info"))
    if settings.workers > 1:  # each worker is its own instance
        settings = settings.model_copy(
            update={"instance_id": f"{settings.instance_id}-{os.getpid()}"}
        )
    return create_app(settings)


def main(argv: list[str] | None = None) -> int:
    settings, log_level = parse_args(argv)
    configure_logging(log_level)
    try:
        ensure_topic(settings)  # fail once, clearly, before any worker starts
    except StoreUnavailableError as exc:
        print(f"pipeway registry: cannot start: {exc}", file=sys.stderr)
        return 2
    os.environ[SETTINGS_ENV] = settings.model_dump_json()
    os.environ[SETTINGS_ENV + "_LOG_LEVEL"] = log_level
    uvicorn.run(
        "pipeway.registry.__main__:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_config=None,
        log_level=log_level,
        lifespan="on",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
