"""The batch oracle: every output of the TV analytics contract, computed from a whole scenario.

Plain Python over integer milliseconds, sharing no code with the streaming jobs, so that the
streaming outputs can be compared with it exactly (docs/jobs/tv-analytics.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pipeway.demo.tv import contract
from pipeway.demo.tv.oracle import minutes
from pipeway.demo.tv.oracle.enrichment import Enricher
from pipeway.demo.tv.oracle.inputs import ContractViolation, Phases, classify_actions
from pipeway.demo.tv.oracle.reference import breaks_by_channel, shows_by_channel
from pipeway.demo.tv.oracle.sessions import Session, build_sessions
from pipeway.demo.tv.oracle.views import build_views

__all__ = [
    "ROW_KEYS",
    "ContractViolation",
    "LiveResult",
    "OracleCounts",
    "OracleResult",
    "compute",
    "live",
    "row_key",
    "sort_rows",
]


@dataclass(frozen=True, slots=True)
class OracleCounts:
    actions: int
    """valid action records delivered (late ones included)"""
    late_actions: int
    """dropped: ts below the watermark of their phase"""
    invalid_actions: int
    """action code not 1, 2 or 3 (dead-lettered by the jobs)"""
    pending_actions: int
    """kept but at or after the final watermark: not processed yet"""
    stops_ignored: int
    switches_without_session: int
    starts_while_open: int
    standby_timeouts: int
    open_sessions: int
    final_watermark: int | None


@dataclass(frozen=True, slots=True)
class OracleResult:
    outputs: dict[str, list[dict[str, Any]]]
    """output topic -> its records, sorted by sort_rows"""
    counts: OracleCounts


def compute(phases: Phases, delay_ms: int = contract.WATERMARK_DELAY_MS) -> OracleResult:
    """All outputs of the contract for the scenario ``phases``, as final at its end."""
    stream = classify_actions(phases, delay_ms)
    watermark = stream.final_watermark
    outcome = build_sessions(stream.kept, watermark)
    outputs: dict[str, list[dict[str, Any]]] = {t: [] for t in contract.OUTPUT_TOPICS}
    if watermark is not None:
        views = build_views(
            outcome.sessions,
            shows_by_channel(phases),
            breaks_by_channel(phases),
            Enricher(phases),
            watermark,
        )
        show_cells = minutes.tally(views.show_spans, watermark)
        closed = [s for s in outcome.sessions if s.end_ts is not None]
        outputs[contract.SESSIONS] = [_session_row(s) for s in closed]
        outputs[contract.SHOW_VIEWS] = views.show_views
        outputs[contract.AD_VIEWS] = views.ad_views
        outputs[contract.PROGRAM_MINUTE] = minutes.program_minutes(show_cells)
        outputs[contract.AD_MINUTE] = minutes.ad_minutes(minutes.tally(views.ad_spans, watermark))
        outputs[contract.TOP_PROGRAMS] = minutes.top_programs(show_cells)
    counts = OracleCounts(
        actions=len(stream.kept) + len(stream.late),
        late_actions=len(stream.late),
        invalid_actions=stream.invalid,
        pending_actions=outcome.pending_actions,
        stops_ignored=outcome.stops_ignored,
        switches_without_session=outcome.switches_without_session,
        starts_while_open=outcome.starts_while_open,
        standby_timeouts=outcome.standby_timeouts,
        open_sessions=sum(s.end_ts is None for s in outcome.sessions),
        final_watermark=watermark,
    )
    return OracleResult({t: sort_rows(t, rows) for t, rows in outputs.items()}, counts)


@dataclass(frozen=True, slots=True)
class LiveResult:
    as_of: int | None
    """the latest valid action's time + 1 ms (None: no action yet)"""
    outputs: dict[str, list[dict[str, Any]]]
    """live topic -> the rows of the windows not final yet, sorted by sort_rows"""


def live(phases: Phases, delay_ms: int = contract.WATERMARK_DELAY_MS) -> LiveResult:
    """The live minute rows after ``phases`` (docs/jobs/tv-analytics.md, "Live minute
    topics"): every window not final at the watermark, as if the kept actions delivered so
    far were all there is, viewing counted up to ``as_of``."""
    stream = classify_actions(phases, delay_ms)
    outputs: dict[str, list[dict[str, Any]]] = {t: [] for t in contract.LIVE_TOPICS.values()}
    if stream.final_watermark is None:
        return LiveResult(None, outputs)
    as_of = stream.final_watermark + delay_ms + 1
    sessions = build_sessions(stream.kept, as_of).sessions
    views = build_views(sessions, shows_by_channel(phases), breaks_by_channel(phases),
                        Enricher(phases), as_of)  # fmt: skip
    not_final = stream.final_watermark - stream.final_watermark % contract.WINDOW_MS
    show_cells = _windows_from(minutes.tally(views.show_spans, as_of, True), not_final)
    ad_cells = _windows_from(minutes.tally(views.ad_spans, as_of, True), not_final)
    rows = {
        contract.PROGRAM_MINUTE: minutes.program_minutes(show_cells),
        contract.AD_MINUTE: minutes.ad_minutes(ad_cells),
        contract.TOP_PROGRAMS: minutes.top_programs(show_cells),
    }
    for topic, final_rows in rows.items():
        outputs[contract.LIVE_TOPICS[topic]] = sort_rows(
            topic, ({**row, "as_of": as_of, "final": False} for row in final_rows)
        )
    return LiveResult(as_of, outputs)


def _windows_from(cells: minutes.Cells, first: int) -> minutes.Cells:
    return {key: tally for key, tally in cells.items() if key[0] >= first}


def _session_row(s: Session) -> dict[str, Any]:
    assert s.end_ts is not None and s.end_reason is not None
    duration = s.end_ts - s.start_ts
    return {
        "user_id": s.user_id,
        "device_id": s.device_id,
        "channel_id": s.channel_id,
        "start_ts": s.start_ts,
        "end_ts": s.end_ts,
        "duration_ms": duration,
        "seconds": duration / 1000,
        "end_reason": s.end_reason,
        "standby": s.end_reason == contract.END_STANDBY,
    }


ROW_KEYS: dict[str, tuple[str, ...]] = {
    contract.SESSIONS: ("user_id", "device_id", "start_ts"),
    contract.SHOW_VIEWS: ("user_id", "device_id", "session_start_ts", "show_start_ts"),
    contract.AD_VIEWS: ("user_id", "device_id", "session_start_ts", "break_start_ts"),
    contract.PROGRAM_MINUTE: (
        "window_start", "channel_id", "program_id", "age_band", "gender", "city_id",
    ),
    contract.AD_MINUTE: ("window_start", "ad_id", "age_band", "gender", "city_id"),
    contract.TOP_PROGRAMS: ("window_start", "rank"),
}  # fmt: skip
ROW_KEYS.update({live: ROW_KEYS[final] for final, live in contract.LIVE_TOPICS.items()})
"""The fields that identify a row of each output (its Kafka key); unique per topic."""


def row_key(topic: str, row: dict[str, Any]) -> tuple[tuple[bool, Any], ...]:
    """The identity of ``row`` as a sortable tuple (nulls first)."""
    return tuple((row[n] is not None, row[n]) for n in ROW_KEYS[topic])


def sort_rows(topic: str, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The contract's order: by the row key (ROW_KEYS), nulls first."""
    return sorted(rows, key=lambda row: row_key(topic, row))
