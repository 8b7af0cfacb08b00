"""The static world of a scenario: cities, channels with a day of schedules, users, devices."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from pipeway.demo.tv import contract

EPOCH = date(1970, 1, 1)
MINUTE = 60_000

CITIES = (  # OpenWeather city id, name, country, lat, lon, UTC offset (s)
    (2643743, "London", "GB", 51.5085, -0.1257, 0),
    (2988507, "Paris", "FR", 48.8534, 2.3488, 3600),
    (2950159, "Berlin", "DE", 52.5244, 13.4105, 3600),
    (3117735, "Madrid", "ES", 40.4165, -3.7026, 3600),
    (3169070, "Rome", "IT", 41.8947, 12.4839, 3600),
    (2759794, "Amsterdam", "NL", 52.374, 4.8897, 3600),
    (2800866, "Brussels", "BE", 50.8504, 4.3488, 3600),
    (2761369, "Vienna", "AT", 48.2085, 16.3721, 3600),
    (2267057, "Lisbon", "PT", 38.7167, -9.1333, 0),
    (2964574, "Dublin", "IE", 53.3331, -6.2489, 0),
    (3067696, "Prague", "CZ", 50.088, 14.4208, 3600),
    (756135, "Warsaw", "PL", 52.2298, 21.0118, 3600),
    (2673730, "Stockholm", "SE", 59.3294, 18.0687, 3600),
    (658225, "Helsinki", "FI", 60.1695, 24.9354, 7200),
    (264371, "Athens", "GR", 37.9838, 23.7278, 7200),
    (2618425, "Copenhagen", "DK", 55.6759, 12.5655, 3600),
)
CHANNEL_NAMES = (
    "TV One", "News 24", "Sport+", "Kids", "Cinema", "Docs", "Music", "Comedy", "Drama",
    "Travel", "Food", "Science", "History", "Nature", "Arts", "Retro", "Crime", "Family",
    "Local", "Weather",
)  # fmt: skip
GENRES = ("Morning", "Live", "Magazine", "Classics", "Tonight", "Special", "Report", "Late")
SHOW_MINUTES = (15, 30, 30, 45, 60, 60, 90, 120)
FIRST = ("Ada", "Ben", "Chloe", "Dan", "Eva", "Finn", "Gus", "Hana", "Ivo", "Jade", "Kai", "Lea")
LAST = ("Martin", "Novak", "Olsen", "Petit", "Quinn", "Rossi", "Silva", "Tanaka", "Weber")


@dataclass(frozen=True, slots=True)
class City:
    id: int
    name: str
    country: str
    lat: float
    lon: float
    utc_offset_s: int


@dataclass(frozen=True, slots=True)
class Program:
    channel_id: int
    program_id: int
    title: str
    start_ms_of_day: int


@dataclass(slots=True)
class User:
    user_id: int
    name: str
    birth_days: int
    gender: str
    city_id: int
    created_ts: int | None = None
    """None: in the initial snapshot; else inserted at this time"""


@dataclass(frozen=True, slots=True)
class Device:
    device_id: str
    user_id: int
    kind: str
    reports: bool
    """sends telemetry (web players and some sets never do)"""


@dataclass(slots=True)
class World:
    day_start_ms: int
    cities: list[City]
    channels: dict[int, str]
    programs: list[Program]
    users: list[User]
    devices: list[Device] = field(default_factory=list)


def build_world(
    rng: random.Random, cfg_day: date, n_users: int, n_channels: int, n_cities: int
) -> World:
    day_start = (cfg_day - EPOCH).days * contract.DAY_MS
    cities = [City(*c) for c in CITIES[:n_cities]]
    channels = {i + 1: CHANNEL_NAMES[i] for i in range(n_channels)}
    programs = [p for c in channels for p in _schedule(rng, c, channels[c], c == n_channels > 1)]
    users = [_user(rng, i, cfg_day, cities) for i in range(1, n_users + 1)]
    world = World(day_start, cities, channels, programs, users)
    world.devices = [d for u in users for d in _devices(rng, u)]
    return world


def _schedule(rng: random.Random, channel_id: int, name: str, night_off: bool) -> list[Program]:
    """A channel's day from 00:00 (06:00 for a channel off air at night), reruns included."""
    pool = [(channel_id * 100 + k, f"{name} {GENRES[k % len(GENRES)]} {k}") for k in range(8)]
    start = 6 * 60 * MINUTE if night_off else 0
    out = []
    while start < contract.DAY_MS:
        program_id, title = rng.choice(pool)
        out.append(Program(channel_id, program_id, title, start))
        start += rng.choice(SHOW_MINUTES) * MINUTE
    return out


def _user(rng: random.Random, user_id: int, day: date, cities: list[City]) -> User:
    age_days = rng.randint(10 * 365, 85 * 365)
    birth = day - timedelta(days=age_days)
    return User(
        user_id=user_id,
        name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        birth_days=(birth - EPOCH).days,
        gender=rng.choices(("F", "M", "X"), weights=(48, 48, 4))[0],
        city_id=rng.choice(cities).id,
    )


def _devices(rng: random.Random, user: User) -> list[Device]:
    kinds = ["tv"]
    if rng.random() < 0.6:
        kinds.append("phone")
    if rng.random() < 0.25:
        kinds.append(rng.choice(("tablet", "web")))
    return [
        Device(f"dev-{user.user_id}-{n}", user.user_id, kind, kind != "web" and rng.random() < 0.85)
        for n, kind in enumerate(kinds, 1)
    ]
