"""The ``pipeway`` command line."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from pipeway import __version__
from pipeway.cli import connect_cmd, demo_cmd, jobs_cmd, platform_cmd, setup_cmd

app = typer.Typer(
    name="pipeway",
    help="pipeway: every source in Kafka with a registered schema, Spark jobs, sinks.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(platform_cmd.app, name="platform")
app.add_typer(connect_cmd.app, name="connect")
app.add_typer(jobs_cmd.app, name="jobs")
app.command(name="setup")(setup_cmd.setup)
app.command(name="demo")(demo_cmd.demo)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pipeway {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug details.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Run pipelines locally on real Kafka, a schema registry and Spark."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
