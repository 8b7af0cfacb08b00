from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from pipeway.connect.sources.datagen.exceptions import UnsupportedRegex
from pipeway.connect.sources.datagen.regex_gen import compile_regex

PATTERNS = [
    "User_[1-9]{0,1}",
    "Region_[1-9]?",
    "BYOC_Item_[1-9][0-9]{0,2}",
    "Page_[1-9][0-9]?",
    r"(ab|cd)+x\d{3}",
    "[a-zA-Z]{5,15}",
    "[^a-z]{3}",
    r"(?:foo|bar)-[0-9a-f]{4}\.",
    r"(?P<word>\w+)@\w+\.com",
    "a{2,}b",
    "x*",
    "{x}",
    "[-a]z",
    r"^\s\S\D\W$",
    r"\x41\u00e9[\]]",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_generated_strings_match_the_pattern(pattern: str) -> None:
    gen = compile_regex(pattern, random.Random(3))
    for _ in range(500):
        text = gen()
        assert re.fullmatch(pattern, text), text


def test_short_patterns_take_optional_parts_like_generex() -> None:
    """Below the preferred minimum length (8) optional repetitions are always taken."""
    gen = compile_regex("User_[1-9]{0,1}", random.Random(1))
    values = Counter(gen() for _ in range(2000))
    assert set(values) == {f"User_{i}" for i in range(1, 10)}


def test_length_preference_bounds_repetitions() -> None:
    gen = compile_regex("[a-z]*", random.Random(1), (3, 6))
    lengths = {len(gen()) for _ in range(1000)}
    assert lengths == {3, 4, 5}


def test_same_seed_same_strings() -> None:
    first = compile_regex(r"[A-Z]{2}-\d{1,4}", random.Random(9))
    second = compile_regex(r"[A-Z]{2}-\d{1,4}", random.Random(9))
    assert [first() for _ in range(50)] == [second() for _ in range(50)]


@pytest.mark.parametrize(
    "pattern", [r"(a)\1", "(?=a)a", "(?i)a", "(ab", "ab)", "*a", "[z-a]", "[]", "a{3,2}"]
)
def test_unsupported_or_malformed_patterns_raise(pattern: str) -> None:
    with pytest.raises(UnsupportedRegex) as info:
        compile_regex(pattern, random.Random(0))
    assert info.value.pattern == pattern
