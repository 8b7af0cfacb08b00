"""As-of histories: the version valid at t, the later offset winning a tie."""

from __future__ import annotations

import numpy as np

from pipeway.demo.tv import contract
from pipeway.demo.tv.jobs.enrichment import Enricher, History


def test_the_last_version_at_or_before_t_wins_and_a_later_offset_breaks_ties() -> None:
    history = History("city_id")
    history.add("dev-1", 100, 5, 1)
    history.add_many(["dev-1", "dev-1", "dev-2"], [200, 200, 50], [7, 6, 1], [2, 3, 9])
    found, values = history.at(np.array(["dev-1"] * 4 + ["dev-2", "dev-3"], object),
                               np.array([99, 100, 199, 200, 10, 500]))  # fmt: skip
    assert found.tolist() == [False, True, True, True, False, False]
    assert values["city_id"].tolist() == [None, 1, 1, 2, None, None]


def test_pruning_keeps_the_version_valid_at_the_horizon() -> None:
    history = History("city_id")
    history.add_many([1, 1, 1], [100, 200, 300], [0, 1, 2], [10, 20, 30])
    history.prune(250)
    assert len(history) == 2
    _, values = history.at(np.array([1, 1]), np.array([260, 300]))
    assert values["city_id"].tolist() == [20, 30]


def test_attributes_follow_cdc_telemetry_and_weather_as_of_the_view() -> None:
    enricher = Enricher()
    enricher.add_user_change(7, "r", 999, 0, 0, "F", 100)  # snapshot: valid from the beginning
    enricher.add_user_change(7, "u", 5_000, 1, 0, "F", 200)
    enricher.add_user_change(8, "d", 1_000, 2, None, None, None)
    enricher.positions.add("tv", 3_000, 0, 300)
    enricher.weather.add(100, 0, 0, 21.5, "Clear")
    enricher.weather.add(300, 2_000, 0, -1.0, "Snow")
    got = enricher.attributes(np.array([7, 7, 7, 8]), np.array(["x", "tv", "x", "x"], object),
                              np.array([1_000, 4_000, 6_000, 2_000]))  # fmt: skip
    assert got["user_city_id"].tolist() == [100, 100, 200, None]
    assert got["city_id"].tolist() == [100, 300, 200, None]
    assert got["city_source"].tolist() == [contract.CITY_FROM_HOME, contract.CITY_FROM_TELEMETRY,
                                           contract.CITY_FROM_HOME, None]  # fmt: skip
    assert got["weather_main"].tolist() == ["Clear", "Snow", None, None]
    assert got["age_band"].tolist()[3] is None
    assert got["age_band"].tolist()[0] == contract.AGE_BANDS[0][1]  # born 1970, seen in 1970
