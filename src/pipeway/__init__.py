"""pipeway: a real-time data pipeline platform built on Kafka, a schema registry and Spark."""

__version__ = "0.1.0"
