"""Publishing each micro-batch's progress to ``pipeway-jobs-progress`` (Avro, key = job).

The console and ``pipeway jobs list`` read this topic instead of talking to the job's
process. One record per micro-batch of every query: input and processing rates, batch
duration, watermark, state rows, rows dropped as late, and the job's dead letters.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from typing import Any

from confluent_kafka import Producer
from pyspark.sql.streaming import StreamingQueryListener

from pipeway.kafka.topics import ensure_topic
from pipeway.serde import AvroSerializer, RegistryClient, SerializationContext

log = logging.getLogger(__name__)

PROGRESS_TOPIC = "pipeway-jobs-progress"
DEAD_LETTER_METRIC = "pipeway.dead_letters"

PROGRESS_SCHEMA: dict[str, Any] = {
    "type": "record",
    "name": "JobProgress",
    "namespace": "io.pipeway.jobs",
    "doc": "One micro-batch of one streaming query of a pipeway job.",
    "fields": [
        {"name": "job", "type": "string"},
        {"name": "query", "type": "string"},
        {"name": "query_id", "type": "string"},
        {"name": "run_id", "type": "string"},
        {"name": "batch_id", "type": "long"},
        {"name": "timestamp", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "num_input_rows", "type": "long"},
        {"name": "input_rows_per_second", "type": "double"},
        {"name": "processed_rows_per_second", "type": "double"},
        {"name": "batch_duration_ms", "type": "long"},
        {
            "name": "watermark",
            "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}],
            "default": None,
        },
        {"name": "state_rows", "type": "long"},
        {"name": "late_rows_dropped", "type": "long"},
        {"name": "dead_letters", "type": "long"},
        {"name": "observed_metrics", "type": {"type": "map", "values": "double"}},
        {"name": "progress_json", "type": "string"},
    ],
}


def _millis(iso: str | None) -> int | None:
    if not iso:
        return None
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def _number(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if number == number else 0.0  # NaN (no input yet) → 0


def _flatten_metrics(observed: dict[str, Any]) -> dict[str, float]:
    flat: dict[str, float] = {}
    for name, row in (observed or {}).items():
        if isinstance(row, dict):
            for fieldname, value in row.items():
                flat[f"{name}.{fieldname}"] = _number(value)
    return flat


def progress_record(job: str, progress: dict[str, Any]) -> dict[str, Any]:
    """The progress topic's record for one ``StreamingQueryProgress`` (as Spark's JSON)."""
    name = progress.get("name") or ""
    states = progress.get("stateOperators") or []
    metrics = _flatten_metrics(progress.get("observedMetrics") or {})
    event_time = progress.get("eventTime") or {}
    return {
        "job": job,
        "query": name.removeprefix(f"{job}."),
        "query_id": progress.get("id", ""),
        "run_id": progress.get("runId", ""),
        "batch_id": int(progress.get("batchId", -1)),
        "timestamp": _millis(progress.get("timestamp")) or 0,
        "num_input_rows": int(progress.get("numInputRows", 0)),
        "input_rows_per_second": _number(progress.get("inputRowsPerSecond")),
        "processed_rows_per_second": _number(progress.get("processedRowsPerSecond")),
        "batch_duration_ms": int(progress.get("batchDuration", 0)),
        "watermark": _millis(event_time.get("watermark")),
        "state_rows": sum(int(s.get("numRowsTotal", 0)) for s in states),
        "late_rows_dropped": sum(int(s.get("numRowsDroppedByWatermark", 0)) for s in states),
        "dead_letters": int(metrics.get(f"{DEAD_LETTER_METRIC}.count", 0)),
        "observed_metrics": metrics,
        "progress_json": json.dumps(progress, separators=(",", ":")),
    }


class ProgressPublisher(StreamingQueryListener):
    """A Spark listener producing the job's query progress to Kafka.

    Publishing never fails a query: an unreachable broker or registry is logged and the
    batch goes on (progress is for watching, not part of the data path).
    """

    def __init__(
        self,
        job: str,
        bootstrap_servers: str,
        registry: RegistryClient,
        topic: str = PROGRESS_TOPIC,
    ) -> None:
        self.job = job
        self.topic = topic
        self._prefix = f"{job}."
        self._bootstrap = bootstrap_servers
        self._producer: Producer | None = Producer(
            {"bootstrap.servers": bootstrap_servers, "linger.ms": 50, "acks": "all"}
        )
        self._serializer = AvroSerializer(registry, json.dumps(PROGRESS_SCHEMA))
        self.published = 0
        self._seen: dict[str, int] = {}
        self._seen_changed = threading.Condition()

    def ensure_topic(self) -> None:
        """Create the progress topic (compaction off: it is a time series) if missing."""
        from confluent_kafka.admin import AdminClient

        admin = AdminClient({"bootstrap.servers": self._bootstrap})
        ensure_topic(admin, self.topic, 1, 1, {"retention.ms": str(7 * 24 * 3600 * 1000)})

    def onQueryStarted(self, event: Any) -> None:
        pass

    def onQueryIdle(self, event: Any) -> None:
        pass

    def onQueryTerminated(self, event: Any) -> None:
        self.flush(5.0)

    def onQueryProgress(self, event: Any) -> None:
        progress = json.loads(event.progress.json)
        if not str(progress.get("name") or "").startswith(self._prefix):
            return
        try:
            self.publish(progress)
        except Exception:  # progress must never break the data path
            log.exception("job %s: could not publish query progress", self.job)
        finally:
            self._saw(str(progress.get("id")), int(progress.get("batchId", -1)))

    def _saw(self, query_id: str, batch_id: int) -> None:
        with self._seen_changed:
            self._seen[query_id] = max(batch_id, self._seen.get(query_id, -1))
            self._seen_changed.notify_all()

    def wait_until_seen(self, last_batches: dict[str, int], timeout: float = 10.0) -> bool:
        """Wait until the progress of each query's batch ``last_batches[id]`` was handled.

        Spark delivers progress to listeners asynchronously, so a query that just ended
        may still have events in flight; the runner waits for them before closing.
        """

        def done() -> bool:
            return all(self._seen.get(q, -1) >= b for q, b in last_batches.items())

        with self._seen_changed:
            return self._seen_changed.wait_for(done, timeout)

    def publish(self, progress: dict[str, Any]) -> None:
        if self._producer is None:
            return  # closed: the run is over
        record = progress_record(self.job, progress)
        ctx = SerializationContext(self.topic, "value")
        value = self._serializer(record, ctx)
        self._producer.produce(self.topic, key=self.job.encode(), value=value)
        self._producer.poll(0)
        self.published += 1

    def flush(self, timeout: float = 10.0) -> None:
        if self._producer is None:
            return
        remaining = self._producer.flush(timeout)
        if remaining:
            log.warning("job %s: %d progress record(s) not delivered", self.job, remaining)

    def close(self) -> None:
        """Deliver what is pending and let the producer go (Spark may keep the listener)."""
        self.flush()
        self._producer = None
