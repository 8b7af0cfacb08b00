from __future__ import annotations

from typing import Any

import pytest

from pipeway.registry.compatibility import CompatibilityLevel, check_compatibility
from pipeway.registry.exceptions import InvalidCompatibilityLevelError
from pipeway.registry.schemas import AVRO, JSON, ParsedSchema, SchemaReference, parse_schema
from tests.unit.registry.conftest import avro_record


def no_refs(ref: SchemaReference) -> Any:
    raise AssertionError(ref)


def avro(*fields: Any) -> ParsedSchema:
    return parse_schema(AVRO, avro_record("R", *fields), (), no_refs)


def json_schema(text: str) -> ParsedSchema:
    return parse_schema(JSON, text, (), no_refs)


A = ("a", "int")
A_DEFAULT = ("a", "int", 0)
B = ("b", "string")
B_DEFAULT = ("b", "string", "x")
C = ("c", "int")
C_DEFAULT = ("c", "int", 0)

# level -> (history oldest first, compatible new schema, incompatible new schema)
CASES: dict[str, tuple[list[ParsedSchema], ParsedSchema, ParsedSchema]] = {
    "NONE": ([avro(A)], avro(("a", "string")), avro(("a", "string"))),
    "BACKWARD": ([avro(A)], avro(A, B_DEFAULT), avro(A, C)),
    # the incompatible one only breaks against version 1 (reads b, which v1 lacks)
    "BACKWARD_TRANSITIVE": ([avro(A), avro(A, B_DEFAULT)], avro(A, B_DEFAULT, C_DEFAULT), avro(B)),
    "FORWARD": ([avro(A, B_DEFAULT)], avro(A), avro(B)),
    # the incompatible one only breaks for version 1 readers (which need a)
    "FORWARD_TRANSITIVE": ([avro(A), avro(A_DEFAULT, B)], avro(A, B, C), avro(B)),
    "FULL": ([avro(A)], avro(A, B_DEFAULT), avro(A, C)),
    "FULL_TRANSITIVE": ([avro(A), avro(A_DEFAULT)], avro(A, C_DEFAULT), avro(C_DEFAULT)),
}


def history(schemas: list[ParsedSchema]) -> list[tuple[int, ParsedSchema]]:
    return list(enumerate(schemas, start=1))


@pytest.mark.parametrize("level", list(CASES))
def test_compatible_change_passes(level: str) -> None:
    previous, good, _ = CASES[level]
    assert check_compatibility(CompatibilityLevel(level), good, history(previous)) == []


@pytest.mark.parametrize("level", [name for name in CASES if name != "NONE"])
def test_incompatible_change_fails_with_messages(level: str) -> None:
    previous, _, bad = CASES[level]
    messages = check_compatibility(CompatibilityLevel(level), bad, history(previous))
    assert messages, level
    assert messages[-1] == f"{{compatibility: '{level}'}}"
    assert any(m.startswith("{errorType:") for m in messages)


def test_none_accepts_anything() -> None:
    previous, _, bad = CASES["NONE"]
    assert check_compatibility(CompatibilityLevel.NONE, bad, history(previous)) == []


@pytest.mark.parametrize("level", ["BACKWARD_TRANSITIVE", "FORWARD_TRANSITIVE", "FULL_TRANSITIVE"])
def test_non_transitive_level_only_checks_the_latest(level: str) -> None:
    previous, _, bad = CASES[level]
    plain = CompatibilityLevel(level.removesuffix("_TRANSITIVE"))
    assert check_compatibility(plain, bad, history(previous)) == []


def test_message_names_the_missing_default() -> None:
    messages = check_compatibility(CompatibilityLevel.BACKWARD, avro(A, C), history([avro(A)]))
    assert "READER_FIELD_MISSING_DEFAULT_VALUE" in messages[0]
    assert "{oldSchemaVersion: 1}" in messages


def test_levels_parse_case_insensitively() -> None:
    assert CompatibilityLevel.parse("full_transitive") is CompatibilityLevel.FULL_TRANSITIVE
    with pytest.raises(InvalidCompatibilityLevelError):
        CompatibilityLevel.parse("SIDEWAYS")


OBJECT = '{"type":"object","properties":{"a":{"type":"string"}}}'


@pytest.mark.parametrize(
    ("new", "compatible"),
    [
        ('{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}}}', True),
        ('{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}', False),
        ('{"type":"object","properties":{"a":{"type":"integer"}}}', False),
        ('{"type":"object","properties":{},"additionalProperties":false}', False),
    ],
)
def test_json_backward_rule(new: str, compatible: bool) -> None:
    messages = check_compatibility(
        CompatibilityLevel.BACKWARD, json_schema(new), history([json_schema(OBJECT)])
    )
    assert (messages == []) is compatible, messages


def test_json_number_widening_is_backward_but_not_forward() -> None:
    old = json_schema('{"type":"integer"}')
    new = json_schema('{"type":"number"}')
    assert check_compatibility(CompatibilityLevel.BACKWARD, new, history([old])) == []
    assert check_compatibility(CompatibilityLevel.FORWARD, new, history([old]))


def test_schema_type_change_is_incompatible() -> None:
    messages = check_compatibility(
        CompatibilityLevel.BACKWARD, json_schema(OBJECT), history([avro(A)])
    )
    assert "SCHEMA_TYPE_MISMATCH" in messages[0]
