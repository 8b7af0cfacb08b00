"""A single-node Kafka 4 in KRaft mode: broker and controller in one JVM."""

from __future__ import annotations

import base64
import logging
import subprocess
import uuid
from importlib import resources
from pathlib import Path

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from pipeway.platform import artifacts
from pipeway.platform.components.base import Component
from pipeway.platform.exceptions import ComponentFailed
from pipeway.platform.prereqs import java_executable

log = logging.getLogger(__name__)

SERVER_PROPERTIES = """\
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller_port}
advertised.listeners=PLAINTEXT://{host}:{port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.quorum.bootstrap.servers={host}:{controller_port}
log.dirs={log_dirs}
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.retention.hours=168
message.max.bytes=10485760
"""


def kafka_uuid() -> str:
    """A cluster id in Kafka's format (URL-safe base64 of 16 random bytes, unpadded)."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


class KafkaComponent(Component):
    """Kafka broker+controller; storage is formatted on first start."""

    name = "kafka"

    @property
    def url(self) -> str:
        return f"kafka://{self.config.bootstrap_servers}"

    @property
    def ports(self) -> list[int]:
        return [self.config.kafka_port, self.config.kafka_controller_port]

    @property
    def properties_file(self) -> Path:
        return self.home / "server.properties"

    @property
    def log_dirs(self) -> Path:
        return self.home / "data"

    def prepare(self) -> None:
        super().prepare()
        c = self.config
        self.properties_file.write_text(
            SERVER_PROPERTIES.format(
                host=c.host,
                port=c.kafka_port,
                controller_port=c.kafka_controller_port,
                log_dirs=self.log_dirs,
            )
        )
        if not (self.log_dirs / "meta.properties").exists():
            self._format_storage()

    def _format_storage(self) -> None:
        cmd = [
            *self._java(),
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            f"--cluster-id={kafka_uuid()}",  # "=" form: an id may start with "-"
            "-c",
            str(self.properties_file),
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-15:])
            raise ComponentFailed(self.name, "formatting the KRaft storage failed", tail)
        log.info("formatted kafka storage dir=%s", self.log_dirs)

    def _java(self) -> list[str]:
        log4j = resources.files("pipeway.platform") / "resources" / "kafka-log4j2.properties"
        return [
            str(java_executable()),
            "-cp",
            artifacts.classpath("kafka"),
            f"-Dlog4j2.configurationFile={log4j}",
            "-Djava.awt.headless=true",
        ]

    def command(self) -> list[str]:
        heap = self.config.kafka_heap
        java = self._java()
        return [
            java[0],
            f"-Xmx{heap}",
            f"-Xms{heap}",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            *java[1:],
            "kafka.Kafka",
            str(self.properties_file),
        ]

    def healthy(self) -> bool:
        """Kafka answers a metadata request."""
        admin = AdminClient({"bootstrap.servers": self.config.bootstrap_servers, "log_level": 0})
        try:
            metadata = admin.list_topics(timeout=1.0)
        except KafkaException:
            return False
        return bool(metadata.brokers)
