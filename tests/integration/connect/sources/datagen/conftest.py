"""Reuse the runtime's worker and offset-store fixtures for datagen through real Kafka."""

from tests.integration.connect.runtime.conftest import offset_topic, offsets, worker

__all__ = ["offset_topic", "offsets", "worker"]
