"""One connect worker: config and status logs, the herder thread, the group membership.

Construction does no I/O; :meth:`ConnectWorker.start` reads the config and status topics to
their end before joining the group, so the first reconciliation already sees every
connector; :meth:`ConnectWorker.stop` stops the tasks gracefully and leaves the group, which
hands its partitions to the remaining workers at once.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from pipeway.connect.runtime.contract import WorkerSettings
from pipeway.connect.runtime.offsets import OffsetStore
from pipeway.connect.worker.assignment import GroupMembership
from pipeway.connect.worker.config_state import ConfigState
from pipeway.connect.worker.config_store import CONFIG_PARTITIONS, ConfigStore
from pipeway.connect.worker.herder import Herder, RunnerFactory
from pipeway.connect.worker.service import ConnectService
from pipeway.connect.worker.sink_offsets import SinkOffsets
from pipeway.connect.worker.status_store import STATUS_PARTITIONS, StatusState, StatusStore
from pipeway.connect.worker.topic_log import KafkaRecordLog
from pipeway.connect.worker.wiring import runtime_runner_factory

log = logging.getLogger(__name__)


def worker_id_of(settings: WorkerSettings) -> str:
    """``worker.id`` when set, else ``host:port`` of the REST API (as Kafka Connect)."""
    return settings.worker_id or f"{settings.rest_host}:{settings.rest_port}"


def kafka_config(settings: WorkerSettings) -> dict[str, Any]:
    return {
        "bootstrap.servers": settings.bootstrap_servers,
        "client.id": f"pipeway-connect-{worker_id_of(settings)}",
        "logger": logging.getLogger("pipeway.connect.worker.kafka"),
    }


class ConnectWorker:
    def __init__(
        self,
        settings: WorkerSettings,
        factory: RunnerFactory | None = None,
        offsets: Any = None,
    ) -> None:
        self.settings = settings
        self.worker_id = worker_id_of(settings)
        kafka = kafka_config(settings)
        configs, statuses = ConfigState(), StatusState()
        self.config_log = KafkaRecordLog(
            kafka, settings.config_storage_topic, CONFIG_PARTITIONS, configs.apply
        )
        self.status_log = KafkaRecordLog(
            kafka, settings.status_storage_topic, STATUS_PARTITIONS, statuses.apply
        )
        self._own_offsets = factory is None and offsets is None
        self.offsets = offsets if not self._own_offsets else _offset_store(settings)
        factory = factory or runtime_runner_factory(settings, self.offsets)
        self.herder = Herder(
            ConfigStore(configs, self.config_log),
            StatusStore(statuses, self.status_log),
            factory,
            self.worker_id,
        )
        self.membership = GroupMembership(kafka, settings.group_id, self.herder)
        self.service = ConnectService(
            self.herder.configs,
            statuses,
            self.herder,
            self.offsets,
            sink_offsets=SinkOffsets(kafka, self.herder.configs),
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Read the topics, then join the group on the herder thread.

        Raises:
            StoreUnavailable: Kafka is unreachable or a topic cannot be read.
        """
        started = time.monotonic()
        try:
            self.config_log.start()
            self.status_log.start()
            if self._own_offsets and self.offsets is not None:
                self.offsets.start()
        except Exception:
            self._close_logs()
            raise
        self.service.cluster_id = _cluster_id(self.settings)
        self.herder.mark_history()
        self.config_log.add_listener(self.herder.notify)
        self.membership.start()
        self._thread = threading.Thread(
            target=self.herder.run, args=(self.membership, self._stop), name="herder"
        )
        self._thread.start()
        log.info(
            "worker started worker_id=%s group=%s elapsed_ms=%.0f",
            self.worker_id,
            self.settings.group_id,
            (time.monotonic() - started) * 1000,
        )

    def stop(self) -> None:
        """Stop tasks (committing offsets), leave the group, close the logs; idempotent."""
        if self._stop.is_set():
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.herder.stop_timeout_s + 15)
        self._close_logs()
        log.info("worker stopped worker_id=%s", self.worker_id)

    def _close_logs(self) -> None:
        self.config_log.stop()
        self.status_log.stop()
        if self._own_offsets and self.offsets is not None:
            self.offsets.close()


def _offset_store(settings: WorkerSettings) -> OffsetStore:
    return OffsetStore(settings.bootstrap_servers, settings.offset_storage_topic)


def _cluster_id(settings: WorkerSettings) -> str:
    try:
        metadata = AdminClient(kafka_config(settings)).list_topics(timeout=10)
    except KafkaException:
        return ""
    return str(metadata.cluster_id or "")
