"""Exception hierarchy, messages and picklability."""

from __future__ import annotations

import pickle

import pytest

from pipeway.errors import ConfigError, PipewayError, TransientError
from pipeway.serde import (
    ConnectDataError,
    DeserializationError,
    IncompatibleSchemaError,
    RegistryServerError,
    RegistryUnavailableError,
    SchemaConversionError,
    SchemaParseError,
    SchemaRegistryError,
    SerdeConfigError,
    SerdeError,
    SerializationError,
    SubjectNotFoundError,
    UnknownSchemaIdError,
    WireFormatError,
)

EXAMPLES = [
    SerializationError("bad", "orders", "value", "com.example.Order.id"),
    SerializationError("bad"),
    DeserializationError("bad", "orders", "key"),
    WireFormatError("not Confluent wire format (magic byte 1)", "orders", "value"),
    UnknownSchemaIdError(7, "orders", "value"),
    SchemaParseError("oops", 3, "orders-value"),
    SchemaConversionError("union", "a.b"),
    SchemaRegistryError(400, 40001, "bad request", "http://r/x"),
    SubjectNotFoundError(404, 40401, "Subject not found", None),
    IncompatibleSchemaError(409, 409, "incompatible", "http://r/subjects/s/versions"),
    RegistryServerError(500, 50001, "store error", None),
    RegistryUnavailableError("http://127.0.0.1:8081", "connection refused"),
    SerdeConfigError("value.converter.schemas.enable", "not a bool"),
    ConnectDataError("expected int32", "order.id"),
]


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda e: type(e).__name__)
def test_pickle_round_trip(error: SerdeError):
    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.__dict__ == error.__dict__
    assert copy.args == error.args


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda e: type(e).__name__)
def test_all_are_pipeway_errors(error: SerdeError):
    assert isinstance(error, SerdeError)
    assert isinstance(error, PipewayError)


def test_transient_ones():
    assert isinstance(RegistryUnavailableError("u", "r"), TransientError)
    assert isinstance(RegistryServerError(503, 503, "m"), TransientError)
    assert isinstance(RegistryServerError(503, 503, "m"), SchemaRegistryError)
    assert not isinstance(SubjectNotFoundError(404, 40401, "m"), TransientError)


def test_config_error_is_both():
    error = SerdeConfigError("k", "r")

    assert isinstance(error, ConfigError)
    assert isinstance(error, SerdeError)


def test_messages_name_inputs():
    assert str(EXAMPLES[0]) == (
        "cannot serialize value of topic 'orders' at field 'com.example.Order.id': bad"
    )
    assert str(EXAMPLES[1]) == "cannot serialize message: bad"
    assert str(EXAMPLES[4]).startswith("cannot deserialize value of topic 'orders': schema id 7")
    assert str(EXAMPLES[5]) == "invalid Avro schema (schema id 3, subject 'orders-value'): oops"
    assert "HTTP 409, error_code 409" in str(EXAMPLES[9])
    assert str(EXAMPLES[11]) == (
        "schema registry at http://127.0.0.1:8081 is unreachable: connection refused"
    )
    assert (
        str(EXAMPLES[12]) == "invalid converter config 'value.converter.schemas.enable': not a bool"
    )
