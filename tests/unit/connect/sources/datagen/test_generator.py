from __future__ import annotations

import decimal
import re
import uuid
from typing import Any

import fastavro
import pytest

from pipeway.connect.sources.datagen.exceptions import SchemaAnnotationError
from pipeway.connect.sources.datagen.generator import BLOCK, RecordGenerator
from pipeway.connect.sources.datagen.schemas import clean_schema


def field(avro_type: Any, **props: Any) -> dict[str, Any]:
    node = {"type": avro_type} if isinstance(avro_type, str) else dict(avro_type)
    if props:
        node["arg.properties"] = props
    return node


def record(**fields: Any) -> dict[str, Any]:
    return {
        "type": "record",
        "name": "r",
        "namespace": "test",
        "fields": [{"name": name, "type": t} for name, t in fields.items()],
    }


def values(schema: dict[str, Any], n: int = 200, seed: int | str = 1) -> list[dict[str, Any]]:
    gen = RecordGenerator(schema, seed=seed)
    out = [gen.next() for _ in range(n)]
    parsed = fastavro.parse_schema(gen.schema)
    for value in out:
        assert fastavro.validation.validate(value, parsed)
    return out


def column(schema: dict[str, Any], name: str, n: int = 200) -> list[Any]:
    return [v[name] for v in values(schema, n)]


class TestIteration:
    def test_start_and_default_step(self) -> None:
        assert column(record(n=field("int", iteration={"start": 5})), "n", 4) == [5, 6, 7, 8]

    def test_step_and_restart_wrap_around(self) -> None:
        schema = record(n=field("long", iteration={"start": 0, "step": 3, "restart": 10}))
        assert column(schema, "n", 6) == [0, 3, 6, 9, 2, 5]

    def test_negative_step_counts_down(self) -> None:
        schema = record(n=field("int", iteration={"start": 3, "restart": 0}))
        assert column(schema, "n", 5) == [3, 2, 1, 3, 2]

    def test_initial_value(self) -> None:
        schema = record(n=field("int", iteration={"start": 0, "restart": 4, "initial": 2}))
        assert column(schema, "n", 4) == [2, 3, 0, 1]

    def test_doubles(self) -> None:
        schema = record(x=field("double", iteration={"start": 1.5, "step": 0.5}))
        assert column(schema, "x", 3) == [1.5, 2.0, 2.5]

    def test_booleans_alternate(self) -> None:
        schema = record(b=field("boolean", iteration={"start": True}))
        assert column(schema, "b", 4) == [True, False, True, False]

    def test_strings_with_prefix(self) -> None:
        schema = record(s=field("string", iteration={"start": 1}, prefix="id-"))
        assert column(schema, "s", 3) == ["id-1", "id-2", "id-3"]

    def test_counters_are_per_field(self) -> None:
        schema = record(
            a=field("int", iteration={"start": 0}), b=field("int", iteration={"start": 100})
        )
        assert values(schema, 2) == [{"a": 0, "b": 100}, {"a": 1, "b": 101}]


class TestRange:
    @pytest.mark.parametrize("avro_type", ["int", "long"])
    def test_integers_cover_min_inclusive_max_exclusive(self, avro_type: str) -> None:
        schema = record(n=field(avro_type, range={"min": -2, "max": 3}))
        assert set(column(schema, "n", 500)) == {-2, -1, 0, 1, 2}

    @pytest.mark.parametrize("avro_type", ["float", "double"])
    def test_floats_stay_in_range(self, avro_type: str) -> None:
        got = column(record(x=field(avro_type, range={"min": 0.1, "max": 10.0})), "x", 500)
        assert all(0.1 <= x < 10.0 for x in got)
        assert all(isinstance(x, float) for x in got)

    def test_only_min(self) -> None:
        got = column(record(n=field("int", range={"min": 2_000_000_000})), "n", 100)
        assert all(2_000_000_000 <= n < 2**31 for n in got)

    def test_unbounded_numbers_fit_their_type(self) -> None:
        got = values(record(i="int", l="long", f="float", d="double"), 300)
        assert all(-(2**31) <= v["i"] < 2**31 and -(2**63) <= v["l"] < 2**63 for v in got)


class TestOptions:
    def test_picks_every_option(self) -> None:
        schema = record(s=field("string", options=["a", "b", "c"]))
        assert set(column(schema, "s", 300)) == {"a", "b", "c"}

    def test_record_options(self) -> None:
        inner = {
            "type": "record",
            "name": "code",
            "fields": [{"name": "code", "type": "int"}, {"name": "text", "type": "string"}],
            "arg.properties": {"options": [{"code": 1, "text": "one"}, {"code": 2, "text": "two"}]},
        }
        got = column(record(c=inner), "c", 100)
        assert {v["code"] for v in got} == {1, 2}

    def test_bytes_and_numbers_are_converted(self) -> None:
        got = values(record(b=field("bytes", options=["hi"]), d=field("double", options=[1])), 2)
        assert got[0] == {"b": b"hi", "d": 1.0}

    def test_options_file(self, tmp_path: Any) -> None:
        path = tmp_path / "opts.json"
        path.write_text('"x"\n"y" "z"')
        schema = record(s=field("string", options={"file": str(path), "encoding": "json"}))
        assert set(column(schema, "s", 200)) == {"x", "y", "z"}

    def test_invalid_option_names_the_field(self) -> None:
        with pytest.raises(SchemaAnnotationError, match=r"test\.r\.n: option 'x'"):
            RecordGenerator(record(n=field("int", options=["x"])), seed=0)


