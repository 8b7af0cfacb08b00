"""``pipeway jobs run | list | stop`` as a user runs them, on the test broker and registry."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from pipeway.jobs.settings import KafkaSettings
from pipeway.testing.services import unique_name
from pipeway.testing.waiting import read_topic, wait_for
from tests.e2e.conftest import PIPEWAY, Run, as_json
from tests.integration.jobs.runner.conftest import produce_actions
from tests.integration.jobs.runner.test_python_job import _actions

pytestmark = pytest.mark.e2e

SQL = """
INSERT INTO `{output}` OPTIONS (key 'user_id')
SELECT user_id, channel_id FROM `{source}` WHERE channel_id >= 0;
"""


def test_run_list_stop_and_resume_a_sql_job(
    cli: Run, tmp_path: Path, kafka_bootstrap: str, registry_url: str, unique_topic: str
) -> None:
    kafka = KafkaSettings(bootstrap_servers=kafka_bootstrap, registry_url=registry_url)
    output = unique_name("out")
    produce_actions(kafka, unique_topic, _actions(0, 6))
    sql = tmp_path / "copy.sql"
    sql.write_text(SQL.format(output=output, source=unique_topic))
    endpoints = ["--bootstrap-servers", kafka_bootstrap, "--registry-url", registry_url]
    common = [*endpoints, "--master", "local[1]", "--name", "copy"]
    env = {**os.environ, "PIPEWAY_HOME": str(tmp_path / "home")}
    job = subprocess.Popen(
        [*PIPEWAY, "jobs", "run", str(sql), *common, "--trigger", "500ms"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: len(read_topic(kafka_bootstrap, output, 6, 2)) == 6, 120, "job output")
        listed = as_json(cli("jobs", "list", "--json"))["jobs"]
        assert [(j["name"], j["status"], j["kind"]) for j in listed] == [("copy", "running", "sql")]
        assert "copy.copy-out" not in listed[0]["queries"]  # query named after the topic
        assert f"copy.{output}" in listed[0]["queries"]
        stopped = as_json(cli("jobs", "stop", "copy", "--json"))
        assert stopped == {"job": "copy", "status": "stopped"}
        assert job.wait(30) == 0
    finally:
        if job.poll() is None:
            job.kill()
        _, err = job.communicate()
        print("job stderr (tail):", err[-3000:])  # shown by pytest when the test fails

    produce_actions(kafka, unique_topic, _actions(6, 3))
    proc = cli("jobs", "run", str(sql), *common, "--once", "--json", timeout=300)
    summary = as_json(proc)
    assert (summary["status"], summary["passes"]) == ("finished", 1)
    assert summary["input_rows"] == 6  # 3 new rows, read by the output and the DLQ queries
    assert len(read_topic(kafka_bootstrap, output, 10, 5)) == 9


def test_errors_are_one_clear_line(cli: Run, tmp_path: Path) -> None:
    proc = cli("jobs", "run", str(tmp_path / "missing.sql"))
    assert proc.returncode == 1
    assert "missing.sql does not exist" in proc.stderr
    proc = cli("jobs", "stop", "nothing-here")
    assert proc.returncode == 1 and "job nothing-here is not running" in proc.stderr
    proc = cli("jobs", "run", "x.sql", "--once", "--until-idle")
    assert proc.returncode == 2 and "--once and --until-idle" in proc.stderr
    proc = cli("jobs", "run", "x.sql", "-o", "watermark_delay_ms")
    assert proc.returncode == 2 and "'watermark_delay_ms' is not key=value" in proc.stderr
    listed = json.loads(cli("jobs", "list", "--json").stdout)
    assert listed["jobs"] == []
