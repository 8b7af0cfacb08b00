"""Datagen: mock data from annotated Avro schemas, like Confluent's kafka-connect-datagen."""

from pipeway.connect.sources.datagen.connector import DatagenConnector
from pipeway.connect.sources.datagen.settings import DatagenSettings
from pipeway.connect.sources.datagen.task import DatagenTask

__all__ = ["DatagenConnector", "DatagenSettings", "DatagenTask"]
