"""The users table over the day: snapshot rows, inserts, moves, birth date fixes, deletes.

Produces Debezium change events as pipeway's mysql-cdc writes them (topic prefix ``tvdb``,
table ``tv.users``), with ``source.ts_ms`` the change time in whole seconds.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from pipeway.demo.tv.scenario.world import City, User, World

HOUR = 3_600_000
YEAR_DAYS = 365


@dataclass(frozen=True, slots=True)
class Change:
    ts: int
    """valid from (whole seconds); the snapshot time for op "r" rows"""
    op: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(slots=True)
class UserLog:
    """Every change event, and each user's versions to look up their city at a time."""

    changes: list[Change] = field(default_factory=list)
    versions: dict[int, list[tuple[int, dict[str, Any] | None]]] = field(default_factory=dict)

    def record(self, change: Change, user_id: int, valid_from: int) -> None:
        self.changes.append(change)
        self.versions.setdefault(user_id, []).append((valid_from, change.after))

    def row_at(self, user_id: int, t: int) -> dict[str, Any] | None:
        versions = self.versions.get(user_id, [])
        i = bisect_right([v[0] for v in versions], t) - 1
        return versions[i][1] if i >= 0 else None


def row(user: User) -> dict[str, Any]:
    return {
        "user_id": user.user_id,
        "name": user.name,
        "birth_date": user.birth_days,
        "gender": user.gender,
        "city_id": user.city_id,
    }


def build_user_log(
    rng: random.Random, world: World, new_users: int, updated: float, deleted: int
) -> UserLog:
    """Snapshot of the initial users, then inserts, updates and deletes at whole seconds."""
    log = UserLog()
    day = world.day_start_ms
    snapshot_ts = day - HOUR
    n_new = min(new_users, len(world.users) - 1)
    initial, late = world.users[: len(world.users) - n_new], world.users[len(world.users) - n_new :]
    for u in initial:
        log.record(Change(snapshot_ts, "r", None, row(u)), u.user_id, -(2**62))
    for u in late:
        u.created_ts = _second(rng, day + HOUR, day + 18 * HOUR)
        log.record(Change(u.created_ts, "c", None, row(u)), u.user_id, u.created_ts)
    for u in world.users:
        if rng.random() < updated:
            _updates(rng, log, u, world.cities, day)
    victims = rng.sample(initial, min(deleted, len(initial)))
    for u in victims:
        last_ts, before = log.versions[u.user_id][-1]
        ts = _second(rng, max(last_ts, day + 12 * HOUR) + 1000, day + 20 * HOUR)
        log.record(Change(ts, "d", before, None), u.user_id, ts)
    log.changes.sort(key=lambda c: c.ts)
    return log


def _updates(rng: random.Random, log: UserLog, user: User, cities: list[City], day: int) -> None:
    """One or two updates: a move, a birth date correction across an age band, or both."""
    t = max(user.created_ts or day, day)
    for _ in range(rng.choice((1, 1, 2))):
        t = _second(rng, t + 1000, min(t + 10 * HOUR, day + 22 * HOUR))
        before = dict(log.versions[user.user_id][-1][1] or {})
        after = dict(before)
        kind = rng.choice(("move", "birth", "both"))
        if kind in ("move", "both"):
            after["city_id"] = rng.choice([c.id for c in cities if c.id != before["city_id"]])
        if kind in ("birth", "both"):
            shift = rng.choice((-1, 1)) * rng.randint(8, 15) * YEAR_DAYS
            after["birth_date"] = before["birth_date"] + shift
        log.record(Change(t, "u", before, after), user.user_id, t)


def _second(rng: random.Random, low: int, high: int) -> int:
    """A whole second in [low, high] (MySQL binlog event times have second resolution)."""
    return rng.randint(-(-low // 1000), max(-(-low // 1000), high // 1000)) * 1000


def envelope(change: Change, pos: int, snapshot: str) -> dict[str, Any]:
    """The Debezium envelope of ``change`` (``snapshot``: "true", "last" or "false")."""
    return {
        "before": change.before,
        "after": change.after,
        "source": {
            "version": "0.1.0",
            "connector": "mysql",
            "name": "tvdb",
            "ts_ms": change.ts,
            "snapshot": snapshot,
            "db": "tv",
            "sequence": None,
            "table": "users",
            "server_id": 1,
            "gtid": None,
            "file": "mysql-bin.000001",
            "pos": pos,
            "row": 0,
            "thread": None,
            "query": None,
        },
        "op": change.op,
        "ts_ms": change.ts + 250,
        "transaction": None,
    }


def envelopes(log: UserLog) -> list[tuple[int, dict[str, Any]]]:
    """(delivery time, envelope) of every change; snapshot rows first, marked as such."""
    snapshot = [c for c in log.changes if c.op == "r"]
    out = []
    for i, c in enumerate(log.changes):
        flag = "false"
        if c.op == "r":
            flag = "last" if i == len(snapshot) - 1 else "true"
        out.append((c.ts, envelope(c, 4 + 100 * i, flag)))
    return out
