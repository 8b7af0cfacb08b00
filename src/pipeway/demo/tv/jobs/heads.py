"""Where a shard's live head is kept between batches: beside Spark's state store, not in it.

The head (:mod:`.live`) is derived data: the replay of the pending actions, which the
shard's state can always rebuild. It is also most of the shard's bytes (6 of 8 MB a shard
at 25,000 actions/s), and written through the state server every batch it took ~150 ms a
shard plus the state store's copy and sync of it at each commit. So it is kept in a local
file per shard under a fresh *token*, and only the token goes into the shard's state. A
head is used only when its token is the one in the state version being read: a replayed
batch, a query restarted from an older checkpoint, or a shard whose task runs on another
executor finds a different token or no file, and the head is rebuilt from the state (as
when input discards it, counted as ``live_rebuilds``).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pipeway.demo.tv.jobs.live import LiveHead

DIRECTORY = "pipeway-live-heads"


class HeadStore(Protocol):
    """Saved live heads of one shard, by token."""

    def load(self, token: str) -> LiveHead | None:
        """The head saved under ``token``, or None if it is not there (any more)."""
        ...

    def save(self, head: LiveHead) -> str:
        """Keep ``head``; returns its token."""
        ...


class MemoryHeads:
    """The newest head in memory (batch runs and tests)."""

    def __init__(self) -> None:
        self._saved: tuple[str, bytes] | None = None

    def load(self, token: str) -> LiveHead | None:
        if self._saved is None or self._saved[0] != token:
            return None
        head: LiveHead = pickle.loads(self._saved[1])
        return head

    def save(self, head: LiveHead) -> str:
        token = uuid.uuid4().hex
        self._saved = (token, pickle.dumps(head, protocol=pickle.HIGHEST_PROTOCOL))
        return token


class FileHeads:
    """The newest head of a shard in one local file, replaced atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def of(cls, root: Path, job_key: str, shard: int) -> FileHeads:
        """The file of ``shard`` of the job whose checkpoint is ``job_key``, under
        ``root`` (an executor's local directory)."""
        digest = hashlib.sha256(job_key.encode()).hexdigest()[:16]
        return cls(root / DIRECTORY / digest / f"shard-{shard}.head")

    def load(self, token: str) -> LiveHead | None:
        try:
            with self.path.open("rb") as f:
                saved, head = pickle.load(f)
        except FileNotFoundError:
            return None
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
            return None  # unreadable: the state rebuilds it
        return head if saved == token else None

    def save(self, head: LiveHead) -> str:
        token = uuid.uuid4().hex
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f"{self.path.name}.{token}")
        with partial.open("wb") as f:
            pickle.dump((token, head), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, self.path)
        return token


__all__ = ["DIRECTORY", "FileHeads", "HeadStore", "MemoryHeads"]
