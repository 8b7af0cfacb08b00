"""Reproducible values for an Avro schema annotated with ``arg.properties``.

The schema is compiled once into a tree of small closures over one ``random.Random``, so a
record costs a handful of calls (see :class:`RecordGenerator` for reseeding and seeking).
Annotations follow confluentinc/avro-random-generator: ``options`` (any type, taken first),
``iteration`` (``start``/``step``/``restart``/``initial`` on numbers, booleans and strings),
``range`` (``[min, max)`` on numbers), ``length`` (strings, bytes, arrays, maps), ``regex``,
``prefix``/``suffix``, ``keys`` (map keys), ``odds`` (booleans) and ``position`` (a union
field's branch). Values are plain Python: dicts for records, ``str`` for enums, ``bytes``
for bytes/fixed, ``Decimal`` for decimals and ints for date/time/timestamp logical types.
"""

from __future__ import annotations

import decimal
import random
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from pipeway.connect.api import AvroSchema
from pipeway.connect.sources.datagen import props as P
from pipeway.connect.sources.datagen.exceptions import SchemaAnnotationError
from pipeway.connect.sources.datagen.regex_gen import DEFAULT_LENGTH, compile_regex
from pipeway.connect.sources.datagen.schemas import clean_schema

Gen = Callable[[], Any]

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz-_ !?,."
"""Characters of strings with no ``regex`` or ``options`` (avro-random-generator's set)."""
TIME_WINDOW_MS = (1_577_836_800_000, 1_893_456_000_000)
"""Timestamps without a ``range`` fall in [2020-01-01, 2030-01-01) UTC."""
DAY_MS = 86_400_000
BLOCK = 1024
"""Records per reseed: seeking to record ``n`` regenerates at most this many records."""
PRIMITIVES = frozenset(("null", "boolean", "int", "long", "float", "double", "bytes", "string"))


class RecordGenerator:
    """Generates the values of one annotated schema, record after record.

    The random source is reseeded from ``(seed, n // BLOCK)`` at every block boundary, so
    the value at position ``n`` depends only on the seed and ``n``: :meth:`seek` jumps
    anywhere by reseeding at the block start and regenerating at most ``BLOCK - 1``
    records. ``iteration`` counters are set to the record position on seek, which is exact
    when each iterated field is generated once per record (as avro-random-generator's own
    resume assumes).

    Example::

        gen = RecordGenerator({"type": "record", "name": "n", "fields": [
            {"name": "id", "type": {"type": "int", "arg.properties": {"iteration": {"start": 1}}}}
        ]}, seed="7")
        assert gen.next() == {"id": 1} and gen.next() == {"id": 2}
    """

    def __init__(self, schema: AvroSchema, seed: int | str) -> None:
        self.annotated = schema
        self.schema = clean_schema(schema)
        self.seed = seed
        self.position = 0
        self._rng = random.Random()
        self._counters: list[list[int]] = []
        self._generate = _Compiler(self._rng, self._counters).compile(schema, "", "")

    def next(self) -> Any:
        """The value at :attr:`position`, then advance by one."""
        position = self.position
        if position % BLOCK == 0:
            self._rng.seed(f"{self.seed}/{position // BLOCK}")
        value = self._generate()
        self.position = position + 1
        return value

    def seek(self, position: int) -> None:
        """Continue from ``position`` exactly as an uninterrupted run would."""
        block_start = position - position % BLOCK
        for counter in self._counters:
            counter[0] = block_start
        self.position = block_start
        while self.position < position:
            self.next()


