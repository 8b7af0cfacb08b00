"""The connect worker: connector configs in Kafka, tasks shared by a consumer group, REST API.

See ``docs/connectors/rest-api.md``. :class:`ConnectWorker` is the process-level object;
:mod:`.herder` makes the decisions; :mod:`.rest` is Kafka Connect's API.
"""
