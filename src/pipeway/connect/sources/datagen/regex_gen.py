"""Random strings matching a regular expression, for the ``regex`` annotation.

The pattern is parsed once into a tree of small closures over a shared ``random.Random``,
so drawing a string costs a few calls, and reseeding that one object makes the output
reproducible. Like Generex (which the original avro-random-generator uses), repetition is
steered by a preferred length ``[min_length, max_length)``: below the minimum an optional
repetition is always taken, past it each one stops with probability 0.3, and none is taken
that would reach the maximum; ``User_[1-9]{0,1}`` therefore gives ``User_1``..``User_9`` as
the original does. Fixed parts of the pattern are never cut.

Supported: literals, escapes (``\\d \\w \\s`` and their negations), ``.``, character
classes with ranges and negation, groups (plain, ``(?:...)``, named), alternation, and the
quantifiers ``? * + {m} {m,} {m,n}``; unbounded repetitions add at most
:data:`UNBOUNDED_EXTRA` items. Anchors are ignored; look-arounds, back-references and inline
flags raise :class:`UnsupportedRegex`. (``rstr`` and ``exrex`` on PyPI re-parse the pattern
on every call and know no length preference, hence this small module.)
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass

from pipeway.connect.sources.datagen.exceptions import UnsupportedRegex

StrGen = Callable[[], str]
PosGen = Callable[[int], str]
"""Builds a piece of the string given how many characters precede it."""

UNBOUNDED_EXTRA = 8
"""How many repetitions past the minimum ``*``, ``+`` and ``{m,}`` may add."""
STOP_ODDS = 0.3
"""Chance to stop repeating once the preferred minimum length is reached (as Generex)."""
DEFAULT_LENGTH = (8, 16)
"""The preferred length when the schema gives none (avro-random-generator's default)."""

PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))
DIGITS = string.digits
WORD = string.ascii_letters + string.digits + "_"
SPACE = " \t"
_CLASS_ESCAPES = {
    "d": DIGITS,
    "w": WORD,
    "s": SPACE,
    "D": "".join(c for c in PRINTABLE if c not in DIGITS),
    "W": "".join(c for c in PRINTABLE if c not in WORD),
    "S": "".join(c for c in PRINTABLE if c not in SPACE),
}
_CHAR_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v", "0": "\0"}
_ANCHOR_ESCAPES = frozenset("bBAZz")


@dataclass(frozen=True, slots=True)
class _Set:
    """One character drawn from ``chars`` (a literal is a set of one)."""

    chars: str


_Atom = _Set | PosGen


def compile_regex(
    pattern: str, rng: random.Random, length: tuple[int, int] = DEFAULT_LENGTH
) -> StrGen:
    """A function returning a new random string matching ``pattern`` on each call.

    Args:
        pattern: the regular expression (matched as a whole, anchors are optional).
        rng: the random source, shared with the rest of the record generator.
        length: the preferred length range ``[min, max)`` steering optional repetitions.

    Raises:
        UnsupportedRegex: the pattern is malformed or uses an unsupported construct.
    """
    gen = _Parser(pattern, rng, _Repeat(rng, length[0], length[1])).parse()
    return lambda: gen(0)


@dataclass(frozen=True, slots=True)
class _Repeat:
    """How many times a quantified item repeats, given the output length so far."""

    rng: random.Random
    min_length: int
    max_length: int

    def count(self, low: int, high: int, length: int, width: int) -> int:
        count, rnd = low, self.rng.random
        length += low * width
        while count < high:
            if length + width >= self.max_length:
                break
            if length >= self.min_length and rnd() < STOP_ODDS:
                break
            count += 1
            length += width
        return count


