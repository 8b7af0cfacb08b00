from __future__ import annotations

import pytest

from pipeway.registry.exceptions import InvalidSchemaError
from pipeway.registry.schemas import (
    AVRO,
    JSON,
    ReferencedSchema,
    SchemaReference,
    parse_schema,
)
from tests.unit.registry.conftest import avro_record


def no_refs(ref: SchemaReference) -> ReferencedSchema:
    raise InvalidSchemaError(f"reference {ref.name} not found")


def test_avro_text_is_compact_and_keeps_attributes() -> None:
    raw = (
        '{ "type": "record", "name": "U", "doc": "d",\n "fields": [ {"name": "a", "type": "int"}]}'
    )
    parsed = parse_schema(AVRO, raw, (), no_refs)
    assert (
        parsed.text == '{"type":"record","name":"U","doc":"d","fields":[{"name":"a","type":"int"}]}'
    )


@pytest.mark.parametrize(
    "variant",
    [
        '{"name":"U","type":"record","fields":[{"type":"int","name":"a"}]}',  # key order
        '{"type":"record","name":"U","fields":[{"name":"a","type":{"type":"int"}}]}',  # long form
        '  {"type":"record","name":"U","fields":[{"name":"a","type":"int"}]}  ',  # whitespace
    ],
)
def test_avro_equivalent_texts_share_a_fingerprint(variant: str) -> None:
    base = parse_schema(AVRO, avro_record("U", ("a", "int")), (), no_refs)
    assert parse_schema(AVRO, variant, (), no_refs).fingerprint == base.fingerprint


def test_avro_different_schemas_differ() -> None:
    one = parse_schema(AVRO, avro_record("U", ("a", "int")), (), no_refs)
    other = parse_schema(AVRO, avro_record("U", ("a", "long")), (), no_refs)
    assert one.fingerprint != other.fingerprint


def test_normalize_serves_the_identity_form() -> None:
    raw = '{"name":"U","type":"record","fields":[{"type":{"type":"int"},"name":"a"}]}'
    parsed = parse_schema(AVRO, raw, (), no_refs, normalize=True)
    assert parsed.text == parsed.normalized
    assert parsed.text == '{"fields":[{"name":"a","type":"int"}],"name":"U","type":"record"}'


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ('{"type":"record","name":"U","fields":[{"name":"a","type":"nope"}]}', "nope"),
        ('{"type":"record","name":"U"}', "Invalid schema"),
        ("not json", "not valid JSON"),
        ("", "Empty schema"),
    ],
)
def test_invalid_avro_reports_the_parser_message(raw: str, fragment: str) -> None:
    with pytest.raises(InvalidSchemaError) as caught:
        parse_schema(AVRO, raw, (), no_refs)
    assert caught.value.error_code == 42201
    assert fragment in caught.value.message


def test_avro_references_are_resolved() -> None:
    other = (
        '{"type":"record","name":"Other","namespace":"acme","fields":[{"name":"x","type":"int"}]}'
    )
    ref = SchemaReference("acme.Other", "other-value", 1)

    def resolve(wanted: SchemaReference) -> ReferencedSchema:
        assert wanted == ref
        return ReferencedSchema(AVRO, other, ())

    main = avro_record("Main", ("o", "acme.Other"))
    parsed = parse_schema(AVRO, main, (ref,), resolve, normalize=True)
    assert '"type":"acme.Other"' in parsed.text  # stays a reference, not inlined
    with pytest.raises(InvalidSchemaError):
        parse_schema(AVRO, main, (), no_refs)  # without the reference the type is unknown


def test_missing_reference_is_invalid() -> None:
    ref = SchemaReference("acme.Other", "missing", 1)
    with pytest.raises(InvalidSchemaError, match="not found"):
        parse_schema(AVRO, avro_record("M", ("o", "acme.Other")), (ref,), no_refs)


def test_json_schema_is_checked_against_its_meta_schema() -> None:
    good = '{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}'
    parsed = parse_schema(JSON, good, (), no_refs)
    assert parsed.normalized == (
        '{"properties":{"a":{"type":"string"}},"required":["a"],"type":"object"}'
    )
    with pytest.raises(InvalidSchemaError, match="is not valid under any of the given schemas"):
        parse_schema(JSON, '{"type": 5}', (), no_refs)
    with pytest.raises(InvalidSchemaError, match="object or a boolean"):
        parse_schema(JSON, "[1, 2]", (), no_refs)


def test_unsupported_type_is_invalid() -> None:
    with pytest.raises(InvalidSchemaError, match="PROTOBUF"):
        parse_schema("PROTOBUF", 'syntax = "proto3";', (), no_refs)
