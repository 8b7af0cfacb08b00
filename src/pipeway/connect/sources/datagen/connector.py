"""The datagen source connector, compatible with Confluent's kafka-connect-datagen.

``connector.class: datagen`` with kafka-connect-datagen's keys (``kafka.topic``,
``quickstart`` or ``schema.filename`` or ``schema.string``, ``schema.keyfield``,
``max.interval``, ``iterations``, ``random.seed``) plus ``events.per.second``.
See docs/connectors/datagen.md.
"""

from __future__ import annotations

from typing import Any

from pipeway.connect.api import SourceConnector
from pipeway.connect.sources.datagen.settings import DatagenSettings
from pipeway.connect.sources.datagen.task import TASK_ID, DatagenTask


class DatagenConnector(SourceConnector):
    """Generates mock data from an Avro schema annotated with ``arg.properties``."""

    settings_class = DatagenSettings
    task_class = DatagenTask

    def task_configs(self, max_tasks: int) -> list[dict[str, Any]]:
        """``max_tasks`` tasks, as the original; each mixes its ``task.id`` into the seed."""
        return [{TASK_ID: task_id} for task_id in range(max_tasks)]
