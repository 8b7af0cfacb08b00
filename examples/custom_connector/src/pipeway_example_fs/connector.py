"""The connector classes: what ``connector.class`` names.

A connector ties a settings model to a task class and splits the work into task
configurations; it does no I/O itself.
"""

from __future__ import annotations

from typing import Any

from pipeway.connect.api import SinkConnector, SourceConnector
from pipeway_example_fs.settings import JsonLinesSinkSettings, LineFileSettings
from pipeway_example_fs.sink import JsonLinesSinkTask
from pipeway_example_fs.source import TASK_COUNT, TASK_INDEX, LineFileTask


class LineFileSource(SourceConnector):
    """Tails the text files of a folder: one Avro record ``{file, line_no, text}`` per line."""

    settings_class = LineFileSettings
    task_class = LineFileTask
    version = "0.1.0"

    def task_configs(self, max_tasks: int) -> list[dict[str, Any]]:
        """``max_tasks`` tasks; each owns the files whose name hashes to its index."""
        return [{TASK_INDEX: i, TASK_COUNT: max_tasks} for i in range(max_tasks)]


class JsonLinesSink(SinkConnector):
    """Appends every record of ``topics`` to one file as a JSON line; flush = fsync."""

    settings_class = JsonLinesSinkSettings
    task_class = JsonLinesSinkTask
    version = "0.1.0"
