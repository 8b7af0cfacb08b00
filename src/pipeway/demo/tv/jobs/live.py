"""Live minute cells: every window not final yet, as of the latest action read.

A final minute row comes out ``watermark_delay_ms`` after its window ends (two minutes by
default), since an action may still arrive that late. Dashboards want the minute as it
fills, as Spark's *update* output mode gives it: each batch, the cells of the open windows
as if the actions read so far were all there is. Exactly that is the final cells' state at
the watermark W plus the pending actions (``ts >= W``) replayed in order up to ``as_of`` —
but replaying every pending action each batch costs ``delay * rate`` rows (3 million at
25,000 actions/s and the default delay; ~1.3 s a shard in a probe).

So a *head* is kept: the sessions and cells after replaying the pending actions up to
``until = as_of - disorder`` (``TvJobConfig.live_disorder_ms``, 1 s by default). A batch
moves the head forward over the actions it passes and replays only the rest (``[until,
as_of)``) on a copy. The head stays right as long as nothing arrives that would have
changed it: an action before ``until``, or a reference record (schedule, break, user change,
position, weather) valid before it. Such input discards the head, and the next batch
rebuilds it from the final state (counted as ``live_rebuilds``). Windows leave the head
once final: from then on the final rows are the truth. The head is kept beside the state
store, not in it (:mod:`.heads`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeway.demo.tv.jobs.enrichment import Enricher
from pipeway.demo.tv.jobs.heads import HeadStore
from pipeway.demo.tv.jobs.minutes import MinuteSpans
from pipeway.demo.tv.jobs.pending import PendingIndex, PendingStore
from pipeway.demo.tv.jobs.reference import Broadcasts
from pipeway.demo.tv.jobs.sessions import Head, SessionTracker
from pipeway.demo.tv.jobs.views import ViewBuilder


@dataclass
class LiveHead:
    """The replay of the pending actions before ``until``: open sessions and cell parts
    (those of the final state's open windows plus the replayed ones)."""

    until: int
    sessions: Head
    program: MinuteSpans
    ad: MinuteSpans


@dataclass
class Sources:
    """What a replay reads from the shard (not owned here)."""

    tracker: SessionTracker
    pending: PendingIndex
    store: PendingStore
    broadcasts: Broadcasts
    enricher: Enricher


@dataclass
class LiveCells:
    """The live cells' head of one shard: pickled with the shard's state are the token
    under which ``heads`` (:mod:`.heads`) keeps the head and its ``until``; the head itself
    is loaded from there when a batch needs it."""

    token: str | None = None
    until: int | None = None
    """the saved head's ``until`` (so input can discard it without loading it)"""
    rebuilds: int = 0
    misses: int = 0
    """rebuilds because the saved head was not found (new executor, replayed batch)"""
    head: LiveHead | None = field(default=None, compare=False)
    """loaded or built in this batch; never pickled"""

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "head": None}

    def discard_before(self, ts: int) -> None:
        """Input valid from ``ts`` arrived: the head is wrong if it replayed past it."""
        if self.until is not None and ts < self.until:
            self.discard()

    def discard(self) -> None:
        """Forget the head: the next batch rebuilds it from the final state."""
        self.head, self.token, self.until = None, None, None

    def spans(
        self,
        src: Sources,
        final: tuple[MinuteSpans, MinuteSpans],
        watermark: int,
        as_of: int,
        disorder_ms: int,
        heads: HeadStore,
    ) -> tuple[MinuteSpans, MinuteSpans]:
        """Program and ad spans of every window that is not final at ``watermark``, as of
        ``as_of`` (the latest action time plus one: actions at ``ts < as_of`` count); the
        head stays ``disorder_ms`` behind it and is saved in ``heads``."""
        head = self._head(src, final, watermark, heads)
        settled = max(head.until, as_of - disorder_ms)
        if settled > head.until:  # the head moves over what cannot change any more
            self.head = head = _replayed(src, head, settled, head.program, head.ad)
        self.token, self.until = heads.save(head), head.until
        program, ad = head.program.fork(), head.ad.fork()
        _replayed(src, head, as_of, program, ad)
        return program, ad

    def _head(
        self,
        src: Sources,
        final: tuple[MinuteSpans, MinuteSpans],
        watermark: int,
        heads: HeadStore,
    ) -> LiveHead:
        """The head, rebuilt from the final state at ``watermark`` if discarded, not found
        or behind; final windows dropped."""
        head = self.head
        if head is None and self.token is not None:
            head = heads.load(self.token)
            self.misses += head is None
        if head is None or head.until < watermark:
            if head is None:
                self.rebuilds += 1
            head = LiveHead(watermark, src.tracker.head(), final[0].fork(), final[1].fork())
        head.program.finalize(watermark)  # drops windows final by now
        head.ad.finalize(watermark)
        self.head = head
        return head


def _replayed(
    src: Sources, head: LiveHead, until: int, program: MinuteSpans, ad: MinuteSpans
) -> LiveHead:
    """``head`` moved to ``until`` over the pending actions between, their views' parts
    added to ``program`` and ``ad``."""
    due = src.pending.peek(src.store, head.until, until)
    closed, sessions = src.tracker.speculate(head.sessions, due, until)
    views = ViewBuilder(src.broadcasts, src.enricher, program, ad, records=False)
    everything = closed.concat(src.tracker.sessions_of(sessions))
    views.show_views(everything, head.until, until)
    views.ad_views(everything, head.until, until)
    return LiveHead(until, sessions, program, ad)
