"""``pipeway connect worker | apply | status | list | delete | pause | resume | restart``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from pipeway.cli.common import JsonOption, console, err_console, print_json, user_errors
from pipeway.connect.worker.client import Applied, ConnectApiError, ConnectClient

app = typer.Typer(help="Run a connect worker and manage its connectors (Kafka Connect's API).")

URL_ENV = "PIPEWAY_CONNECT_URL"
UrlOption = Annotated[
    str,
    typer.Option("--url", envvar=URL_ENV, help="The worker's REST API."),
]
NameArg = Annotated[str, typer.Argument(help="Connector name.")]
DEFAULT_URL = "http://127.0.0.1:8083"


@contextmanager
def _client(url: str) -> Iterator[ConnectClient]:
    client = ConnectClient(url)
    try:
        with user_errors():
            yield client
    finally:
        client.close()


@app.command()
def worker(
    config: Annotated[
        Path | None, typer.Option("--config", help="worker.properties (Kafka Connect keys).")
    ] = None,
    bootstrap_servers: Annotated[str | None, typer.Option(help="Kafka bootstrap servers.")] = None,
    registry_url: Annotated[str | None, typer.Option(help="Schema registry URL.")] = None,
    group_id: Annotated[str | None, typer.Option(help="Workers sharing tasks (group.id).")] = None,
    rest_host: Annotated[str | None, typer.Option(help="Interface of the REST API.")] = None,
    rest_port: Annotated[int | None, typer.Option(help="Port of the REST API (8083).")] = None,
    worker_id: Annotated[str | None, typer.Option(help="Worker id (default host:port).")] = None,
) -> None:
    """Run a connect worker in the foreground until Ctrl-C."""
    from pipeway.connect.worker.__main__ import settings_from
    from pipeway.connect.worker.server import serve

    with user_errors():
        settings = settings_from(
            config,
            bootstrap_servers=bootstrap_servers,
            registry_url=registry_url,
            group_id=group_id,
            rest_host=rest_host,
            rest_port=rest_port,
            worker_id=worker_id,
        )
    raise typer.Exit(serve(settings))


@app.command()
def apply(
    pipeline: Annotated[Path, typer.Argument(help="Pipeline YAML: connectors: [{name, config}].")],
    url: UrlOption = DEFAULT_URL,
    as_json: JsonOption = False,
) -> None:
    """Create or update every connector of a pipeline file; exit 1 if any is invalid."""
    from pipeway.connect.worker.pipeline import load_pipeline

    with user_errors():
        spec = load_pipeline(pipeline)
    results: list[dict[str, Any]] = []
    with _client(url) as client:
        for connector in spec.connectors:
            results.append(_apply_one(client, connector.name, connector.config))
    _show_applied(results, as_json)
    if any(r["result"] == "invalid" for r in results):
        raise typer.Exit(1)


def _apply_one(client: ConnectClient, name: str, config: dict[str, Any]) -> dict[str, Any]:
    try:
        outcome: Applied = client.apply(name, config)
    except ConnectApiError as exc:
        if exc.status != 400:
            raise
        return {"name": name, "result": "invalid", "error": exc.message}
    return {"name": name, "result": outcome}


def _show_applied(results: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json({"connectors": results})
        return
    colours = {"created": "green", "updated": "yellow", "unchanged": "dim", "invalid": "red"}
    for r in results:
        console.print(f"{r['name']}: [{colours[r['result']]}]{r['result']}[/]", highlight=False)
        if r["result"] == "invalid":
            err_console.print(r["error"], highlight=False, markup=False)


@app.command()
def status(
    name: Annotated[str | None, typer.Argument(help="One connector (default: all).")] = None,
    url: UrlOption = DEFAULT_URL,
    as_json: JsonOption = False,
) -> None:
    """Connector and task states; exit 1 when something failed."""
    with _client(url) as client:
        statuses = [client.status(name)] if name else client.statuses()
    if as_json:
        print_json(statuses)
    else:
        _status_table(statuses)
    failed = any(
        s["connector"]["state"] == "FAILED" or any(t["state"] == "FAILED" for t in s["tasks"])
        for s in statuses
    )
    if failed:
        raise typer.Exit(1)


def _status_table(statuses: list[dict[str, Any]]) -> None:
    table = Table("connector", "type", "state", "worker", "tasks")
    for s in statuses:
        states = [t["state"] for t in s["tasks"]]
        running = sum(state == "RUNNING" for state in states)
        failed = [str(t["id"]) for t in s["tasks"] if t["state"] == "FAILED"]
        tasks = f"{running}/{len(states)} running" + (
            f", failed: {','.join(failed)}" if failed else ""
        )
        state = s["connector"]["state"]
        colour = {"RUNNING": "green", "FAILED": "red"}.get(state, "yellow")
        table.add_row(
            s["name"], s["type"], f"[{colour}]{state}[/]", s["connector"]["worker_id"], tasks
        )
    console.print(table)


@app.command(name="list")
def list_connectors(url: UrlOption = DEFAULT_URL, as_json: JsonOption = False) -> None:
    """Names of the connectors."""
    with _client(url) as client:
        names = client.names()
    if as_json:
        print_json(names)
    else:
        for n in names:
            console.print(n, highlight=False)


@app.command()
def delete(name: NameArg, url: UrlOption = DEFAULT_URL) -> None:
    """Delete a connector (its tasks stop; offsets are kept)."""
    with _client(url) as client:
        client.delete(name)
    console.print(f"deleted {name}")


@app.command()
def pause(name: NameArg, url: UrlOption = DEFAULT_URL) -> None:
    """Pause a connector's tasks."""
    with _client(url) as client:
        client.pause(name)
    console.print(f"pausing {name}")


@app.command()
def resume(name: NameArg, url: UrlOption = DEFAULT_URL) -> None:
    """Resume a paused connector."""
    with _client(url) as client:
        client.resume(name)
    console.print(f"resuming {name}")


@app.command()
def restart(
    name: NameArg,
    url: UrlOption = DEFAULT_URL,
    include_tasks: Annotated[
        bool, typer.Option("--include-tasks/--connector-only", help="Restart the tasks too.")
    ] = True,
    only_failed: Annotated[bool, typer.Option(help="Only what has FAILED.")] = False,
) -> None:
    """Restart a connector and (by default) its tasks."""
    with _client(url) as client:
        client.restart(name, include_tasks, only_failed)
    console.print(f"restarting {name}")
