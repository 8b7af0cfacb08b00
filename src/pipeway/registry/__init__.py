"""A Confluent Schema Registry compatible REST server whose state lives in a Kafka topic.

``create_app(settings)`` builds the ASGI app; ``python -m pipeway.registry`` serves it.
See docs/registry.md for what is supported and how several instances order their writes.
"""

from pipeway.registry.api import create_app
from pipeway.registry.settings import RegistrySettings

__all__ = ["RegistrySettings", "create_app"]
