"""Java ``SimpleDateFormat`` patterns (``yyyy-MM-dd'T'HH:mm:ss.SSSZ``) as strftime/strptime.

Kafka Connect configs carry Java patterns, so pipeway translates the common letters once at
configuration time. Formatting is always in UTC, as Kafka Connect's transforms do, which
lets the zone letters print constants. Unsupported letters are a configuration error.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_FRACTION = "\ue000"  # placeholder for S…S; strftime has no millisecond directive
_TOKEN = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|[^A-Za-z']+")
_FORMAT_OUT = {"Z": "+0000", "X": "Z", "z": "UTC"}
_PARSE_ZONE = {"Z": "%z", "X": "%z", "z": "%Z"}


def _letters(letter: str, count: int) -> str:
    """strftime directive for a run of one pattern letter (zone letters handled by callers)."""
    if letter == "y":
        return "%y" if count == 2 else "%Y"
    if letter in "ML":
        return {1: "%m", 2: "%m", 3: "%b"}.get(count, "%B")
    if letter == "E":
        return "%A" if count >= 4 else "%a"
    simple = {"d": "%d", "D": "%j", "H": "%H", "h": "%I", "m": "%M", "s": "%S", "a": "%p"}
    if letter in simple:
        return simple[letter]
    raise ValueError(f"unsupported date pattern letter {letter!r}")


class JavaDateFormat:
    """A compiled pattern: ``format(datetime) -> str`` and ``parse(str) -> datetime`` (UTC)."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        out: list[str] = []
        inp: list[str] = []
        self._fraction_digits = 0
        for match in _TOKEN.finditer(pattern):
            text = match.group(0)
            if text.startswith("'"):
                literal = "'" if text == "''" else text[1:-1].replace("''", "'")
                out.append(literal.replace("%", "%%"))
                inp.append(literal.replace("%", "%%"))
            elif match.group(1):
                self._letter_run(text[0], len(text), out, inp)
            else:
                out.append(text.replace("%", "%%"))
                inp.append(text.replace("%", "%%"))
        self._strftime = "".join(out)
        self._strptime = "".join(inp)

    def _letter_run(self, letter: str, count: int, out: list[str], inp: list[str]) -> None:
        if letter == "S":
            self._fraction_digits = min(count, 6)
            out.append(_FRACTION)
            inp.append("%f")
        elif letter in _FORMAT_OUT:
            out.append(_FORMAT_OUT[letter])
            inp.append(_PARSE_ZONE[letter])
        else:
            directive = _letters(letter, count)
            out.append(directive)
            inp.append(directive)

    def format(self, value: datetime) -> str:
        text = value.astimezone(UTC).strftime(self._strftime)
        if self._fraction_digits:
            digits = f"{value.microsecond:06d}"[: self._fraction_digits]
            text = text.replace(_FRACTION, digits)
        return text

    def parse(self, text: str) -> datetime:
        """Parse ``text``; a value without a zone is taken as UTC.

        Raises:
            ValueError: when ``text`` does not match the pattern.
        """
        parsed = datetime.strptime(text, self._strptime)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
