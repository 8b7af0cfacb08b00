"""The connector runtime: a Python Kafka Connect (tasks, offsets in Kafka, transforms, DLQ).

Public API for connector authors lives in :mod:`pipeway.connect.api`.
"""

from pipeway.connect.api import (
    Connector,
    ConnectorSettings,
    SinkConnector,
    SinkRecord,
    SinkTask,
    SourceConnector,
    SourceRecord,
    SourceTask,
    SourceTaskContext,
)

__all__ = [
    "Connector",
    "ConnectorSettings",
    "SinkConnector",
    "SinkRecord",
    "SinkTask",
    "SourceConnector",
    "SourceRecord",
    "SourceTask",
    "SourceTaskContext",
]
