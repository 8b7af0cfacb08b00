from __future__ import annotations

from pathlib import Path

import pytest

from pipeway.connect.worker.exceptions import WorkerConfigError
from pipeway.connect.worker.pipeline import load_pipeline, parse_pipeline
from pipeway.connect.worker.properties import read_properties

GOOD = """
connectors:
  - name: orders
    config:
      connector.class: datagen
      tasks.max: 2
      kafka.topic: orders
  - name: users
    config: {connector.class: datagen, quickstart: users}
"""


def test_parse_pipeline() -> None:
    pipeline = parse_pipeline(GOOD)
    assert [c.name for c in pipeline.connectors] == ["orders", "users"]
    assert pipeline.connectors[0].config["tasks.max"] == 2


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("connectors: [", "not valid YAML"),
        ("- a\n- b", "expected a mapping"),
        ("connectors:\n  - config: {}", "connectors.0.name"),
        ("connectors:\n  - name: a b\n", "connectors.0.name"),
        ("connectors:\n  - {name: a}\n  - {name: a}", "repeated: a"),
        ("connector: []", "connector: Extra inputs"),
        ("connectors:\n  - {name: a, config: [1]}", "connectors.0.config"),
    ],
)
def test_bad_pipelines_name_the_problem(text: str, fragment: str) -> None:
    with pytest.raises(WorkerConfigError, match="p.yaml") as info:
        parse_pipeline(text, "p.yaml")
    assert fragment in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WorkerConfigError, match="cannot read"):
        load_pipeline(tmp_path / "none.yaml")


def test_read_properties(tmp_path: Path) -> None:
    path = tmp_path / "worker.properties"
    path.write_text(
        "# comment\n! also\nbootstrap.servers=a:1,\\\n  b:2\ngroup.id: g\n\nrest.port = 9000\n"
    )
    assert read_properties(path) == {
        "bootstrap.servers": "a:1,b:2",
        "group.id": "g",
        "rest.port": "9000",
    }
    path.write_text("novalue\n")
    with pytest.raises(WorkerConfigError, match=":1:"):
        read_properties(path)