class TestLengthRegexAndCollections:
    def test_regex(self) -> None:
        got = column(record(u=field("string", regex="User_[1-9]{0,1}")), "u", 300)
        assert all(re.fullmatch("User_[1-9]", u) for u in got)

    def test_exact_length_string_and_bytes(self) -> None:
        got = values(record(s=field("string", length=5), b=field("bytes", length=3)), 50)
        assert {len(v["s"]) for v in got} == {5} and {len(v["b"]) for v in got} == {3}

    def test_length_range_on_arrays(self) -> None:
        schema = record(a=field({"type": "array", "items": "int"}, length={"min": 1, "max": 3}))
        assert {len(a) for a in column(schema, "a", 300)} == {1, 2}

    def test_default_length_is_8_to_15(self) -> None:
        lengths = {len(s) for s in column(record(s="string"), "s", 500)}
        assert lengths == set(range(8, 16))

    def test_map_keys(self) -> None:
        keys = {"options": ["k1", "k2"]}
        schema = record(m=field({"type": "map", "values": "int"}, length=4, keys=keys))
        assert all(set(m) <= {"k1", "k2"} for m in column(schema, "m", 50))

    def test_nested_records_enums_and_fixed(self) -> None:
        nested = {"type": "record", "name": "inner", "fields": [{"name": "x", "type": "int"}]}
        enum = {"type": "enum", "name": "colour", "symbols": ["RED", "GREEN"]}
        fixed = {"type": "fixed", "name": "f4", "size": 4}
        got = values(record(inner=nested, colour=enum, f=fixed, again="inner"), 100)
        assert {v["colour"] for v in got} == {"RED", "GREEN"}
        assert all(len(v["f"]) == 4 and set(v["again"]) == {"x"} for v in got)


class TestUnionsAndLogicalTypes:
    def test_union_picks_every_branch(self) -> None:
        got = column(record(u=["null", "string"]), "u", 200)
        assert None in got and any(isinstance(v, str) for v in got)

    def test_union_position(self) -> None:
        schema = {
            "type": "record",
            "name": "r",
            "fields": [
                {"name": "u", "type": ["null", "int"], "arg.properties": {"position": 1}},
            ],
        }
        assert all(isinstance(v, int) for v in column(schema, "u", 50))

    def test_logical_types(self) -> None:
        got = values(
            record(
                ts={"type": "long", "logicalType": "timestamp-millis"},
                day={"type": "int", "logicalType": "date"},
                id={"type": "string", "logicalType": "uuid"},
                amount={"type": "bytes", "logicalType": "decimal", "precision": 6, "scale": 2},
            ),
            100,
        )
        for v in got:
            assert 1_577_836_800_000 <= v["ts"] < 1_893_456_000_000
            assert uuid.UUID(v["id"]).version == 4
            assert isinstance(v["amount"], decimal.Decimal) and abs(v["amount"]) < 10_000

    def test_timestamp_range_is_honoured(self) -> None:
        ts = field({"type": "long", "logicalType": "timestamp-millis"}, range={"min": 0, "max": 9})
        assert all(0 <= t < 9 for t in column(record(ts=ts), "ts", 100))


class TestReproducibility:
    SCHEMA = record(n=field("int", iteration={"start": 0}), s="string", x="double")

    def test_same_seed_same_values(self) -> None:
        assert values(self.SCHEMA, 50, seed="a") == values(self.SCHEMA, 50, seed="a")

    def test_different_seed_different_values(self) -> None:
        assert values(self.SCHEMA, 50, seed="a:0") != values(self.SCHEMA, 50, seed="a:1")

    @pytest.mark.parametrize("position", [0, 1, BLOCK - 1, BLOCK, BLOCK + 7, 3 * BLOCK + 2])
    def test_seek_continues_the_uninterrupted_sequence(self, position: int) -> None:
        uninterrupted = values(self.SCHEMA, position + 20, seed=5)
        resumed = RecordGenerator(self.SCHEMA, seed=5)
        resumed.seek(position)
        assert [resumed.next() for _ in range(20)] == uninterrupted[position:]


class TestSchemaErrors:
    @pytest.mark.parametrize(
        ("props", "message"),
        [
            ({"range": {"min": 5, "max": 1}}, "range.min must be strictly less"),
            ({"range": {"min": 0.5}}, "range.min must be an integral number"),
            ({"options": []}, "options must be a non-empty list"),
            ({"options": [1], "range": {"min": 0}}, "cannot give 'range' together"),
            ({"iteration": {"step": 1}}, "iteration must be an object with a 'start'"),
            ({"iteration": {"start": 0, "step": 0}}, "iteration.step cannot be zero"),
            ({"iteration": {"start": 5, "restart": 1, "step": 1}}, "towards restart"),
        ],
    )
    def test_bad_annotations_name_the_field(self, props: dict[str, Any], message: str) -> None:
        with pytest.raises(SchemaAnnotationError, match=message) as info:
            RecordGenerator(record(n=field("int", **props)), seed=0)
        assert info.value.path == "test.r.n"

    def test_bad_length(self) -> None:
        with pytest.raises(SchemaAnnotationError, match="length needs 0 <= min < max"):
            RecordGenerator(record(s=field("string", length={"min": 3, "max": 3})), seed=0)


def test_clean_schema_strips_arg_properties() -> None:
    schema = record(
        n=field("int", range={"min": 0, "max": 3}),
        a=field({"type": "array", "items": field("string", regex="x")}, length=2),
        t=field({"type": "long", "logicalType": "timestamp-millis"}, iteration={"start": 0}),
    )
    assert clean_schema(schema)["fields"] == [
        {"name": "n", "type": "int"},
        {"name": "a", "type": {"type": "array", "items": "string"}},
        {"name": "t", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    ]
    assert "arg.properties" in schema["fields"][0]["type"]  # the input is left untouched