class _Compiler:
    """Turns schema nodes into generator closures; errors name the node's path."""

    def __init__(self, rng: random.Random, counters: list[list[int]]) -> None:
        self.rng = rng
        self.counters = counters
        self.named: dict[str, list[Gen]] = {}

    def compile(self, schema: Any, path: str, namespace: str) -> Gen:
        if isinstance(schema, str):
            return self.reference(schema, path, namespace)
        if isinstance(schema, list):
            return self.union(schema, {}, path, namespace)
        if not isinstance(schema, Mapping) or "type" not in schema:
            raise SchemaAnnotationError(path, f"not an Avro schema: {schema!r}")
        props = P.arg_properties(schema, path)
        avro_type = schema["type"]
        if avro_type in ("record", "error", "enum", "fixed"):
            return self.named_type(schema, props, path, namespace)
        if not isinstance(avro_type, str):
            return self.compile(avro_type, path, namespace)
        if avro_type not in PRIMITIVES and avro_type not in ("array", "map"):
            return self.reference(avro_type, path, namespace)
        if "options" in props:
            return self.options(props["options"], avro_type, path)
        if "iteration" in props:
            return self.iteration(props["iteration"], avro_type, props, path)
        return self.by_type(schema, avro_type, props, path, namespace)

    def reference(self, name: str, path: str, namespace: str) -> Gen:
        if name in PRIMITIVES:
            return self.by_type({"type": name}, name, {}, path, namespace)
        cell = self.named.get(name) or self.named.get(f"{namespace}.{name}")
        if cell is None:
            raise SchemaAnnotationError(path, f"unknown type {name!r}")
        return lambda: cell[0]()

    def named_type(
        self, schema: Mapping[str, Any], props: Mapping[str, Any], path: str, namespace: str
    ) -> Gen:
        name = schema.get("name")
        if not isinstance(name, str):
            raise SchemaAnnotationError(path, f"a {schema['type']} needs a name")
        space = schema.get("namespace", namespace) if "." not in name else name.rpartition(".")[0]
        full = name if "." in name or not space else f"{space}.{name}"
        cell: list[Gen] = []
        self.named[full] = cell  # registered first: a record may refer to itself
        path = path or full
        if "options" in props:
            cell.append(self.options(props["options"], schema["type"], path))
        elif schema["type"] == "enum":
            cell.append(self.enum(schema, path))
        elif schema["type"] == "fixed":
            cell.append(self.fixed(schema, path))
        else:
            cell.append(self.record(schema, path, space))
        return cell[0]

    def by_type(
        self,
        schema: Mapping[str, Any],
        avro_type: str,
        props: Mapping[str, Any],
        path: str,
        namespace: str,
    ) -> Gen:
        logical = schema.get("logicalType")
        if isinstance(logical, str) and "range" not in props:
            gen = logical_generator(logical, avro_type, schema, self.rng)
            if gen is not None:
                return gen
        if avro_type == "array":
            return self.array(schema, props, path, namespace)
        if avro_type == "map":
            return self.map(schema, props, path, namespace)
        if avro_type in P.NUMERIC_LIMITS:
            return self.numeric(avro_type, props, path)
        builders: dict[str, Callable[[], Gen]] = {
            "null": lambda: _const(None),
            "boolean": lambda: self.boolean(props, path),
            "string": lambda: self.string(props, path),
            "bytes": lambda: self.bytes(props, path),
        }
        if avro_type not in builders:
            raise SchemaAnnotationError(path, f"unknown Avro type {avro_type!r}")
        return builders[avro_type]()

    def record(self, schema: Mapping[str, Any], path: str, namespace: str) -> Gen:
        fields = schema.get("fields")
        if not isinstance(fields, list):
            raise SchemaAnnotationError(path, "a record needs a list of fields")
        names: list[str] = []
        gens: list[Gen] = []
        for field in fields:
            if not isinstance(field, Mapping) or not isinstance(field.get("name"), str):
                raise SchemaAnnotationError(path, f"bad field {field!r}")
            field_path = f"{path}.{field['name']}"
            names.append(field["name"])
            gens.append(self.field(field, field_path, namespace))
        pairs = list(zip(names, gens, strict=True))
        return lambda: {name: gen() for name, gen in pairs}

    def field(self, field: Mapping[str, Any], path: str, namespace: str) -> Gen:
        field_props = P.arg_properties(field, path)
        if isinstance(field["type"], list):
            return self.union(field["type"], field_props, path, namespace)
        return self.compile(field["type"], path, namespace)

    def union(
        self, branches: list[Any], props: Mapping[str, Any], path: str, namespace: str
    ) -> Gen:
        if not branches:
            raise SchemaAnnotationError(path, "a union needs at least one branch")
        gens = [self.compile(b, f"{path}[{i}]", namespace) for i, b in enumerate(branches)]
        position = props.get("position")
        if position is not None:
            if not isinstance(position, int) or not 0 <= position < len(gens):
                raise SchemaAnnotationError(path, "position must index the union's branches")
            return gens[position]
        if len(gens) == 1:
            return gens[0]
        rnd, count = self.rng.random, len(gens)
        return lambda: gens[int(rnd() * count)]()

    def options(self, spec: Any, avro_type: str, path: str) -> Gen:
        values = P.load_options_file(spec, path) if isinstance(spec, Mapping) else spec
        if not isinstance(values, list) or not values:
            raise SchemaAnnotationError(path, "options must be a non-empty list")
        options = [option_value(v, avro_type, path) for v in values]
        if len(options) == 1:
            return _const(options[0])
        return _picker(options, self.rng)

    def iteration(self, spec: Any, avro_type: str, props: Mapping[str, Any], path: str) -> Gen:
        counter = [0]
        self.counters.append(counter)
        if avro_type == "boolean":
            return boolean_iteration(spec, counter, path)
        if avro_type not in P.NUMERIC_LIMITS and avro_type != "string":
            raise SchemaAnnotationError(path, f"iteration is not supported on {avro_type}")
        start, restart, step, initial = P.iteration_bounds(spec, avro_type, path)
        span, sign, offset = abs(restart - start), (1 if step > 0 else -1), initial - start

        def next_value() -> Any:
            k = counter[0]
            counter[0] = k + 1
            return start + sign * (abs(offset + k * step) % span)

        if avro_type != "string":
            return next_value
        prefix, suffix = affixes(props, path)
        return lambda: f"{prefix}{next_value()}{suffix}"

    def numeric(self, avro_type: str, props: Mapping[str, Any], path: str) -> Gen:
        if avro_type in ("int", "long") and "range" not in props:
            bits = 32 if avro_type == "int" else 64
            getrandbits, half = self.rng.getrandbits, 1 << (bits - 1)
            return lambda: getrandbits(bits) - half
        if "range" not in props:
            return self.rng.random
        low, high = P.range_bounds(props, avro_type, path, P.NUMERIC_LIMITS[avro_type])
        rnd = self.rng.random
        if avro_type in ("int", "long"):
            ilow, ispan = int(low), int(high) - int(low)
            return lambda: ilow + int(rnd() * ispan)

        def between() -> float:
            r = rnd()
            return low * (1.0 - r) + high * r  # no overflow even at the type's limits

        return between

    def boolean(self, props: Mapping[str, Any], path: str) -> Gen:
        odds = P.number(props.get("odds", 0.5), path, "odds", integral=False)
        if not 0.0 <= odds <= 1.0:
            raise SchemaAnnotationError(path, "odds must be in [0.0, 1.0]")
        rnd = self.rng.random
        return lambda: rnd() < odds

    def string(self, props: Mapping[str, Any], path: str) -> Gen:
        prefix, suffix = affixes(props, path)
        regex = props.get("regex")
        if regex is not None:
            if not isinstance(regex, str):
                raise SchemaAnnotationError(path, "regex must be a string")
            length = P.length_bounds(props, path) if "length" in props else DEFAULT_LENGTH
            base = compile_regex(regex, self.rng, length)
        else:
            base = self.random_text(P.length_bounds(props, path))
        if not prefix and not suffix:
            return base
        return lambda: f"{prefix}{base()}{suffix}"

    def random_text(self, bounds: tuple[int, int]) -> Callable[[], str]:
        low, span = bounds[0], bounds[1] - bounds[0]
        rnd, choices = self.rng.random, self.rng.choices
        return lambda: "".join(choices(ALPHABET, k=low + int(rnd() * span)))

    def bytes(self, props: Mapping[str, Any], path: str) -> Gen:
        low, high = P.length_bounds(props, path)
        rnd, randbytes = self.rng.random, self.rng.randbytes
        return lambda: randbytes(low + int(rnd() * (high - low)))

    def enum(self, schema: Mapping[str, Any], path: str) -> Gen:
        symbols = schema.get("symbols")
        if not isinstance(symbols, list) or not symbols:
            raise SchemaAnnotationError(path, "an enum needs symbols")
        return _picker(symbols, self.rng)

    def fixed(self, schema: Mapping[str, Any], path: str) -> Gen:
        size = schema.get("size")
        if not isinstance(size, int) or size < 0:
            raise SchemaAnnotationError(path, "a fixed needs a size")
        if schema.get("logicalType") == "decimal":
            return decimal_generator(schema, self.rng)
        randbytes = self.rng.randbytes
        return lambda: randbytes(size)

    def array(
        self, schema: Mapping[str, Any], props: Mapping[str, Any], path: str, namespace: str
    ) -> Gen:
        items = self.compile(schema.get("items"), f"{path}[]", namespace)
        low, high = P.length_bounds(props, path)
        rnd = self.rng.random
        return lambda: [items() for _ in range(low + int(rnd() * (high - low)))]

    def map(
        self, schema: Mapping[str, Any], props: Mapping[str, Any], path: str, namespace: str
    ) -> Gen:
        values = self.compile(schema.get("values"), f"{path}{{}}", namespace)
        keys = self.map_keys(props.get("keys"), path)
        low, high = P.length_bounds(props, path)
        rnd = self.rng.random
        return lambda: {keys(): values() for _ in range(low + int(rnd() * (high - low)))}

    def map_keys(self, spec: Any, path: str) -> Gen:
        if spec is None:
            return self.random_text((1, 2))  # as the original: one random character
        if not isinstance(spec, Mapping):
            raise SchemaAnnotationError(path, "keys must be an object")
        key_schema = {"type": "string", "arg.properties": spec}
        return self.compile(key_schema, f"{path}.keys", "")


