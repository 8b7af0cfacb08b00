"""``pipeway setup``: check prerequisites and resolve every engine's jars into the cache."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from pipeway.cli.common import JsonOption, console, print_json, user_errors
from pipeway.platform import artifacts
from pipeway.platform.manager import ENGINES
from pipeway.platform.prereqs import java_executable, maven_executable

JOB_ENGINES = ("spark",)
"""Engines that are no platform process but that jobs load (Spark's Kafka/Avro connectors)."""


def setup(
    engine: Annotated[
        list[str] | None,
        typer.Option(
            "--engine",
            help="Resolve these engines (default: those the platform runs and the Spark "
            "connectors jobs load; e.g. --engine debezium for the CDC benchmark).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check Java and Maven, then resolve the pinned JVM jars (offline once cached)."""
    with user_errors():
        java, mvn = java_executable(), maven_executable()
        names = engine or sorted({*ENGINES.values(), *JOB_ENGINES})
        results = {name: str(_resolve(name, as_json)) for name in names}
    if as_json:
        print_json({"java": str(java), "maven": str(mvn), "engines": results})
        return
    for name, path in results.items():
        console.print(f"{name}: {path}")


def _resolve(engine: str, quiet: bool) -> object:
    if artifacts.is_resolved(engine) or quiet:
        return artifacts.resolve(engine)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(f"resolving {engine} jars", total=None)
        count = 0

        def on_artifact(name: str) -> None:
            nonlocal count
            count += 1
            progress.update(task, description=f"resolving {engine} jars: {count} ({name})")

        return artifacts.resolve(engine, on_artifact)
