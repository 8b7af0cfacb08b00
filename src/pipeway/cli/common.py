"""Shared CLI plumbing: the data directory option, output helpers, error reporting."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console

from pipeway.errors import PipewayError, validation_problems
from pipeway.platform.paths import DATA_DIR_ENV, data_dir

console = Console()
err_console = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar=DATA_DIR_ENV,
        help="Platform data directory (default ./.pipeway).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def resolve_data_dir(value: Path | None) -> Path:
    return data_dir(value)


def split_names(values: list[str] | None) -> list[str] | None:
    """Accept ``--only kafka --only registry`` as well as ``--only kafka,registry``."""
    if not values:
        return None
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def print_json(data: Any) -> None:
    def default(obj: Any) -> Any:
        if isinstance(obj, BaseModel):
            return obj.model_dump(mode="json")
        if isinstance(obj, Path):
            return str(obj)
        raise TypeError(f"cannot serialise {type(obj).__name__}")

    sys.stdout.write(json.dumps(data, default=default, indent=2) + "\n")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn pipeway's own errors into one clear line on stderr and exit code 1."""
    try:
        yield
    except PipewayError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
        raise typer.Exit(1) from None
    except ValidationError as exc:
        err_console.print("[bold red]error:[/] invalid settings: " + validation_problems(exc))
        raise typer.Exit(2) from None


def run_cli(fn: Callable[[], T]) -> T:
    with user_errors():
        return fn()
