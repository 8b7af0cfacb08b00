from __future__ import annotations

from pathlib import Path

import pytest

from pipeway.jobs.exceptions import JobsConfigError
from pipeway.jobs.runner.spec import check_name, load_job

JOB = """
JOB_NAME = "named-job"

def build(ctx):
    return ctx
"""


def test_python_file_job_uses_its_job_name(tmp_path: Path) -> None:
    path = tmp_path / "my_job.py"
    path.write_text(JOB)
    spec = load_job(str(path))
    assert (spec.name, spec.kind) == ("named-job", "python")
    assert spec.build("ctx") == "ctx"  # type: ignore[arg-type]


def test_file_stem_names_a_job_without_job_name(tmp_path: Path) -> None:
    path = tmp_path / "counts.py"
    path.write_text("def build(ctx):\n    return 1\n")
    assert load_job(str(path)).name == "counts"
    assert load_job(str(path), name="other").name == "other"


def test_module_and_function_reference() -> None:
    spec = load_job("pipeway.jobs.runner.modes:parse_interval")
    assert spec.name == "modes"
    assert spec.build("2s") == "2 seconds"  # type: ignore[arg-type]


def test_module_without_build_function_is_an_error() -> None:
    with pytest.raises(JobsConfigError, match=r"has no function build\(ctx\)"):
        load_job("pipeway.jobs.runner.modes")


def test_unknown_reference_is_an_error() -> None:
    with pytest.raises(JobsConfigError, match="no job 'no_such_job_module'"):
        load_job("no_such_job_module")


def test_missing_files_are_errors(tmp_path: Path) -> None:
    with pytest.raises(JobsConfigError, match="does not exist"):
        load_job(str(tmp_path / "gone.py"))
    with pytest.raises(JobsConfigError, match="does not exist"):
        load_job(str(tmp_path / "gone.sql"))


def test_sql_file_without_insert_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "q.sql"
    path.write_text("SELECT 1;")
    with pytest.raises(JobsConfigError, match="no INSERT INTO"):
        load_job(str(path))


def test_sql_file_job(tmp_path: Path) -> None:
    path = tmp_path / "minute.sql"
    path.write_text("INSERT INTO out SELECT * FROM tv_actions;")
    spec = load_job(str(path))
    assert (spec.name, spec.kind, spec.source) == ("minute", "sql", str(path))


@pytest.mark.parametrize("name", ["a b", "-x", "x/y", ""])
def test_job_names_must_be_safe_folder_names(name: str) -> None:
    with pytest.raises(JobsConfigError, match="job name"):
        check_name(name)