def logical_generator(
    logical: str, avro_type: str, schema: Mapping[str, Any], rng: random.Random
) -> Gen | None:
    """A generator for a logical type with no ``range`` (None: use the underlying type)."""
    rnd = rng.random
    low, high = TIME_WINDOW_MS
    windows: dict[tuple[str, str], tuple[int, int]] = {
        ("long", "timestamp-millis"): (low, high),
        ("long", "local-timestamp-millis"): (low, high),
        ("long", "timestamp-micros"): (low * 1000, high * 1000),
        ("long", "local-timestamp-micros"): (low * 1000, high * 1000),
        ("int", "date"): (low // DAY_MS, high // DAY_MS),
        ("int", "time-millis"): (0, DAY_MS),
        ("long", "time-micros"): (0, DAY_MS * 1000),
    }
    window = windows.get((avro_type, logical))
    if window is not None:
        start, span = window[0], window[1] - window[0]
        return lambda: start + int(rnd() * span)
    if avro_type == "string" and logical == "uuid":
        getrandbits = rng.getrandbits
        return lambda: str(uuid.UUID(int=getrandbits(128), version=4))
    if avro_type == "bytes" and logical == "decimal":
        return decimal_generator(schema, rng)
    return None


def decimal_generator(schema: Mapping[str, Any], rng: random.Random) -> Gen:
    """Decimals with the schema's precision and scale (unscaled value uniform in range)."""
    precision, scale = int(schema.get("precision", 1)), int(schema.get("scale", 0))
    if isinstance(schema.get("size"), int):
        precision = min(precision, len(str(2 ** (8 * schema["size"] - 1) - 1)))
    bound = 10**precision
    randrange = rng.randrange
    return lambda: decimal.Decimal(randrange(1 - bound, bound)).scaleb(-scale)


def boolean_iteration(spec: Any, counter: list[int], path: str) -> Gen:
    """Booleans alternating from ``start`` (the only field allowed for a boolean)."""
    if not isinstance(spec, Mapping) or not isinstance(spec.get("start"), bool):
        raise SchemaAnnotationError(path, "iteration.start must be a boolean")
    if "restart" in spec or "step" in spec:
        raise SchemaAnnotationError(path, "a boolean iteration takes only 'start'")
    start = spec["start"]

    def next_value() -> bool:
        k = counter[0]
        counter[0] = k + 1
        return start != (k % 2 == 1)

    return next_value


def option_value(value: Any, avro_type: str, path: str) -> Any:
    """An ``options`` entry as the Python value of its Avro type."""
    if avro_type in ("bytes", "fixed") and isinstance(value, str):
        return value.encode("utf-8")
    if avro_type in ("float", "double") and isinstance(value, int):
        return float(value)
    expected: dict[str, type | tuple[type, ...]] = {
        "int": int,
        "long": int,
        "float": float,
        "double": float,
        "string": str,
        "enum": str,
        "boolean": bool,
        "record": dict,
        "array": list,
        "map": dict,
    }
    kind = expected.get(avro_type)
    if kind is not None and not isinstance(value, kind):
        raise SchemaAnnotationError(path, f"option {value!r} is not a valid {avro_type}")
    return value


def affixes(props: Mapping[str, Any], path: str) -> tuple[str, str]:
    prefix, suffix = props.get("prefix", ""), props.get("suffix", "")
    if not isinstance(prefix, str) or not isinstance(suffix, str):
        raise SchemaAnnotationError(path, "prefix and suffix must be strings")
    return prefix, suffix


def _picker(items: list[Any], rng: random.Random) -> Gen:
    """A uniform pick; indexing with ``random()`` is about twice as fast as ``choice``."""
    rnd, count = rng.random, len(items)
    return lambda: items[int(rnd() * count)]


def _const(value: Any) -> Gen:
    return lambda: value
