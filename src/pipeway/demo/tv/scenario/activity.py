"""What devices do over the day: viewer actions and telemetry (mobile devices move)."""

from __future__ import annotations

import random
from typing import Any

from pipeway.demo.tv import contract
from pipeway.demo.tv.scenario.users import UserLog
from pipeway.demo.tv.scenario.world import City, Device, World

MINUTE = 60_000
HOUR = 60 * MINUTE


def device_actions(
    rng: random.Random, device: Device, active_from: int, day_end: int, channels: list[int]
) -> list[dict[str, Any]]:
    """Viewing bouts: a start, switches (and rare restarts), then a stop; sometimes the set
    is left on past the 4 h standby, and a stray stop comes while nothing is open."""
    out: list[dict[str, Any]] = []
    t = active_from + int(rng.expovariate(1 / (3 * HOUR)))
    channel, on = rng.choice(channels), False

    def emit(action: int, ch: int) -> None:
        out.append(
            {"user_id": device.user_id, "device_id": device.device_id,
             "channel_id": ch, "action": action, "ts": t}
        )  # fmt: skip

    while t < day_end:
        if not on:
            if rng.random() < 0.05:
                emit(contract.STOP, rng.choice(channels))  # nothing open: ignored
                t += _gap(rng)
                continue
            channel, on = rng.choice(channels), True
            emit(contract.START, channel)
        else:
            r = rng.random()
            if r < 0.015:  # left on: the session times out before the next action
                t += contract.STANDBY_AFTER_MS + rng.randint(MINUTE, 2 * HOUR)
                if t >= day_end:
                    break
                action = rng.choice((contract.STOP, contract.SWITCH, contract.START))
                channel = rng.choice(channels)
                emit(action, channel)
                if action == contract.STOP:
                    on = False
                    t += _gap(rng)
                    continue
            elif r < 0.55:
                channel = rng.choice([c for c in channels if c != channel] or channels)
                emit(contract.SWITCH, channel)
            elif r < 0.58:
                channel = rng.choice(channels)
                emit(contract.START, channel)  # a start while a session is open
            else:
                emit(contract.STOP, channel)
                on = False
                t += _gap(rng)
                continue
        t += 1000 + int(rng.expovariate(1 / (20 * MINUTE)))
    return out


def _gap(rng: random.Random) -> int:
    return 1000 + int(rng.expovariate(1 / (4 * HOUR)))


def device_telemetry(
    rng: random.Random, device: Device, world: World, log: UserLog, end: int
) -> list[dict[str, Any]]:
    """Sets report hourly from home; phones and tablets every 20 min, sometimes elsewhere."""
    if not device.reports:
        return []
    mobile = device.kind in ("phone", "tablet")
    every = 20 * MINUTE if mobile else HOUR
    t = world.day_start_ms + rng.randint(0, every - 1)
    cities = {c.id: c for c in world.cities}
    away: City | None = None
    out = []
    while t < end:
        home = log.row_at(device.user_id, t)
        if mobile:
            if away is None and rng.random() < 0.08:
                away = rng.choice(world.cities)
            elif away is not None and rng.random() < 0.2:
                away = None
        city = away or (cities[home["city_id"]] if home else None)
        if city is not None:
            out.append(_report(rng, device, t, city))
        t += every + rng.randint(-30_000, 30_000)
    return out


def _report(rng: random.Random, device: Device, t: int, city: City) -> dict[str, Any]:
    return {
        "device_id": device.device_id,
        "ts": t,
        "lat": round(city.lat + rng.uniform(-0.05, 0.05), 5),
        "lon": round(city.lon + rng.uniform(-0.05, 0.05), 5),
        "city_id": city.id,
        "signal_dbm": rng.randint(-110, -50),
    }
