"""Reading avro-random-generator's ``arg.properties`` values into plain bounds.

Each helper checks one annotation the way avro-random-generator does (ranges are ``[min,
max)``, a JSON number ``length`` means exactly that length, ``iteration`` needs ``start``)
and raises :class:`SchemaAnnotationError` naming the schema path, so a bad schema fails
when the connector is configured rather than in a running task.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeway.connect.sources.datagen.exceptions import SchemaAnnotationError

DEFAULT_LENGTH = (8, 16)
"""Length range ``[min, max)`` of strings, bytes, arrays and maps without ``length``."""
OPEN_LENGTH_SPAN = 16
"""How far past ``min`` a ``length`` with no ``max`` may go (the original allows 2**31)."""

FLOAT_MAX = 3.4028234663852886e38
NUMERIC_LIMITS: dict[str, tuple[float, float]] = {
    "int": (-(2**31), 2**31 - 1),
    "long": (-(2**63), 2**63 - 1),
    "float": (-FLOAT_MAX, FLOAT_MAX),
    "double": (-1.7976931348623157e308, 1.7976931348623157e308),
}
EXCLUSIVE = {
    "options": ("length", "regex", "iteration", "range"),
    "iteration": ("length", "regex", "options", "range"),
}


def arg_properties(schema: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    """The ``arg.properties`` object of a schema node (empty when absent)."""
    props = schema.get("arg.properties", {})
    if not isinstance(props, Mapping):
        raise SchemaAnnotationError(path, "arg.properties must be an object")
    for prop, excluded in EXCLUSIVE.items():
        clash = [e for e in excluded if prop in props and e in props]
        if clash:
            raise SchemaAnnotationError(path, f"cannot give {clash[0]!r} together with {prop!r}")
    return props


def number(value: Any, path: str, what: str, *, integral: bool) -> float:
    """``value`` as a number, rejecting booleans and (when ``integral``) fractions."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or (integral and not isinstance(value, int)) or not math.isfinite(value):
        kind = "an integral number" if integral else "a number"
        raise SchemaAnnotationError(path, f"{what} must be {kind}, got {value!r}")
    return value


def length_bounds(props: Mapping[str, Any], path: str) -> tuple[int, int]:
    """The ``length`` annotation as ``[min, max)``; a number ``n`` means exactly ``n``."""
    spec = props.get("length")
    if spec is None:
        return DEFAULT_LENGTH
    if isinstance(spec, int) and not isinstance(spec, bool):
        if spec < 0:
            raise SchemaAnnotationError(path, "length cannot be negative")
        return spec, spec + 1
    if not isinstance(spec, Mapping) or ("min" not in spec and "max" not in spec):
        raise SchemaAnnotationError(path, "length must be a number or an object with min/max")
    low = int(number(spec.get("min", 0), path, "length.min", integral=True))
    default_high = low + OPEN_LENGTH_SPAN
    high = int(number(spec.get("max", default_high), path, "length.max", integral=True))
    if low < 0 or high <= low:
        raise SchemaAnnotationError(path, "length needs 0 <= min < max")
    return low, high


def range_bounds(
    props: Mapping[str, Any], avro_type: str, path: str, default: tuple[float, float]
) -> tuple[float, float]:
    """The ``range`` annotation as ``[min, max)`` (``default`` fills a missing side)."""
    spec = props.get("range")
    if spec is None:
        return default
    if not isinstance(spec, Mapping) or ("min" not in spec and "max" not in spec):
        raise SchemaAnnotationError(path, "range must be an object with min and/or max")
    integral = avro_type in ("int", "long")
    low = number(spec.get("min", default[0]), path, "range.min", integral=integral)
    high = number(spec.get("max", default[1]), path, "range.max", integral=integral)
    if low >= high:
        raise SchemaAnnotationError(path, "range.min must be strictly less than range.max")
    limits = NUMERIC_LIMITS.get(avro_type)
    if limits and (low < limits[0] or high > limits[1] + 1):
        raise SchemaAnnotationError(path, f"range does not fit an Avro {avro_type}")
    return low, high


def iteration_bounds(spec: Any, avro_type: str, path: str) -> tuple[float, float, float, float]:
    """``(start, restart, step, initial)`` of an ``iteration`` on a numeric/string schema.

    As in avro-random-generator, ``step`` defaults to 1 (or -1 when ``restart`` is below
    ``start``) and ``restart`` to the type's largest (or smallest) value.
    """
    if not isinstance(spec, Mapping) or "start" not in spec:
        raise SchemaAnnotationError(path, "iteration must be an object with a 'start'")
    integral = avro_type != "float" and avro_type != "double"
    low, high = NUMERIC_LIMITS["int" if avro_type == "string" else avro_type]

    def field(name: str) -> float | None:
        value = spec.get(name)
        if value is None:
            return None
        return number(value, path, f"iteration.{name}", integral=integral)

    start = number(spec["start"], path, "iteration.start", integral=integral)
    restart, step = field("restart"), field("step")
    if step is None:
        step = -1 if restart is not None and restart < start else 1
    if step == 0:
        raise SchemaAnnotationError(path, "iteration.step cannot be zero")
    if restart is None:
        restart = high if step > 0 else low
    if restart == start or (restart > start) != (step > 0):
        raise SchemaAnnotationError(path, "iteration.step must move start towards restart")
    initial = field("initial")
    return start, restart, step, start if initial is None else initial


def load_options_file(spec: Mapping[str, Any], path: str) -> list[Any]:
    """Options given as ``{"file": ..., "encoding": "json"}``: JSON values one after another."""
    file, encoding = spec.get("file"), spec.get("encoding")
    if not isinstance(file, str) or encoding != "json":
        raise SchemaAnnotationError(
            path, "options given as an object need 'file' and 'encoding': 'json'"
        )
    try:
        text = Path(file).read_text(encoding="utf-8")
    except OSError as exc:
        raise SchemaAnnotationError(path, f"cannot read options file {file!r}: {exc}") from exc
    decoder, values, pos = json.JSONDecoder(), [], 0
    while (pos := _skip_space(text, pos)) < len(text):
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise SchemaAnnotationError(path, f"options file {file!r}: {exc}") from exc
        values.append(value)
    return values


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos
