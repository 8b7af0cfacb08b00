"""GTID sets of both dialects: MySQL's ``uuid:1-5:7`` and MariaDB's ``domain-server-seq``.

A MySQL GTID set lists, per server UUID, every transaction number executed (intervals may have
holes). A MariaDB GTID position holds one last GTID per replication domain: with
``gtid_strict_mode`` sequence numbers only grow within a domain, so "seen" means "seq at or
below the domain's last seq". Both are kept as plain values so offsets stay JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeway.connect.sources.mysql_cdc.exceptions import InvalidGtid

_UUID = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
_MYSQL_MEMBER = re.compile(rf"^({_UUID})((?::\d+(?:-\d+)?)+)$")
_MARIADB_GTID = re.compile(r"^(\d+)-(\d+)-(\d+)$")


def is_mariadb_gtid_text(text: str) -> bool:
    """True when ``text`` is a (possibly empty) MariaDB GTID position, not a MySQL set."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    return all(_MARIADB_GTID.match(p) for p in parts)


# ---------------------------------------------------------------- MariaDB


@dataclass(frozen=True, slots=True, order=True)
class MariaDbGtid:
    """One MariaDB GTID: replication domain, originating server, sequence number."""

    domain: int
    server: int
    seq: int

    @classmethod
    def parse(cls, text: str) -> MariaDbGtid:
        """Parse ``0-1-42``.

        Raises:
            InvalidGtid: when the text is not ``domain-server-seq``.
        """
        match = _MARIADB_GTID.match(text.strip())
        if not match:
            raise InvalidGtid(text, "expected a MariaDB GTID 'domain-server-seq'")
        return cls(int(match[1]), int(match[2]), int(match[3]))

    def __str__(self) -> str:
        return f"{self.domain}-{self.server}-{self.seq}"


class MariaDbGtidPos:
    """A MariaDB GTID position (``gtid_binlog_pos``): the last GTID of each domain."""

    __slots__ = ("_last",)

    def __init__(self, gtids: dict[int, MariaDbGtid] | None = None) -> None:
        self._last: dict[int, MariaDbGtid] = dict(gtids or {})

    @classmethod
    def parse(cls, text: str) -> MariaDbGtidPos:
        """Parse ``0-1-42,1-2-7`` (empty text is the empty position).

        Raises:
            InvalidGtid: for a malformed member or two GTIDs of one domain.
        """
        pos = cls()
        for part in (p for p in text.split(",") if p.strip()):
            gtid = MariaDbGtid.parse(part)
            if gtid.domain in pos._last:
                raise InvalidGtid(text, f"domain {gtid.domain} appears twice")
            pos._last[gtid.domain] = gtid
        return pos

    def contains(self, gtid: MariaDbGtid) -> bool:
        """Whether ``gtid`` is at or before this position in its domain (strict mode)."""
        last = self._last.get(gtid.domain)
        return last is not None and gtid.seq <= last.seq

    def advance(self, gtid: MariaDbGtid) -> None:
        """Record ``gtid`` as the latest of its domain (never moves a domain backwards)."""
        last = self._last.get(gtid.domain)
        if last is None or gtid.seq >= last.seq:
            self._last[gtid.domain] = gtid

    def gtids(self) -> list[MariaDbGtid]:
        """The last GTID of each domain, by domain."""
        return [self._last[d] for d in sorted(self._last)]

    def merge(self, other: MariaDbGtidPos) -> MariaDbGtidPos:
        """The position that has seen everything either position has seen."""
        merged = MariaDbGtidPos(self._last)
        for gtid in other._last.values():
            merged.advance(gtid)
        return merged

    def copy(self) -> MariaDbGtidPos:
        return MariaDbGtidPos(self._last)

    def __str__(self) -> str:
        return ",".join(str(self._last[d]) for d in sorted(self._last))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MariaDbGtidPos) and self._last == other._last

    def __hash__(self) -> int:
        return hash(str(self))


# ---------------------------------------------------------------- MySQL


Interval = tuple[int, int]
"""An inclusive range of transaction numbers."""


def _add_interval(intervals: list[Interval], new: Interval) -> list[Interval]:
    """Insert ``new`` and coalesce overlapping or adjacent intervals."""
    merged: list[Interval] = []
    for start, end in sorted([*intervals, new]):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class MySqlGtidSet:
    """A MySQL GTID set (``gtid_executed``): transaction intervals per server UUID."""

    __slots__ = ("_sets",)

    def __init__(self, sets: dict[str, list[Interval]] | None = None) -> None:
        self._sets: dict[str, list[Interval]] = {k: list(v) for k, v in (sets or {}).items()}

    @classmethod
    def parse(cls, text: str) -> MySqlGtidSet:
        """Parse ``uuid:1-5:7,uuid2:1-3`` (whitespace and newlines as MySQL prints them).

        Raises:
            InvalidGtid: for a malformed member or an interval whose end precedes its start.
        """
        gtid_set = cls()
        for part in (p.strip() for p in text.replace("\n", "").split(",")):
            if not part:
                continue
            match = _MYSQL_MEMBER.match(part)
            if not match:
                raise InvalidGtid(text, f"malformed member {part!r} (expected uuid:1-5[:7-9])")
            sid = _normal_uuid(match[1])
            for rng in match[2].strip(":").split(":"):
                start, _, end = rng.partition("-")
                interval = (int(start), int(end or start))
                if interval[1] < interval[0] or interval[0] < 1:
                    raise InvalidGtid(text, f"bad interval {rng!r} of {sid}")
                gtid_set._sets[sid] = _add_interval(gtid_set._sets.get(sid, []), interval)
        return gtid_set

    def contains(self, sid: str, gno: int) -> bool:
        """Whether transaction ``sid:gno`` is in the set."""
        return any(s <= gno <= e for s, e in self._sets.get(_normal_uuid(sid), ()))

    def add(self, sid: str, gno: int) -> None:
        """Add one transaction (as a replica does when it commits it)."""
        key = _normal_uuid(sid)
        self._sets[key] = _add_interval(self._sets.get(key, []), (gno, gno))

    def merge(self, other: MySqlGtidSet) -> MySqlGtidSet:
        """The union of both sets."""
        merged = MySqlGtidSet(self._sets)
        for sid, intervals in other._sets.items():
            for interval in intervals:
                merged._sets[sid] = _add_interval(merged._sets.get(sid, []), interval)
        return merged

    def is_subset_of(self, other: MySqlGtidSet) -> bool:
        """True when every transaction of this set is in ``other`` (e.g. still in the binlog)."""
        for sid, intervals in self._sets.items():
            theirs = other._sets.get(sid, [])
            for start, end in intervals:
                if not any(s <= start and end <= e for s, e in theirs):
                    return False
        return True

    def copy(self) -> MySqlGtidSet:
        return MySqlGtidSet(self._sets)

    def __str__(self) -> str:
        members = []
        for sid in sorted(self._sets):
            ranges = ":".join(str(s) if s == e else f"{s}-{e}" for s, e in self._sets[sid])
            members.append(f"{sid}:{ranges}")
        return ",".join(members)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MySqlGtidSet) and self._sets == other._sets

    def __hash__(self) -> int:
        return hash(str(self))


def _normal_uuid(text: str) -> str:
    """Lower-case with dashes, as MySQL prints server UUIDs."""
    h = text.replace("-", "").lower()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


GtidState = MariaDbGtidPos | MySqlGtidSet


def parse_gtid_state(text: str, is_mariadb: bool) -> GtidState:
    """Parse a stored GTID state of the given dialect.

    Raises:
        InvalidGtid: when the text does not parse in that dialect.
    """
    return MariaDbGtidPos.parse(text) if is_mariadb else MySqlGtidSet.parse(text)


def detect_is_mariadb(version: str, gtid_text: str | None = None) -> bool:
    """Whether the server is MariaDB, from ``SELECT VERSION()`` (and a GTID sample if any).

    MariaDB reports versions like ``10.11.6-MariaDB-0+deb12u1``; MySQL never says MariaDB.
    A non-empty MySQL-style GTID set settles it the other way.
    """
    if "mariadb" in version.lower():
        return True
    if gtid_text and gtid_text.strip():
        return is_mariadb_gtid_text(gtid_text)
    return False
