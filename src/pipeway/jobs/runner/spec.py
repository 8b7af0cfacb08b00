"""Finding a job: a ``.py`` file, a ``.sql`` file, a module path or a registered job name.

A Python job is a module with a ``build(ctx)`` function (or ``module:function``) that starts
its queries through the :class:`JobContext`; its name is the module's ``JOB_NAME`` or the
file's stem. Packages register named jobs under the ``pipeway.jobs`` entry point group, so
``pipeway jobs run tv-sessions`` finds a job shipped in any installed package.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Literal

from pipeway.jobs.exceptions import JobsConfigError

if TYPE_CHECKING:
    from pipeway.jobs.runner.context import JobContext

ENTRY_POINT_GROUP = "pipeway.jobs"
DEFAULT_FUNCTION = "build"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

BuildFn = Callable[["JobContext"], object]


@dataclass(frozen=True)
class JobSpec:
    """A loaded job: its name (folder of its checkpoints), what it is, how to build it."""

    name: str
    kind: Literal["python", "sql"]
    source: str
    build: BuildFn


def check_name(name: str) -> str:
    """Job names become folder and query names: letters, digits, ``.``, ``_``, ``-``.

    Raises:
        JobsConfigError: the name has other characters.
    """
    if not _NAME.match(name):
        raise JobsConfigError(
            f"job name {name!r} must start with a letter or digit and hold only letters, "
            "digits, '.', '_' and '-'"
        )
    return name


def registered_jobs() -> dict[str, str]:
    """Named jobs of installed packages: name → ``module:function``."""
    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load_job(ref: str, name: str | None = None) -> JobSpec:
    """Load the job ``ref`` names.

    Args:
        ref: a path to a ``.py`` or ``.sql`` file, a registered job name, or a module path
            (``package.module`` or ``package.module:function``).
        name: the job's name, overriding the one derived from ``ref``.

    Raises:
        JobsConfigError: nothing by that reference, or it has no build function.
    """
    path = Path(ref)
    if ref.endswith(".sql"):
        return _sql_job(path, name)
    if ref.endswith(".py"):
        return _python_job(_module_from_file(path), DEFAULT_FUNCTION, name or path.stem, ref)
    registered = registered_jobs()
    target = registered.get(ref, ref)
    module_name, _, function = target.partition(":")
    module = _import(module_name, ref, sorted(registered))
    default_name = ref if ref in registered else module_name.rpartition(".")[2]
    return _python_job(module, function or DEFAULT_FUNCTION, name or default_name, target)


def _sql_job(path: Path, name: str | None) -> JobSpec:
    from pipeway.jobs.sql.job import sql_job_builder

    if not path.is_file():
        raise JobsConfigError(f"SQL job file {path} does not exist")
    builder = sql_job_builder(path.read_text(encoding="utf-8"), str(path))
    return JobSpec(check_name(name or path.stem), "sql", str(path), builder)


def _python_job(module: ModuleType, function: str, name: str, source: str) -> JobSpec:
    build = getattr(module, function, None)
    if not callable(build):
        raise JobsConfigError(
            f"job {source!r}: module {module.__name__} has no function {function}(ctx)"
        )
    job_name = getattr(module, "JOB_NAME", None) if function == DEFAULT_FUNCTION else None
    return JobSpec(check_name(job_name or name), "python", source, build)


def _module_from_file(path: Path) -> ModuleType:
    if not path.is_file():
        raise JobsConfigError(f"job file {path} does not exist")
    module_name = f"pipeway_job_{path.stem.replace('-', '_')}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise JobsConfigError(f"cannot load job file {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def _import(module_name: str, ref: str, known: list[str]) -> ModuleType:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            hint = f"; registered jobs: {', '.join(known)}" if known else ""
            raise JobsConfigError(
                f"no job {ref!r}: not a .py/.sql file, a registered job or a module{hint}"
            ) from exc
        raise
