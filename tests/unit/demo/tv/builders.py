"""Hand-built input records for oracle tests (independent of the scenario generator)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pipeway.demo.tv import contract
from pipeway.demo.tv.oracle import OracleResult, compute

DAY = date(2026, 1, 1)
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
DAY_INDEX = T0 // contract.DAY_MS
HEARTBEAT_DEVICE = "dev-heartbeat"
LONDON, PARIS, BERLIN = 2643743, 2988507, 2950159


def at(h: int, m: int = 0, s: int = 0, ms: int = 0) -> int:
    """Epoch ms of a time on the test day."""
    return T0 + ((h * 60 + m) * 60 + s) * 1000 + ms


def days(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def action(user: int, device: str, code: int, ts: int, channel: int = 1) -> dict[str, Any]:
    return {"user_id": user, "device_id": device, "channel_id": channel, "action": code, "ts": ts}


def start(user: int, device: str, ts: int, channel: int = 1) -> dict[str, Any]:
    return action(user, device, contract.START, ts, channel)


def switch(user: int, device: str, ts: int, channel: int) -> dict[str, Any]:
    return action(user, device, contract.SWITCH, ts, channel)


def stop(user: int, device: str, ts: int, channel: int = 1) -> dict[str, Any]:
    return action(user, device, contract.STOP, ts, channel)


def heartbeat(watermark: int) -> dict[str, Any]:
    """An action that sets the final watermark to ``watermark`` (itself never processed)."""
    return stop(999, HEARTBEAT_DEVICE, watermark + contract.WATERMARK_DELAY_MS)


def program(channel: int, program_id: int, h: int, m: int = 0, title: str = "") -> dict[str, Any]:
    return {
        "channel_id": channel,
        "channel_name": f"Channel {channel}",
        "day": DAY_INDEX,
        "program_id": program_id,
        "title": title or f"Program {program_id}",
        "start": (h * 60 + m) * 60_000,
    }


def ad_break(ad_id: str, channel: int, ts: int, secs: int) -> dict[str, Any]:
    return {"ad_id": ad_id, "channel_id": channel, "start_ts": ts, "duration_secs": secs}


def user_row(user: int, born: date, gender: str = "F", city: int = LONDON) -> dict[str, Any]:
    return {
        "user_id": user,
        "name": f"User {user}",
        "birth_date": days(born),
        "gender": gender,
        "city_id": city,
    }


def cdc(op: str, ts: int, before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict:
    source = {
        "version": "0.1.0", "connector": "mysql", "name": "tvdb", "ts_ms": ts,
        "snapshot": "true" if op == "r" else "false", "db": "tv", "sequence": None,
        "table": "users", "server_id": 1, "gtid": None, "file": "mysql-bin.000001",
        "pos": 4, "row": 0, "thread": None, "query": None,
    }  # fmt: skip
    return {"before": before, "after": after, "source": source, "op": op, "ts_ms": ts + 5,
            "transaction": None}  # fmt: skip


def snapshot(row: dict[str, Any]) -> dict[str, Any]:
    return cdc("r", T0 - 3_600_000, None, row)


def telemetry(device: str, ts: int, city: int) -> dict[str, Any]:
    return {"device_id": device, "ts": ts, "lat": 0.0, "lon": 0.0, "city_id": city,
            "signal_dbm": -70}  # fmt: skip


def weather(city: int, ts: int, temp: float, main: str = "Clear") -> dict[str, Any]:
    assert ts % 1000 == 0
    return {
        "coord": {"lon": 0.0, "lat": 0.0},
        "weather": [{"id": 800, "main": main, "description": main.lower(), "icon": "01d"}],
        "base": "stations",
        "main": {"temp": temp, "feels_like": temp, "temp_min": temp, "temp_max": temp,
                 "pressure": 1010, "humidity": 60},
        "visibility": 10000,
        "wind": {"speed": 1.0, "deg": 90},
        "clouds": {"all": 0},
        "dt": ts // 1000,
        "sys": {"country": "GB", "sunrise": 0, "sunset": 0},
        "timezone": 0,
        "id": city,
        "name": "City",
        "cod": 200,
    }  # fmt: skip


def phase(**topics: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """A phase from keyword lists: actions, schedules, ad_breaks, users, telemetry, weather."""
    names = {
        "actions": contract.ACTIONS,
        "schedules": contract.SCHEDULES,
        "ad_breaks": contract.AD_BREAKS,
        "users": contract.USERS_CDC,
        "telemetry": contract.TELEMETRY,
        "weather": contract.WEATHER,
    }
    return {names[k]: v for k, v in topics.items()}


def run(*phases: dict[str, list[dict[str, Any]]]) -> OracleResult:
    return compute(list(phases))


def rows(result: OracleResult, topic: str, **match: Any) -> list[dict[str, Any]]:
    """Rows of ``topic`` whose fields equal ``match`` (heartbeat rows never match users < 999)."""
    return [r for r in result.outputs[topic] if all(r[k] == v for k, v in match.items())]


def pick(row: dict[str, Any], *fields: str) -> tuple[Any, ...]:
    return tuple(row[f] for f in fields)
