"""The seeded scenario: reproducible, at scale, covering every rule, with robust lateness."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import fastavro
import pytest

from pipeway.demo.tv import contract, schemas
from pipeway.demo.tv.oracle import OracleResult, compute
from pipeway.demo.tv.scenario import Scenario, ScenarioConfig, generate, record_key
from pipeway.demo.tv.scenario.delivery import event_time

TIMED = (contract.ACTIONS, contract.TELEMETRY, contract.WEATHER)


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return generate(ScenarioConfig(seed=7))


@pytest.fixture(scope="module")
def result(scenario: Scenario) -> OracleResult:
    return compute(scenario.phases, scenario.config.watermark_delay_ms)


def test_same_seed_same_records_other_seed_other_records() -> None:
    small = ScenarioConfig(seed=3, users=40, phases=3)
    assert generate(small).phases == generate(small).phases
    assert generate(small).phases != generate(small.model_copy(update={"seed": 4})).phases


def test_oracle_is_deterministic() -> None:
    phases = generate(ScenarioConfig(seed=5, users=60)).phases
    first = compute(phases)
    assert first.outputs[contract.PROGRAM_MINUTE]
    assert compute(phases) == first


def test_default_scale_is_hundreds_of_users_and_devices_over_a_day(scenario: Scenario) -> None:
    actions = scenario.records(contract.ACTIONS)
    assert len({a["user_id"] for a in actions}) >= 250
    assert len({a["device_id"] for a in actions}) >= 350
    schedules = scenario.records(contract.SCHEDULES)
    assert len({s["channel_id"] for s in schedules}) == 12
    assert {s["day"] for s in schedules} == {scenario.day_start_ms // contract.DAY_MS}
    span = max(a["ts"] for a in actions) - min(a["ts"] for a in actions)
    assert span > 23 * 3_600_000
    assert len(scenario.phases) == scenario.config.phases + 1


def test_sizes_are_configurable() -> None:
    small = generate(ScenarioConfig(seed=1, users=25, channels=3, cities=4, phases=2))
    assert {a["user_id"] for a in small.records(contract.ACTIONS)} <= set(range(1, 26))
    assert {s["channel_id"] for s in small.records(contract.SCHEDULES)} == {1, 2, 3}
    assert len(small.phases) == 3


def test_every_rule_is_exercised(scenario: Scenario, result: OracleResult) -> None:
    c = result.counts
    assert c.late_actions == len(scenario.late_actions) > 0
    assert c.stops_ignored > 0 and c.standby_timeouts > 0
    assert c.switches_without_session > 0 and c.starts_while_open > 0
    assert c.open_sessions > 0 and c.invalid_actions == 0
    completes = Counter(v["complete"] for v in result.outputs[contract.AD_VIEWS])
    assert completes[True] > 0 and completes[False] > 0
    assert any(v["temp_c"] is None for v in result.outputs[contract.SHOW_VIEWS])
    assert any(v["age_band"] is None for v in result.outputs[contract.SHOW_VIEWS])


def _per(rows: list[dict[str, Any]], key: str, value: str) -> dict[Any, set[Any]]:
    seen: dict[Any, set[Any]] = defaultdict(set)
    for r in rows:
        if r[value] is not None:
            seen[r[key]].add(r[value])
    return seen


def test_users_change_age_band_and_city_and_devices_move(result: OracleResult) -> None:
    views = result.outputs[contract.SHOW_VIEWS]
    assert any(len(bands) > 1 for bands in _per(views, "user_id", "age_band").values())
    assert any(len(cities) > 1 for cities in _per(views, "user_id", "user_city_id").values())
    moved = [
        v for v in views if v["city_source"] == "telemetry" and v["city_id"] != v["user_city_id"]
    ]
    assert moved


def test_out_of_order_actions_within_the_delay_are_delivered_and_kept(scenario: Scenario) -> None:
    delay = scenario.config.watermark_delay_ms
    late_ids = {id(a) for a in scenario.late_actions}
    max_before, behind = None, 0
    for phase in scenario.phases:
        actions = phase[contract.ACTIONS]
        if max_before is not None:
            behind += sum(
                1
                for a in actions
                if id(a) not in late_ids and max_before - delay <= a["ts"] < max_before
            )
        max_before = max([max_before or 0, *(a["ts"] for a in actions)])
    assert behind > 0


def _max_times(scenario: Scenario) -> list[dict[str, int]]:
    """Per phase p: the max event time of each timed topic over phases < p."""
    out, running = [], {t: -(2**62) for t in TIMED}
    for phase in scenario.phases:
        out.append(dict(running))
        for t in TIMED:
            running[t] = max([running[t], *(event_time(t, r) for r in phase[t])])
    return out


def test_lateness_does_not_depend_on_which_timed_topic_sets_the_watermark(
    scenario: Scenario,
) -> None:
    delay = scenario.config.watermark_delay_ms
    late_ids = {id(a) for a in scenario.late_actions}
    for phase, maxima in zip(scenario.phases, _max_times(scenario), strict=True):
        lowest, highest = min(maxima.values()) - delay, max(maxima.values()) - delay
        for a in phase[contract.ACTIONS]:
            assert (a["ts"] < lowest) if id(a) in late_ids else (a["ts"] >= highest), a


def test_reference_and_enrichment_records_are_never_behind_the_watermark(
    scenario: Scenario,
) -> None:
    delay = scenario.config.watermark_delay_ms
    for phase, maxima in zip(scenario.phases, _max_times(scenario), strict=True):
        floor = max(maxima.values()) - delay
        for topic in (contract.AD_BREAKS, contract.TELEMETRY, contract.WEATHER, contract.USERS_CDC):
            for r in phase[topic]:
                assert (topic == contract.USERS_CDC and r["op"] == "r") or event_time(
                    topic, r
                ) >= floor


def test_the_closing_phase_brings_every_timed_topic_to_the_end(scenario: Scenario) -> None:
    for topic in TIMED:
        assert max(event_time(topic, r) for r in scenario.records(topic)) == scenario.end_ts


def test_preconditions_hold(scenario: Scenario) -> None:
    def unique(topic: str, *fields: str) -> bool:
        keys = [tuple(r[f] for f in fields) for r in scenario.records(topic)]
        return len(keys) == len(set(keys))

    assert unique(contract.ACTIONS, "user_id", "device_id", "ts")
    assert unique(contract.TELEMETRY, "device_id", "ts")
    assert unique(contract.WEATHER, "id", "dt")
    assert unique(contract.SCHEDULES, "channel_id", "day", "start")
    assert unique(contract.AD_BREAKS, "channel_id", "start_ts")
    titles = _per(scenario.records(contract.SCHEDULES), "program_id", "title")
    assert all(len(t) == 1 for t in titles.values())
    changes = [(r["after"] or r["before"])["user_id"] for r in scenario.records(contract.USERS_CDC)]
    times = [r["source"]["ts_ms"] for r in scenario.records(contract.USERS_CDC)]
    assert len(set(zip(changes, times, strict=True))) == len(changes)
    assert all(t % 1000 == 0 for t in times)


@pytest.mark.parametrize("topic", contract.INPUT_TOPICS)
def test_inputs_match_their_avro_schemas(scenario: Scenario, topic: str) -> None:
    parsed = fastavro.parse_schema(schemas.schema(topic))
    assert fastavro.validation.validate_many(scenario.records(topic), parsed)


def test_cdc_keys_match_the_key_schema(scenario: Scenario) -> None:
    parsed = fastavro.parse_schema(schemas.key_schema(contract.USERS_CDC))
    keys = [record_key(contract.USERS_CDC, r) for r in scenario.records(contract.USERS_CDC)]
    assert fastavro.validation.validate_many(keys, parsed)


@pytest.mark.parametrize("topic", contract.OUTPUT_TOPICS)
def test_outputs_match_their_avro_schemas(result: OracleResult, topic: str) -> None:
    every = result.outputs[topic]
    assert every
    rows = every[:: max(1, len(every) // 4000)]  # an even sample of the largest outputs
    parsed = fastavro.parse_schema(schemas.schema(topic))
    assert fastavro.validation.validate_many(rows, parsed)
    assert [list(r) for r in rows[:1]] == [[f["name"] for f in schemas.schema(topic)["fields"]]]
