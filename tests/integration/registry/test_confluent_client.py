"""confluent-kafka's own client and Avro serde, unchanged, against the registry and broker."""

from __future__ import annotations

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

from pipeway.testing.services import create_topic, unique_name
from tests.integration.registry.conftest import RegistryProcess
from tests.integration.registry.helpers import record_schema

pytestmark = pytest.mark.integration

PAYMENT = record_schema("Payment", ("id", "string"), ("amount", "double"))
PAYMENT_V2 = record_schema(
    "Payment", ("id", "string"), ("amount", "double"), ("currency", "string", "EUR")
)


def test_client_calls(registry: RegistryProcess) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    schema_id = client.register_schema("payments-value", Schema(PAYMENT, "AVRO"))
    assert client.get_schema(schema_id).schema_str == PAYMENT
    assert client.get_subjects() == ["payments-value"]
    latest = client.get_latest_version("payments-value")
    assert (latest.version, latest.schema_id) == (1, schema_id)
    found = client.lookup_schema("payments-value", Schema(PAYMENT, "AVRO"))
    assert found.schema_id == schema_id
    assert client.test_compatibility("payments-value", Schema(PAYMENT_V2, "AVRO"))
    assert client.register_schema("payments-value", Schema(PAYMENT_V2, "AVRO")) == schema_id + 1
    assert client.get_versions("payments-value") == [1, 2]
    client.set_compatibility("payments-value", "FULL")
    assert client.get_compatibility("payments-value") == "FULL"
    assert sorted(client.get_schema_types()) == ["AVRO", "JSON"]


def test_incompatible_registration_is_rejected(registry: RegistryProcess) -> None:
    client = SchemaRegistryClient({"url": registry.url})
    client.register_schema("strict-value", Schema(PAYMENT, "AVRO"))
    breaking = record_schema("Payment", ("id", "string"), ("amount", "string"))
    with pytest.raises(SchemaRegistryError) as caught:
        client.register_schema("strict-value", Schema(breaking, "AVRO"))
    assert caught.value.http_status_code == 409
    assert caught.value.error_code == 40901


def test_serializer_round_trip_through_kafka(
    registry: RegistryProcess, kafka_bootstrap: str
) -> None:
    topic = create_topic(kafka_bootstrap, unique_name("payments"))
    client = SchemaRegistryClient({"url": registry.url})
    serializer = AvroSerializer(client, PAYMENT)
    context = SerializationContext(topic, MessageField.VALUE)
    producer = Producer({"bootstrap.servers": kafka_bootstrap})
    sent = [{"id": f"p{i}", "amount": i * 1.5} for i in range(5)]
    for value in sent:
        producer.produce(topic, value=serializer(value, context))
    assert producer.flush(30) == 0

    # a fresh client, so the deserializer really fetches the writer schema by id
    deserializer = AvroDeserializer(SchemaRegistryClient({"url": registry.url}))
    consumer = Consumer(
        {
            "bootstrap.servers": kafka_bootstrap,
            "group.id": unique_name("payments-reader"),
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([topic])
    received: list[object] = []
    try:
        while len(received) < len(sent):
            message = consumer.poll(30)
            assert message is not None, "timed out waiting for records"
            assert message.error() is None, message.error()
            received.append(deserializer(message.value(), context))
    finally:
        consumer.close()
    assert received == sent
    assert SchemaRegistryClient({"url": registry.url}).get_versions(f"{topic}-value") == [1]
