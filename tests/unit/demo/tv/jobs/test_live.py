"""Live cells of a shard: the head kept across batches gives what a full replay gives, and a
window's live cells once its minute is over are its final cells."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from pipeway.demo.tv import contract
from pipeway.demo.tv.jobs.heads import FileHeads, HeadStore, MemoryHeads
from pipeway.demo.tv.jobs.pending import MemoryPending
from pipeway.demo.tv.jobs.shard import NO_WATERMARK, ShardState

DAY = 20_454
START = DAY * contract.DAY_MS + 6 * 3_600_000
CHANNELS = 4
DELAY = 30_000
DISORDER = 5_000
BATCHES = 80


def shard_with_reference() -> ShardState:
    shard = ShardState()
    for channel in range(1, CHANNELS + 1):
        for k in range(24 * 4):  # a program every quarter hour, an ad break every 5 minutes
            shard.broadcasts.add_schedule_entry(channel, DAY, k * 900_000, 100 * channel + k % 3,
                                                f"show {k % 3}")  # fmt: skip
        for k in range(24 * 12):
            shard.broadcasts.add_break(channel, DAY * contract.DAY_MS + k * 300_000 + 120_000,
                                       45_000, f"ad{k % 4}")  # fmt: skip
    for user in range(30):
        shard.enricher.add_user_change(user, "r", 0, user, 3_000 + 2_000 * (user % 9),
                                       "FMX"[user % 3], 10 + user % 4)  # fmt: skip
    return shard


def actions(rng: np.random.Generator, newest: int, n: int, spread: int) -> dict[str, np.ndarray]:
    user, device = rng.integers(0, 30, n), rng.integers(0, 2, n)
    return {
        "user_id": user,
        "device_id": np.array([f"dev{u}-{d}" for u, d in zip(user, device, strict=True)], object),
        "channel_id": rng.integers(1, CHANNELS + 1, n),
        "action": rng.choice(
            [contract.START, contract.STOP, contract.SWITCH], n, p=[0.3, 0.2, 0.5]
        ),
        "ts": newest - rng.integers(0, spread, n),
    }


def as_frame(tables: list[pa.Table]) -> pd.DataFrame:
    if not tables:
        return pd.DataFrame()
    rows = pa.concat_tables(tables, promote_options="default").to_pandas()
    columns = ["kind", "window_start", "channel_id", "program_id", "ad_id", "age_band", "gender",
               "city_id", "viewers", "view_ms"]  # fmt: skip
    rows = rows.reindex(columns=columns).astype(object).where(rows.notna(), None)
    return rows.sort_values(columns[:8], key=lambda c: c.astype(str)).reset_index(drop=True)


class Run:
    """One shard fed batch by batch as the processor does (lateness by Spark's watermark,
    a step to the batch's own, then the live cells as of its latest action)."""

    def __init__(self, heads: HeadStore | None = None) -> None:
        self.shard, self.store = shard_with_reference(), MemoryPending()
        self.heads = heads or MemoryHeads()
        self.spark_watermark = NO_WATERMARK
        self.newest = NO_WATERMARK

    def batch(self, batch: dict[str, np.ndarray], rebuild: bool) -> tuple[list[pa.Table], list]:
        self.shard = ShardState.loads(self.shard.dumps())  # the state store's round trip
        self.shard.apply_actions(batch, self.spark_watermark, self.store)
        self.newest = max(self.newest, int(batch["ts"].max()))
        step = self.shard.step(self.newest - DELAY, self.store)
        if rebuild:
            self.shard.live.discard()
        live = self.shard.live_cells(self.newest + 1, self.store, DISORDER, self.heads)
        self.spark_watermark = self.newest - DELAY
        return live, step.cells


@pytest.mark.parametrize("spread", [800, 9_000])
def test_kept_head_equals_a_full_replay_every_batch(spread: int) -> None:
    """With actions up to ``spread`` ms older than the newest (beyond the 5 s disorder
    allowance for 9 s: the head is then discarded and rebuilt), every batch's live cells
    equal those of a shard that replays all pending actions each time."""
    kept, replayed = Run(), Run()
    rng = np.random.default_rng(spread)
    newest = START
    for _ in range(BATCHES):
        newest += int(rng.integers(200, 1_500))
        batch = actions(rng, newest, int(rng.integers(5, 40)), spread)
        live, _ = kept.batch(batch, rebuild=False)
        reference, _ = replayed.batch(batch, rebuild=True)
        pd.testing.assert_frame_equal(as_frame(live), as_frame(reference))
    assert replayed.shard.live.rebuilds == BATCHES
    if spread < DISORDER:
        assert kept.shard.live.rebuilds == 1  # the first batch only
    else:
        assert 1 < kept.shard.live.rebuilds < BATCHES


def test_live_cells_of_an_ended_minute_are_its_final_cells() -> None:
    """Actions in order: once a minute is over, nothing can change it, so its live cells
    (as of the first batch past its end) are exactly the cells it is finalized with."""
    run, rng = Run(), np.random.default_rng(3)
    live_after_end: dict[int, pd.DataFrame] = {}
    final: list[pa.Table] = []
    newest = START
    for _ in range(160):
        newest += int(rng.integers(1_000, 3_000))
        live, cells = run.batch(actions(rng, newest, int(rng.integers(5, 30)), 1), rebuild=False)
        final += cells
        rows = as_frame(live)
        for window in set(rows.get("window_start", [])):
            if window + contract.WINDOW_MS <= newest and window not in live_after_end:
                live_after_end[window] = rows[rows["window_start"] == window]
    finals = as_frame(final)
    checked = 0
    for window, rows in live_after_end.items():
        expected = finals[finals["window_start"] == window]
        if len(expected):  # final by the end of the run
            pd.testing.assert_frame_equal(rows.reset_index(drop=True),
                                          expected.reset_index(drop=True))  # fmt: skip
            checked += 1
    assert checked >= 3


def test_live_cells_cover_only_windows_not_final() -> None:
    run, rng = Run(), np.random.default_rng(5)
    newest = START
    for _ in range(120):
        newest += 1_000
        live, _ = run.batch(actions(rng, newest, 20, 1), rebuild=False)
    rows = pa.concat_tables(live, promote_options="default").to_pandas()
    cut = (newest - DELAY) // contract.WINDOW_MS * contract.WINDOW_MS
    assert set(rows["window_start"]) == set(range(cut, newest + 1, contract.WINDOW_MS))
    assert (rows["as_of"] == newest + 1).all()


def test_head_kept_in_files_survives_the_state_round_trip(tmp_path: Path) -> None:
    """The job's store: the head is read back from its file each batch (the pickled state
    holds only its token), so after the first batch nothing is rebuilt."""
    kept, replayed = Run(FileHeads.of(tmp_path, "job", 0)), Run()
    rng = np.random.default_rng(11)
    newest = START
    for _ in range(30):
        newest += int(rng.integers(200, 1_500))
        batch = actions(rng, newest, 20, 800)
        live, _ = kept.batch(batch, rebuild=False)
        reference, _ = replayed.batch(batch, rebuild=True)
        pd.testing.assert_frame_equal(as_frame(live), as_frame(reference))
    assert kept.shard.live.rebuilds == 1
    assert ShardState.loads(kept.shard.dumps()).live.head is None  # never pickled


def test_a_lost_or_stale_head_file_is_rebuilt_from_the_state(tmp_path: Path) -> None:
    """A head file of another state version (a replayed batch, an older checkpoint) or
    none at all (a new executor): the batch rebuilds the head and its cells are right."""
    heads = FileHeads.of(tmp_path, "job", 0)
    kept, replayed = Run(heads), Run()
    rng = np.random.default_rng(12)
    newest = START
    for n in range(24):
        newest += int(rng.integers(200, 1_500))
        batch = actions(rng, newest, 20, 800)
        if n == 8:
            heads.path.unlink()
        if n == 16:
            kept.shard.live.token = "a token of an older state version"
        live, _ = kept.batch(batch, rebuild=False)
        reference, _ = replayed.batch(batch, rebuild=True)
        pd.testing.assert_frame_equal(as_frame(live), as_frame(reference))
    assert (kept.shard.live.rebuilds, kept.shard.live.misses) == (3, 2)
    counts = kept.shard.count_table().to_pandas().set_index("name")["value"]
    assert (counts["live_rebuilds"], counts["live_head_misses"]) == (3, 2)


def test_file_heads_tell_tokens_and_jobs_apart(tmp_path: Path) -> None:
    run = Run(MemoryHeads())
    run.batch(actions(np.random.default_rng(1), START, 20, 500), rebuild=False)
    head = run.shard.live.head
    assert head is not None
    one, other = FileHeads.of(tmp_path, "job-a", 0), FileHeads.of(tmp_path, "job-b", 0)
    token = one.save(head)
    loaded = one.load(token)
    assert loaded is not None and loaded.until == head.until
    assert one.load("another token") is None
    assert other.load(token) is None  # another job's checkpoint: another file
    assert one.save(head) != token  # every save a new token: the old one no longer loads
    assert one.load(token) is None
    one.path.write_bytes(b"not a pickle")
    assert one.load(token) is None  # unreadable: rebuilt, not a crash