class _Parser:
    def __init__(self, pattern: str, rng: random.Random, repeat: _Repeat) -> None:
        self.pattern = pattern
        self.pos = 0
        self.rng = rng
        self.repeat = repeat

    def fail(self, reason: str) -> UnsupportedRegex:
        return UnsupportedRegex(self.pattern, f"{reason} at position {self.pos}")

    def peek(self) -> str:
        return self.pattern[self.pos] if self.pos < len(self.pattern) else ""

    def take(self) -> str:
        char = self.peek()
        if not char:
            raise self.fail("unexpected end of pattern")
        self.pos += 1
        return char

    def parse(self) -> PosGen:
        gen = self.alternation()
        if self.pos < len(self.pattern):
            raise self.fail("unbalanced ')'")
        return gen

    def alternation(self) -> PosGen:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.sequence())
        if len(branches) == 1:
            return branches[0]
        rnd, count = self.rng.random, len(branches)
        return lambda at: branches[int(rnd() * count)](at)

    def sequence(self) -> PosGen:
        parts: list[PosGen | str] = []
        while self.peek() and self.peek() not in "|)":
            atom = self.atom()
            if atom is not None:
                parts.append(self.quantified(atom))
        return _concat(parts)

    def atom(self) -> _Atom | None:
        char = self.take()
        if char == "(":
            return self.group()
        if char == "[":
            return _Set(self.char_class())
        if char == ".":
            return _Set(PRINTABLE)
        if char in "^$":
            return None
        if char == "\\":
            return self.escape(in_class=False)
        if char in "*+?":
            raise self.fail(f"nothing to repeat before {char!r}")
        return _Set(char)

    def group(self) -> PosGen:
        if self.peek() == "?":
            self.group_prefix()
        inner = self.alternation()
        if self.peek() != ")":
            raise self.fail("missing ')'")
        self.pos += 1
        return inner

    def group_prefix(self) -> None:
        rest = self.pattern[self.pos :]
        if rest.startswith("?:"):
            self.pos += 2
        elif rest.startswith(("?P<", "?<")) and not rest.startswith(("?<=", "?<!")):
            end = self.pattern.find(">", self.pos)
            if end < 0:
                raise self.fail("unterminated group name")
            self.pos = end + 1
        else:
            raise self.fail("look-arounds, flags and other '(?' groups are not supported")

    def escape(self, *, in_class: bool) -> _Set | None:
        char = self.take()
        if char in _CLASS_ESCAPES:
            return _Set(_CLASS_ESCAPES[char])
        if char in _CHAR_ESCAPES:
            return _Set(_CHAR_ESCAPES[char])
        if char in "xu":
            return _Set(self.hex_escape(2 if char == "x" else 4))
        if char.isdigit():
            raise self.fail("back-references are not supported")
        if char in _ANCHOR_ESCAPES and not in_class:
            return None
        return _Set(char)

    def hex_escape(self, digits: int) -> str:
        text = self.pattern[self.pos : self.pos + digits]
        if len(text) != digits or any(c not in string.hexdigits for c in text):
            raise self.fail("bad hexadecimal escape")
        self.pos += digits
        return chr(int(text, 16))

    def char_class(self) -> str:
        negate = self.peek() == "^"
        if negate:
            self.pos += 1
        chars: list[str] = []
        first = True
        while first or self.peek() != "]":
            first = False
            chars.extend(self.class_item())
        self.pos += 1
        unique = "".join(dict.fromkeys(chars))
        if negate:
            unique = "".join(c for c in PRINTABLE if c not in unique)
        if not unique:
            raise self.fail("character class matches nothing")
        return unique

    def class_item(self) -> str:
        char = self.take()
        if char == "\\":
            escaped = self.escape(in_class=True)
            return escaped.chars if escaped else ""
        if self.peek() == "-" and self.pattern[self.pos + 1 : self.pos + 2] not in ("]", ""):
            self.pos += 1
            end = self.take()
            if end == "\\":
                end_set = self.escape(in_class=True)
                end = end_set.chars if end_set and len(end_set.chars) == 1 else ""
            if not end or ord(end) < ord(char):
                raise self.fail("bad character range")
            return "".join(chr(c) for c in range(ord(char), ord(end) + 1))
        return char

    def quantified(self, atom: _Atom) -> PosGen | str:
        bounds = self.quantifier()
        if bounds is None:
            return _single(atom, self.rng)
        if self.peek() in ("?", "+"):
            self.pos += 1  # lazy and possessive forms generate the same strings
        return _repeated(atom, bounds[0], bounds[1], self.repeat)

    def quantifier(self) -> tuple[int, int] | None:
        char = self.peek()
        if char in ("?", "*", "+"):
            self.pos += 1
            low = 1 if char == "+" else 0
            return (0, 1) if char == "?" else (low, low + UNBOUNDED_EXTRA)
        if char == "{":
            return self.braces()
        return None

    def braces(self) -> tuple[int, int] | None:
        end = self.pattern.find("}", self.pos)
        body = self.pattern[self.pos + 1 : end] if end > 0 else ""
        low, comma, high = body.partition(",")
        if not body or not (low.isdigit() or (comma and not low)):
            return None  # not a quantifier: '{' is a literal, as in Python
        if high and not high.isdigit():
            return None
        self.pos = end + 1
        lo = int(low) if low else 0
        hi = int(high) if high else (lo + UNBOUNDED_EXTRA if comma else lo)
        if hi < lo:
            raise self.fail("quantifier {m,n} with n < m")
        return lo, hi


def _single(atom: _Atom, rng: random.Random) -> PosGen | str:
    if not isinstance(atom, _Set):
        return atom
    if len(atom.chars) == 1:
        return atom.chars
    chars, rnd, count = atom.chars, rng.random, len(atom.chars)
    return lambda at: chars[int(rnd() * count)]


def _repeated(atom: _Atom, low: int, high: int, repeat: _Repeat) -> PosGen | str:
    count = repeat.count
    if isinstance(atom, _Set) and len(atom.chars) == 1:
        char = atom.chars
        return char * low if low == high else (lambda at: char * count(low, high, at, 1))
    if isinstance(atom, _Set):
        chars, choices = atom.chars, repeat.rng.choices
        return lambda at: "".join(choices(chars, k=count(low, high, at, 1)))
    return _repeated_group(atom, low, high, repeat)


def _repeated_group(gen: PosGen, low: int, high: int, repeat: _Repeat) -> PosGen:
    """A repeated group decides each further repetition from the length reached so far."""

    def build(at: int) -> str:
        out: list[str] = []
        for _ in range(low):
            out.append(gen(at))
            at += len(out[-1])
        for _ in range(high - low):
            if repeat.count(0, 1, at, 1) == 0:
                break
            out.append(gen(at))
            at += len(out[-1])
        return "".join(out)

    return build


def _concat(parts: list[PosGen | str]) -> PosGen:
    merged: list[PosGen | str] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    if not merged:
        return _const("")
    if len(merged) == 1:
        only = merged[0]
        return _const(only) if isinstance(only, str) else only
    return _sequence(merged)


def _sequence(parts: list[PosGen | str]) -> PosGen:
    if len(parts) == 2 and isinstance(parts[0], str) and not isinstance(parts[1], str):
        prefix, rest, width = parts[0], parts[1], len(parts[0])
        return lambda at: prefix + rest(at + width)

    def build(at: int) -> str:
        out: list[str] = []
        for part in parts:
            text = part if isinstance(part, str) else part(at)
            out.append(text)
            at += len(text)
        return "".join(out)

    return build


def _const(text: str) -> PosGen:
    return lambda at: text
