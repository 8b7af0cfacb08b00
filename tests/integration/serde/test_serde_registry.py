"""pipeway.serde against a real schema registry and Kafka broker, interoperating with
confluent-kafka's own Avro serde in both directions.

Needs the session fixtures ``registry_url`` and ``kafka_bootstrap`` (pipeway.testing).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator

import orjson
import pytest
from confluent_kafka import Consumer, Message, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer as ConfluentAvroDeserializer
from confluent_kafka.schema_registry.avro import AvroSerializer as ConfluentAvroSerializer
from confluent_kafka.serialization import MessageField
from confluent_kafka.serialization import SerializationContext as ConfluentContext

from pipeway.serde import (
    AvroDeserializer,
    AvroSerializer,
    IncompatibleSchemaError,
    RegistryClient,
    SchemaNotFoundError,
    SerializationContext,
    StringDeserializer,
    StringSerializer,
    SubjectNotFoundError,
    UnknownSchemaIdError,
)

pytestmark = pytest.mark.integration

USER_V1 = orjson.dumps(
    {
        "type": "record",
        "name": "User",
        "namespace": "com.example.it",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "name", "type": "string"},
            {"name": "email", "type": ["null", "string"], "default": None},
        ],
    }
).decode()
USER_V2 = orjson.dumps(
    {
        **orjson.loads(USER_V1),
        "fields": [
            *orjson.loads(USER_V1)["fields"],
            {"name": "country", "type": "string", "default": "NL"},
        ],
    }
).decode()
RECORDS = [
    {"id": 1, "name": "Ada", "email": "ada@example.com"},
    {"id": 2, "name": "Grace", "email": None},
    {"id": 2**40, "name": "Zoë ✓", "email": "z@example.com"},
]
TIMEOUT_S = 30.0


@pytest.fixture
def topic(kafka_bootstrap: str) -> str:
    name = f"serde-it-{uuid.uuid4().hex}"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    futures = admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=1)])
    futures[name].result(timeout=TIMEOUT_S)
    return name


@pytest.fixture
def registry(registry_url: str) -> Iterator[RegistryClient]:
    client = RegistryClient(registry_url)
    yield client
    client.close()


@pytest.fixture
def confluent_registry(registry_url: str) -> SchemaRegistryClient:
    return SchemaRegistryClient({"url": registry_url})


def _produce(bootstrap: str, topic: str, messages: list[tuple[bytes | None, bytes | None]]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
    errors: list[object] = []
    for key, value in messages:
        producer.produce(topic, key=key, value=value, on_delivery=_collect_errors(errors))
    assert producer.flush(TIMEOUT_S) == 0
    assert errors == []


def _collect_errors(errors: list[object]) -> Callable[[object, Message], None]:
    def on_delivery(error: object, message: Message) -> None:
        if error is not None:
            errors.append(error)

    return on_delivery


def _consume(bootstrap: str, topic: str, count: int) -> list[Message]:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"serde-it-{uuid.uuid4().hex}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic])
    messages: list[Message] = []
    deadline = time.monotonic() + TIMEOUT_S
    try:
        while len(messages) < count and time.monotonic() < deadline:
            message = consumer.poll(1.0)
            if message is None:
                continue
            assert message.error() is None, message.error()
            messages.append(message)
    finally:
        consumer.close()
    assert len(messages) == count, f"consumed {len(messages)} of {count} from {topic}"
    return messages


def test_registry_client_round_trip(registry: RegistryClient) -> None:
    subject = f"serde-it-{uuid.uuid4().hex}-value"

    schema_id = registry.register(subject, USER_V1)

    assert registry.register(subject, USER_V1) == schema_id
    assert orjson.loads(registry.get_schema(schema_id).schema_str) == orjson.loads(USER_V1)
    assert registry.lookup(subject, USER_V1) == (schema_id, 1)
    latest = registry.get_latest(subject)
    assert (latest.id, latest.version, latest.subject) == (schema_id, 1, subject)
    assert registry.get_version(subject, 1).id == schema_id
    assert subject in registry.list_subjects()
    assert registry.test_compatibility(subject, USER_V2)
    assert registry.register(subject, USER_V2) != schema_id


def test_registry_errors_map_to_types(registry: RegistryClient) -> None:
    subject = f"serde-it-{uuid.uuid4().hex}-value"
    registry.register(subject, USER_V1)
    registry.set_compatibility("BACKWARD", subject)
    breaking = USER_V1.replace('"type":"long"', '"type":"string"')

    with pytest.raises(IncompatibleSchemaError) as incompatible:
        registry.register(subject, breaking)
    with pytest.raises(SubjectNotFoundError):
        registry.get_latest(f"serde-it-{uuid.uuid4().hex}-value")
    with pytest.raises(SchemaNotFoundError):
        registry.get_schema(2**31 - 7)

    assert incompatible.value.status == 409
    assert not registry.test_compatibility(subject, breaking)


def test_pipeway_produces_confluent_consumes(
    kafka_bootstrap: str, registry: RegistryClient, confluent_registry, topic: str
) -> None:
    key_ctx, value_ctx = SerializationContext(topic, "key"), SerializationContext(topic, "value")
    serialize, serialize_key = AvroSerializer(registry, USER_V1), StringSerializer()
    _produce(
        kafka_bootstrap,
        topic,
        [(serialize_key(str(r["id"]), key_ctx), serialize(r, value_ctx)) for r in RECORDS]
        + [(b"tombstone", serialize(None, value_ctx))],
    )

    messages = _consume(kafka_bootstrap, topic, len(RECORDS) + 1)
    deserialize = ConfluentAvroDeserializer(confluent_registry)
    theirs = ConfluentContext(topic, MessageField.VALUE)

    assert [deserialize(m.value(), theirs) for m in messages] == [*RECORDS, None]
    assert [m.key() for m in messages[:-1]] == [str(r["id"]).encode() for r in RECORDS]


def test_confluent_produces_pipeway_consumes(
    kafka_bootstrap: str, registry: RegistryClient, confluent_registry, topic: str
) -> None:
    serialize = ConfluentAvroSerializer(confluent_registry, USER_V1)
    theirs = ConfluentContext(topic, MessageField.VALUE)
    _produce(kafka_bootstrap, topic, [(None, serialize(r, theirs)) for r in RECORDS])

    messages = _consume(kafka_bootstrap, topic, len(RECORDS))
    deserialize, value_ctx = AvroDeserializer(registry), SerializationContext(topic, "value")

    assert [deserialize(m.value(), value_ctx) for m in messages] == RECORDS


def test_same_bytes_as_confluent(
    registry: RegistryClient, confluent_registry: SchemaRegistryClient, topic: str
) -> None:
    ours = AvroSerializer(registry, USER_V1)(RECORDS[0], SerializationContext(topic, "value"))
    theirs = ConfluentAvroSerializer(confluent_registry, USER_V1)(
        RECORDS[0], ConfluentContext(topic, MessageField.VALUE)
    )

    assert ours == theirs


def test_evolution_across_clients(
    kafka_bootstrap: str, registry: RegistryClient, confluent_registry, topic: str
) -> None:
    value_ctx, theirs = SerializationContext(topic, "value"), ConfluentContext(topic, "value")
    v1 = AvroSerializer(registry, USER_V1)(RECORDS[0], value_ctx)
    confluent_registry.register_schema(f"{topic}-value", Schema(USER_V2, "AVRO"))
    v2_record = {**RECORDS[1], "country": "BE"}
    v2 = ConfluentAvroSerializer(confluent_registry, USER_V2)(v2_record, theirs)
    _produce(kafka_bootstrap, topic, [(None, v1), (None, v2)])

    messages = _consume(kafka_bootstrap, topic, 2)
    as_v2 = AvroDeserializer(registry, reader_schema=USER_V2)
    as_v1 = ConfluentAvroDeserializer(confluent_registry, USER_V1)

    assert [as_v2(m.value(), value_ctx) for m in messages] == [
        {**RECORDS[0], "country": "NL"},
        v2_record,
    ]
    assert [as_v1(m.value(), theirs) for m in messages] == [RECORDS[0], RECORDS[1]]


def test_use_latest_version_writes_confluent_registered_schema(
    registry: RegistryClient, confluent_registry: SchemaRegistryClient, topic: str
) -> None:
    schema_id = confluent_registry.register_schema(f"{topic}-value", Schema(USER_V2, "AVRO"))
    serializer = AvroSerializer(registry, None, use_latest_version=True)
    record = {**RECORDS[0], "country": "FR"}

    data = serializer(record, SerializationContext(topic, "value"))

    assert data[1:5] == schema_id.to_bytes(4, "big")
    assert ConfluentAvroDeserializer(confluent_registry)(
        data, ConfluentContext(topic, "value")
    ) == (record)


def test_unknown_schema_id_from_real_registry(registry: RegistryClient, topic: str) -> None:
    with pytest.raises(UnknownSchemaIdError) as err:
        AvroDeserializer(registry)(b"\x00\x7f\xff\xff\xf0\x02", SerializationContext(topic))

    assert err.value.schema_id == 0x7FFFFFF0


def test_string_keys_interoperate_with_kafka(kafka_bootstrap: str, topic: str) -> None:
    ctx = SerializationContext(topic, "key")
    _produce(kafka_bootstrap, topic, [(StringSerializer()("clé", ctx), b"v")])

    (message,) = _consume(kafka_bootstrap, topic, 1)

    assert StringDeserializer()(message.key(), ctx) == "clé"


def test_registry_that_is_down_gives_a_clear_connection_error() -> None:
    from pipeway.platform.ports import free_port
    from pipeway.serde.exceptions import RegistryUnavailableError

    url = f"http://127.0.0.1:{free_port()}"  # nothing listens here
    client = RegistryClient(url, timeout=2.0)
    serializer = AvroSerializer(client, '{"type": "record", "name": "R", "fields": []}')
    with pytest.raises(RegistryUnavailableError) as err:
        serializer({}, SerializationContext("t", "value"))
    assert url in str(err.value)
    assert "unreachable" in str(err.value)
