"""The constants of the TV analytics contract (docs/jobs/tv-analytics.md).

Only numbers and names live here, so the streaming jobs and the batch oracle can agree on
them without sharing any computation.
"""

from __future__ import annotations

from typing import Final

# input topics
ACTIONS: Final = "tv.actions"
AD_BREAKS: Final = "tv.ad_breaks"
SCHEDULES: Final = "tv.schedules"
USERS_CDC: Final = "tvdb.tv.users"
TELEMETRY: Final = "tv.device_telemetry"
WEATHER: Final = "tv.weather"
INPUT_TOPICS: Final = (SCHEDULES, AD_BREAKS, USERS_CDC, TELEMETRY, WEATHER, ACTIONS)

# output topics
SESSIONS: Final = "tv.sessions"
SHOW_VIEWS: Final = "tv.show_views"
AD_VIEWS: Final = "tv.ad_views"
PROGRAM_MINUTE: Final = "tv.program_minute"
AD_MINUTE: Final = "tv.ad_minute"
TOP_PROGRAMS: Final = "tv.top_programs"
OUTPUT_TOPICS: Final = (SESSIONS, SHOW_VIEWS, AD_VIEWS, PROGRAM_MINUTE, AD_MINUTE, TOP_PROGRAMS)
LIVE_SUFFIX: Final = "_live"
LIVE_TOPICS: Final = {
    topic: topic + LIVE_SUFFIX for topic in (PROGRAM_MINUTE, AD_MINUTE, TOP_PROGRAMS)
}
"""minute output -> its live topic: the same rows, updated every batch while the window is
open (``final`` false, counted up to ``as_of``), then the final row (``final`` true)"""

# action codes of tv.actions
START: Final = 1
STOP: Final = 2
SWITCH: Final = 3
ACTION_CODES: Final = frozenset({START, STOP, SWITCH})

# session end reasons (tv.sessions.end_reason)
END_SWITCH: Final = "switch"
END_START: Final = "start"
END_STOP: Final = "stop"
END_STANDBY: Final = "standby"

# where a view's city comes from (city_source)
CITY_FROM_TELEMETRY: Final = "telemetry"
CITY_FROM_HOME: Final = "home"

# time rules, all in epoch milliseconds UTC
WATERMARK_DELAY_MS: Final = 120_000
STANDBY_AFTER_MS: Final = 4 * 3600 * 1000
WINDOW_MS: Final = 60_000
DAY_MS: Final = 86_400_000
TOP_N: Final = 10

# age bands: (lowest age, label), ascending
AGE_BANDS: Final = (
    (0, "<18"),
    (18, "18-24"),
    (25, "25-34"),
    (35, "35-44"),
    (45, "45-54"),
    (55, "55-64"),
    (65, "65+"),
)
