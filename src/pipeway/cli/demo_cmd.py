"""``pipeway demo``: bring the platform up, show records flowing, keep it running."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipeway.cli.common import DataDirOption, console, resolve_data_dir, user_errors
from pipeway.cli.platform_cmd import show_status
from pipeway.platform.config import PlatformConfig
from pipeway.platform.manager import Platform

if TYPE_CHECKING:
    from pipeway.demo.quickstart import ConsumeSummary, ProduceSummary


def demo(
    data_dir: DataDirOption = None,
    records: Annotated[int, typer.Option(help="How many Avro records to produce.")] = 5000,
    seconds: Annotated[
        float | None,
        typer.Option(
            envvar="DEMO_SECONDS",
            help="Stop after this many seconds (default: run until Ctrl-C).",
        ),
    ] = None,
    topic: Annotated[str, typer.Option(help="Topic to produce to.")] = "demo.tv.actions",
    keep: Annotated[
        bool, typer.Option(help="Leave the platform running when the demo ends.")
    ] = False,
) -> None:
    """Start the platform, produce Avro records through the registry, read them back."""
    with user_errors():
        platform = Platform(PlatformConfig.load(resolve_data_dir(data_dir)))
        console.rule("pipeway demo")
        show_status(platform.up(notify=lambda m: console.print(f"[dim]{m}[/]")), False)
        try:
            _flow(platform.config, topic, records)
            _wait(platform, seconds)
        finally:
            if not keep:
                console.print(f"stopped: {', '.join(platform.down())}")


def _flow(config: PlatformConfig, topic: str, records: int) -> None:
    from pipeway.demo import quickstart  # imported here: the serde stack is only needed now

    bootstrap, registry = config.bootstrap_servers, config.registry_url
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("producing", total=records)
        produced = quickstart.produce_actions(
            bootstrap, registry, topic, records, tick=lambda n: progress.advance(task, n)
        )
        progress.update(task, completed=records)
        task = progress.add_task("consuming", total=records)
        consumed = quickstart.consume_actions(
            bootstrap,
            registry,
            topic,
            produced.start_offsets,
            records,
            tick=lambda n: progress.update(task, completed=n),
        )
    _summary(produced, consumed)


def _summary(produced: ProduceSummary, consumed: ConsumeSummary) -> None:
    from pipeway.demo.quickstart import DemoError

    table = Table("", "value", title="records flowed through Kafka and the registry")
    table.add_row("topic", produced.topic)
    table.add_row("subject / schema id", f"{produced.subject} / {produced.schema_id}")
    table.add_row(
        "produced",
        f"{produced.records} in {produced.seconds:.2f} s "
        f"({produced.records / max(produced.seconds, 1e-9):,.0f}/s)",
    )
    table.add_row("consumed + decoded", f"{consumed.records} in {consumed.seconds:.2f} s")
    table.add_row("actions", ", ".join(f"{k}={v}" for k, v in sorted(consumed.by_action.items())))
    table.add_row("distinct users", str(consumed.distinct_users))
    table.add_row(
        "busiest channels",
        ", ".join(
            f"{c}:{n}" for c, n in sorted(consumed.by_channel.items(), key=lambda x: -x[1])[:5]
        ),
    )
    console.print(table)
    if consumed.records != produced.records:
        raise DemoError(
            f"read back {consumed.records} of {produced.records} records from {produced.topic}"
        )


def _wait(platform: Platform, seconds: float | None) -> None:
    stop = threading.Event()
    if seconds is not None:
        timer = threading.Timer(seconds, stop.set)
        timer.daemon = True
        timer.start()
        console.print(f"platform stays up for {seconds:g} s (DEMO_SECONDS)")
    else:
        console.print("platform is running; press Ctrl-C to stop")
    console.print(
        f"  kafka: {platform.config.bootstrap_servers}   "
        f"registry: {platform.config.registry_url}   data: {platform.config.data_dir}"
    )
    try:
        platform.supervise(stop, interval_s=min(2.0, seconds or 2.0))
    except KeyboardInterrupt:
        stop.set()
