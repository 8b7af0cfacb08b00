"""A seeded day of the TV world as input records per topic, delivered in phases.

``generate(ScenarioConfig(seed=...))`` gives the same records for the same configuration.
Each phase is what one streaming micro-batch sees; the oracle computes the expected outputs
from the same phases (docs/jobs/tv-analytics.md, "Delivery in phases").
"""

from __future__ import annotations

import random

from pipeway.demo.tv import contract
from pipeway.demo.tv.scenario import activity, feeds, users
from pipeway.demo.tv.scenario.delivery import Slicer, shuffle_actions
from pipeway.demo.tv.scenario.model import Scenario, ScenarioConfig, record_key
from pipeway.demo.tv.scenario.world import World, build_world

__all__ = ["Scenario", "ScenarioConfig", "generate", "record_key"]


def generate(config: ScenarioConfig | None = None) -> Scenario:
    cfg = config or ScenarioConfig()
    rng = random.Random(cfg.seed)
    world = build_world(rng, cfg.day, cfg.users, cfg.channels, cfg.cities)
    log = users.build_user_log(rng, world, cfg.new_users, cfg.updated_users, cfg.deleted_users)
    day_end = world.day_start_ms + contract.DAY_MS
    end_ts = day_end + cfg.closing_ms
    slicer = Slicer(world.day_start_ms, cfg.phases)
    slicer.buckets[0][contract.SCHEDULES] = feeds.schedule_rows(world)
    slicer.add(contract.USERS_CDC, (env for _, env in users.envelopes(log)))
    slicer.add(contract.AD_BREAKS, feeds.ad_breaks(rng, world, cfg.ads))
    slicer.add(contract.WEATHER, feeds.weather_readings(rng, world, day_end))
    slicer.add(contract.ACTIONS, _actions(rng, world, day_end))
    for device in world.devices:
        slicer.add(contract.TELEMETRY, activity.device_telemetry(rng, device, world, log, day_end))
    late = shuffle_actions(rng, slicer, cfg.watermark_delay_ms, cfg.out_of_order, cfg.late_fraction)
    _close(rng, slicer, world, log, end_ts)
    return Scenario(cfg, slicer.buckets, world.day_start_ms, end_ts, late)


def _actions(rng: random.Random, world: World, day_end: int) -> list[dict[str, object]]:
    created = {u.user_id: u.created_ts for u in world.users}
    channels = sorted(world.channels)
    out = []
    for device in world.devices:
        active_from = created[device.user_id] or world.day_start_ms
        out.extend(activity.device_actions(rng, device, active_from, day_end, channels))
    return out


def _close(rng: random.Random, slicer: Slicer, world: World, log: users.UserLog, end: int) -> None:
    """The closing phase brings every timed topic to ``end``, so the final watermark is the
    same whichever of them a job reads it from."""
    device = world.devices[0]
    closing = slicer.buckets[-1]
    closing[contract.ACTIONS].append(
        {"user_id": device.user_id, "device_id": device.device_id, "channel_id": 1,
         "action": contract.STOP, "ts": end}
    )  # fmt: skip
    home = log.row_at(device.user_id, end)
    city = next((c for c in world.cities if home and c.id == home["city_id"]), world.cities[0])
    closing[contract.TELEMETRY].append(activity._report(rng, device, end, city))
    closing[contract.WEATHER].append(
        feeds.current_weather(rng, city, end, 10.0, 0, feeds.CONDITIONS[0])
    )
