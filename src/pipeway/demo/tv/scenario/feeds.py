"""Reference feeds: the day's schedules, ad breaks on every channel, weather per city."""

from __future__ import annotations

import math
import random
from typing import Any

from pipeway.demo.tv import contract
from pipeway.demo.tv.scenario.world import City, World

MINUTE = 60_000
AD_SECONDS = (15, 30, 30, 45, 60, 60, 90, 120)
CONDITIONS = (
    (800, "Clear", "clear sky", "01d"),
    (803, "Clouds", "broken clouds", "04d"),
    (500, "Rain", "light rain", "10d"),
    (300, "Drizzle", "light intensity drizzle", "09d"),
    (701, "Mist", "mist", "50d"),
    (600, "Snow", "light snow", "13d"),
)


def schedule_rows(world: World) -> list[dict[str, Any]]:
    day = world.day_start_ms // contract.DAY_MS
    return [
        {
            "channel_id": p.channel_id,
            "channel_name": world.channels[p.channel_id],
            "day": day,
            "program_id": p.program_id,
            "title": p.title,
            "start": p.start_ms_of_day,
        }
        for p in world.programs
    ]


def ad_breaks(rng: random.Random, world: World, ads: int) -> list[dict[str, Any]]:
    """One break in each quarter hour of each channel (never overlapping on a channel)."""
    out = []
    for channel in world.channels:
        for quarter in range(contract.DAY_MS // (15 * MINUTE)):
            start = world.day_start_ms + quarter * 15 * MINUTE + rng.randint(0, 12 * 60) * 1000
            out.append(
                {
                    "ad_id": f"ad-{1000 + rng.randrange(ads)}",
                    "channel_id": channel,
                    "start_ts": start,
                    "duration_secs": rng.choice(AD_SECONDS),
                }
            )
    return out


def weather_readings(rng: random.Random, world: World, end: int) -> list[dict[str, Any]]:
    """A reading per city every 30 min; the last city only reports from noon on."""
    out = []
    for i, city in enumerate(world.cities):
        first = 12 * 60 if i == len(world.cities) - 1 else 0
        base = rng.uniform(-5, 20)
        condition = rng.choice(CONDITIONS)
        for minute in range(first, (end - world.day_start_ms) // MINUTE, 30):
            t = world.day_start_ms + minute * MINUTE + rng.randint(0, 59) * 1000
            if rng.random() < 0.15:
                condition = rng.choice(CONDITIONS)
            out.append(current_weather(rng, city, t, base, minute, condition))
    return out


def current_weather(
    rng: random.Random,
    city: City,
    t: int,
    base: float,
    minute: int,
    condition: tuple[int, str, str, str],
) -> dict[str, Any]:
    """One OpenWeather current-weather document (units=metric)."""
    temp = round(base + 6 * math.sin((minute / 1440 - 0.375) * 2 * math.pi) + rng.uniform(-1, 1), 2)
    day = t - t % contract.DAY_MS
    return {
        "coord": {"lon": city.lon, "lat": city.lat},
        "weather": [dict(zip(("id", "main", "description", "icon"), condition, strict=True))],
        "base": "stations",
        "main": {
            "temp": temp,
            "feels_like": round(temp - rng.uniform(0, 3), 2),
            "temp_min": round(temp - 1.5, 2),
            "temp_max": round(temp + 1.5, 2),
            "pressure": rng.randint(995, 1030),
            "humidity": rng.randint(40, 95),
        },
        "visibility": rng.choice((10000, 10000, 8000, 5000)),
        "wind": {"speed": round(rng.uniform(0, 12), 2), "deg": rng.randint(0, 359)},
        "clouds": {"all": rng.randint(0, 100)},
        "dt": t // 1000,
        "sys": {"country": city.country, "sunrise": (day + 7 * 3_600_000) // 1000,
                "sunset": (day + 17 * 3_600_000) // 1000},
        "timezone": city.utc_offset_s,
        "id": city.id,
        "name": city.name,
        "cod": 200,
    }  # fmt: skip
