"""Small Kafka helpers shared by every component (topic administration)."""
