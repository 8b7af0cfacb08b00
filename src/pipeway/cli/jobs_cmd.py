"""``pipeway jobs run | list | stop``: Spark jobs (Python modules or SQL files)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from pipeway.cli.common import DataDirOption, JsonOption, console, print_json, user_errors

app = typer.Typer(help="Run Spark streaming jobs over pipeway topics and manage them.")

JobArg = Annotated[
    str,
    typer.Argument(help="A .py or .sql file, a registered job name, or package.module[:function]."),
]


def _kafka_settings(
    data_dir: Path | None, bootstrap_servers: str | None, registry_url: str | None
) -> Any:
    """Explicit endpoints, else those of the local platform (``platform.json``)."""
    from pipeway.jobs.settings import KafkaSettings
    from pipeway.platform.config import PlatformConfig
    from pipeway.platform.paths import data_dir as resolve

    platform = PlatformConfig.load(resolve(data_dir))
    return KafkaSettings(
        bootstrap_servers=bootstrap_servers or platform.bootstrap_servers,
        registry_url=registry_url or platform.registry_url,
    )


def _options(pairs: list[str]) -> dict[str, str]:
    """``key=value`` pairs of ``--option`` as a dict (a later key wins)."""
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{pair!r} is not key=value", param_hint="--option")
        options[key.strip()] = value
    return options


@app.command()
def run(
    job: JobArg,
    once: Annotated[
        bool, typer.Option("--once", help="Process what the topics hold now, then exit.")
    ] = False,
    until_idle: Annotated[
        bool,
        typer.Option("--until-idle", help="Repeat passes until one finds no new input, then exit."),
    ] = False,
    name: Annotated[str | None, typer.Option(help="Job name (default from the file).")] = None,
    trigger: Annotated[str, typer.Option(help="Micro-batch interval when continuous.")] = "1s",
    master: Annotated[str, typer.Option(help="Spark master (local[*], spark://, k8s://).")] = (
        "local[*]"
    ),
    bootstrap_servers: Annotated[str | None, typer.Option(help="Kafka bootstrap servers.")] = None,
    registry_url: Annotated[str | None, typer.Option(help="Schema registry URL.")] = None,
    no_progress: Annotated[
        bool, typer.Option("--no-progress", help="Do not publish to pipeway-jobs-progress.")
    ] = False,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            "-o",
            help="A setting of the job itself, key=value (repeatable), e.g. "
            "-o watermark_delay_ms=30000 for tv-analytics.",
        ),
    ] = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run a job in the foreground; Ctrl-C or `pipeway jobs stop` stops it between batches."""
    from pipeway.jobs.runner import RunMode, load_job
    from pipeway.jobs.runner.run import JobRunSettings, run_job
    from pipeway.jobs.settings import SparkSettings

    if once and until_idle:
        raise typer.BadParameter("choose one of --once and --until-idle")
    options = _options(option or [])
    mode = RunMode.ONCE if once else RunMode.UNTIL_IDLE if until_idle else RunMode.CONTINUOUS
    with user_errors():
        spec = load_job(job, name)
        settings = JobRunSettings(
            kafka=_kafka_settings(data_dir, bootstrap_servers, registry_url),
            spark=SparkSettings(master=master, app_name=f"pipeway-{spec.name}", data_dir=data_dir),
            mode=mode,
            trigger_interval=trigger,
            data_dir=data_dir,
            progress_topic=None if no_progress else "pipeway-jobs-progress",
            options=options,
        )
        if not as_json:
            console.print(f"job [bold]{spec.name}[/] ({spec.kind}: {spec.source}) mode={mode}")
        result = run_job(spec, settings)
    summary = {
        "job": result.job,
        "status": result.status,
        "passes": result.passes,
        "input_rows": result.input_rows,
        "queries": result.queries,
    }
    if as_json:
        print_json(summary)
    else:
        console.print(
            f"job [bold]{result.job}[/] {result.status}: {result.passes} pass(es), "
            f"{result.input_rows} input row(s), queries: {', '.join(result.queries)}"
        )


@app.command(name="list")
def list_jobs(data_dir: DataDirOption = None, as_json: JsonOption = False) -> None:
    """Jobs that ran under the data directory (status, pid, queries) and registered jobs."""
    from pipeway.jobs.runner.spec import registered_jobs
    from pipeway.jobs.runner.state import list_records

    with user_errors():
        records = list_records(data_dir)
        registered = registered_jobs()
    if as_json:
        print_json(
            {
                "jobs": [{**r.model_dump(), "status": r.effective_status} for r in records],
                "registered": registered,
            }
        )
        return
    table = Table("job", "status", "pid", "mode", "source", "queries")
    for record in records:
        table.add_row(
            record.name,
            record.effective_status,
            str(record.pid),
            record.mode,
            record.source,
            ", ".join(record.queries),
        )
    console.print(table)
    if registered:
        console.print("registered jobs: " + ", ".join(sorted(registered)))


@app.command()
def stop(
    name: Annotated[str, typer.Argument(help="The job's name (see `pipeway jobs list`).")],
    timeout: Annotated[float, typer.Option(help="Seconds to wait for it to stop.")] = 60.0,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Stop a running job gracefully (after its running micro-batches)."""
    from pipeway.jobs.runner.state import request_stop

    with user_errors():
        record = request_stop(name, data_dir, timeout)
    if as_json:
        print_json({"job": name, "status": record.effective_status})
    else:
        console.print(f"job [bold]{name}[/] {record.effective_status}")
