"""Enrichment as of the view's start: user version, age band, device city, city weather."""

from __future__ import annotations

from datetime import date

import pytest

from pipeway.demo.tv import contract
from pipeway.demo.tv.oracle.enrichment import age_band
from tests.unit.demo.tv.builders import (
    BERLIN,
    LONDON,
    PARIS,
    T0,
    at,
    cdc,
    days,
    heartbeat,
    phase,
    pick,
    program,
    rows,
    run,
    snapshot,
    start,
    stop,
    telemetry,
    user_row,
    weather,
)

SCHEDULE = [program(1, 10, 0), program(1, 11, 12, 30), program(1, 12, 14)]
ENRICH = ("program_id", "age_band", "gender", "user_city_id", "city_id", "city_source")


def enriched(result, *fields: str, **match):
    names = fields or ENRICH
    return [pick(r, *names) for r in rows(result, contract.SHOW_VIEWS, **match)]


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2008, 1, 2), "<18"),
        (date(2008, 1, 1), "18-24"),  # 18th birthday on the view's UTC date
        (date(2001, 1, 2), "18-24"),
        (date(2001, 1, 1), "25-34"),
        (date(1991, 1, 1), "35-44"),
        (date(1981, 1, 1), "45-54"),
        (date(1971, 1, 1), "55-64"),
        (date(1961, 1, 2), "55-64"),
        (date(1961, 1, 1), "65+"),
    ],
)
def test_age_band_in_whole_years_on_the_utc_date(born: date, band: str) -> None:
    assert age_band(days(born), at(0)) == band
    assert age_band(days(born), at(23, 59, 59, 999)) == band


def test_birth_date_and_city_change_apply_from_the_change_time() -> None:
    before = user_row(1, date(1990, 6, 15), "F", LONDON)  # 35 on the day: 35-44
    after = {**before, "birth_date": days(date(2000, 6, 15)), "city_id": PARIS}  # 25: 25-34
    result = run(
        phase(schedules=SCHEDULE, users=[snapshot(before)], actions=[start(1, "tv", at(11))]),
        phase(
            users=[cdc("u", at(12, 30), before, after)],
            actions=[stop(1, "tv", at(14, 30)), heartbeat(at(20))],
        ),
    )
    assert enriched(result) == [
        (10, "35-44", "F", LONDON, LONDON, "home"),
        (11, "25-34", "F", PARIS, PARIS, "home"),  # change at exactly the view start applies
        (12, "25-34", "F", PARIS, PARIS, "home"),
    ]


def test_later_record_wins_when_two_changes_share_a_time() -> None:
    v1 = user_row(1, date(1990, 1, 1), "F", LONDON)
    v2, v3 = {**v1, "city_id": PARIS}, {**v1, "city_id": BERLIN}
    result = run(
        phase(
            schedules=SCHEDULE,
            users=[snapshot(v1), cdc("u", at(9), v1, v2), cdc("u", at(9), v2, v3)],
            actions=[start(1, "tv", at(10)), stop(1, "tv", at(11)), heartbeat(at(20))],
        )
    )
    assert enriched(result, "user_city_id") == [(BERLIN,)]


def test_unknown_and_deleted_users_have_null_attributes() -> None:
    row = user_row(2, date(1980, 3, 3), "M", BERLIN)
    result = run(
        phase(
            schedules=SCHEDULE,
            users=[cdc("c", at(11), None, row), cdc("d", at(13), row, None)],
            actions=[
                start(2, "tv", at(10)),  # before the insert
                stop(2, "tv", at(10, 30)),
                start(2, "tv", at(12)),
                stop(2, "tv", at(15)),
                heartbeat(at(20)),
            ],
        )
    )
    assert enriched(result) == [
        (10, None, None, None, None, None),
        (10, "45-54", "M", BERLIN, BERLIN, "home"),
        (11, "45-54", "M", BERLIN, BERLIN, "home"),
        (12, None, None, None, None, None),  # deleted at 13:00, view from 14:00
    ]


def test_device_city_is_its_last_telemetry_at_or_before_the_view_start() -> None:
    user = user_row(1, date(1990, 1, 1), "X", LONDON)
    result = run(
        phase(
            schedules=SCHEDULE,
            users=[snapshot(user)],
            telemetry=[telemetry("phone", at(9), PARIS), telemetry("phone", at(12, 30), BERLIN)],
            actions=[
                start(1, "phone", at(12)),
                start(1, "web", at(12)),  # never reports: the home city
            ],
        ),
        phase(actions=[stop(1, "phone", at(13)), stop(1, "web", at(13)), heartbeat(at(20))]),
    )
    assert enriched(result, "program_id", "city_id", "city_source", device_id="phone") == [
        (10, PARIS, "telemetry"),
        (11, BERLIN, "telemetry"),  # the report at exactly 12:30 counts
    ]
    assert enriched(result, "program_id", "city_id", "city_source", device_id="web") == [
        (10, LONDON, "home"),
        (11, LONDON, "home"),
    ]


def test_weather_is_the_last_reading_of_the_viewing_city_at_or_before_the_start() -> None:
    user = user_row(1, date(1990, 1, 1), "F", LONDON)
    readings = [
        weather(LONDON, at(12), 5.0, "Rain"),
        weather(LONDON, at(12, 30), 7.5, "Clouds"),
        weather(PARIS, at(11), 9.0),  # another city: never used
    ]
    result = run(
        phase(
            schedules=SCHEDULE,
            users=[snapshot(user)],
            weather=readings,
            actions=[
                start(1, "tv", at(11)),
                start(1, "tv", at(12, 29, 59)),
                stop(1, "tv", at(13)),
                heartbeat(at(20)),
            ],
        )
    )
    assert enriched(result, "program_id", "start_ts", "temp_c", "weather_main") == [
        (10, at(11), None, None),  # no London reading before 12:00
        (10, at(12, 29, 59), 5.0, "Rain"),
        (11, at(12, 30), 7.5, "Clouds"),
    ]


def test_snapshot_rows_are_valid_from_the_beginning() -> None:
    user = user_row(1, date(1990, 1, 1), "F", LONDON)
    early = cdc("r", T0 + 20 * 3_600_000, None, user)  # snapshot taken late in the day
    result = run(
        phase(
            schedules=SCHEDULE,
            users=[early],
            actions=[start(1, "tv", at(1)), stop(1, "tv", at(2)), heartbeat(at(20))],
        )
    )
    assert enriched(result, "gender") == [("F",)]
