"""An example pipeway connector plugin: tail text files into Kafka, write records to a file.

Load it with ``connector.class: pipeway_example_fs.connector.LineFileSource`` (or
``...:JsonLinesSink``) once the package is installed in the worker's environment.
See docs/connectors/custom.md in the pipeway repository for the walk-through.
"""

from pipeway_example_fs.connector import JsonLinesSink, LineFileSource
from pipeway_example_fs.settings import JsonLinesSinkSettings, LineFileSettings
from pipeway_example_fs.sink import JsonLinesSinkTask
from pipeway_example_fs.source import LineFileTask

__all__ = [
    "JsonLinesSink",
    "JsonLinesSinkSettings",
    "JsonLinesSinkTask",
    "LineFileSettings",
    "LineFileSource",
    "LineFileTask",
]
