"""``pipeway platform up | down | status | logs``."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pipeway.cli.common import (
    DataDirOption,
    JsonOption,
    console,
    print_json,
    resolve_data_dir,
    split_names,
    user_errors,
)
from pipeway.platform.components.base import ComponentStatus
from pipeway.platform.config import PlatformConfig
from pipeway.platform.manager import Platform

app = typer.Typer(
    help="Run the local platform: Kafka (KRaft), schema registry, MariaDB, connect worker."
)

OnlyOption = Annotated[
    list[str] | None,
    typer.Option("--only", help="Only these components (repeat or comma-separate)."),
]
SkipOption = Annotated[list[str] | None, typer.Option("--skip", help="Leave these components out.")]


def _platform(data_dir: Path | None, **overrides: object) -> Platform:
    return Platform(PlatformConfig.load(resolve_data_dir(data_dir), **overrides))


def _uptime(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def show_status(statuses: list[ComponentStatus], as_json: bool) -> None:
    if as_json:
        print_json(statuses)
        return
    table = Table("component", "state", "url", "pid", "uptime")
    for s in statuses:
        colour = "green" if s.healthy else ("yellow" if s.state == "unhealthy" else "dim")
        table.add_row(
            s.name, f"[{colour}]{s.state}[/]", s.url, str(s.pid or "-"), _uptime(s.uptime_s)
        )
    console.print(table)


@app.command()
def up(
    data_dir: DataDirOption = None,
    only: OnlyOption = None,
    skip: SkipOption = None,
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    kafka_port: Annotated[int | None, typer.Option(help="Kafka port (default 9092).")] = None,
    kafka_controller_port: Annotated[
        int | None, typer.Option(help="KRaft controller port (default 9093).")
    ] = None,
    registry_port: Annotated[
        int | None, typer.Option(help="Schema registry port (default 8081).")
    ] = None,
    mariadb_port: Annotated[int | None, typer.Option(help="MariaDB port (default 3306).")] = None,
    connect_port: Annotated[
        int | None, typer.Option(help="Connect worker REST port (default 8083).")
    ] = None,
    foreground: Annotated[
        bool, typer.Option(help="Stay attached, restart crashed components, stop on Ctrl-C.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Start the platform and return once every component is healthy (idempotent)."""
    with user_errors():
        platform = _platform(
            data_dir,
            host=host,
            kafka_port=kafka_port,
            kafka_controller_port=kafka_controller_port,
            registry_port=registry_port,
            mariadb_port=mariadb_port,
            connect_port=connect_port,
        )
        started = time.monotonic()
        notify = None if as_json else (lambda msg: console.print(f"[dim]{msg}[/]"))
        statuses = platform.up(split_names(only), split_names(skip), notify=notify)
        if not as_json:
            console.print(f"platform healthy in {time.monotonic() - started:.1f} s")
        show_status(statuses, as_json)
        if foreground:
            _run_foreground(platform, split_names(only), split_names(skip))


def _run_foreground(platform: Platform, only: list[str] | None, skip: list[str] | None) -> None:
    stop = threading.Event()
    console.print("supervising; press Ctrl-C to stop the platform")
    try:
        platform.supervise(stop, only, skip)
    except KeyboardInterrupt:
        stop.set()
    finally:
        stopped = platform.down(only, skip)
        console.print(f"stopped: {', '.join(stopped) or 'nothing'}")


@app.command()
def down(
    data_dir: DataDirOption = None,
    only: OnlyOption = None,
    skip: SkipOption = None,
    as_json: JsonOption = False,
) -> None:
    """Stop the platform's components cleanly (SIGTERM, then SIGKILL after a timeout)."""
    with user_errors():
        stopped = _platform(data_dir).down(split_names(only), split_names(skip))
        if as_json:
            print_json({"stopped": stopped})
        else:
            console.print(f"stopped: {', '.join(stopped) or 'nothing was running'}")


@app.command()
def status(
    data_dir: DataDirOption = None,
    only: OnlyOption = None,
    skip: SkipOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show each component with state, url, pid and uptime. Exit code 1 if any is unhealthy."""
    with user_errors():
        statuses = _platform(data_dir).status(split_names(only), split_names(skip))
    show_status(statuses, as_json)
    if not all(s.healthy for s in statuses):
        raise typer.Exit(1)


@app.command()
def logs(
    component: Annotated[str, typer.Argument(help="kafka, registry, mariadb or connect.")],
    data_dir: DataDirOption = None,
    lines: Annotated[int, typer.Option("--lines", "-n", help="How many lines.")] = 50,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new lines.")
    ] = False,
) -> None:
    """Print the last lines of a component's log (and follow it with -f)."""
    with user_errors():
        target = _platform(data_dir).select([component])[0]
    console.print(target.process.log_tail(lines), highlight=False, markup=False)
    if follow:
        _follow(target.log_file)


def _follow(path: Path) -> None:
    with path.open(errors="replace") as handle:
        handle.seek(0, 2)
        try:
            while True:
                line = handle.readline()
                if line:
                    console.print(line.rstrip("\n"), highlight=False, markup=False)
                else:
                    time.sleep(0.3)
        except KeyboardInterrupt:
            return
