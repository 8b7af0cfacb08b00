"""Which source offsets may be committed: the acknowledged prefix of each source partition.

Kafka Connect's ``SubmittedRecords`` idea. Every record a source task hands over is submitted
in poll order; Kafka acknowledges records in any order across topic partitions. For each
source partition the committable offset is that of the latest record such that it and every
earlier record of the same source partition are acknowledged (or handled otherwise: dropped
by a transform, sent to the dead letter queue). Offset commits therefore no longer wait for
the producer to drain: under continuous load a commit happens every interval, covering what
is acknowledged so far, and never an offset whose records are not all acknowledged.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

from pipeway.connect.runtime.offsets import PartitionKey

Committable = dict[PartitionKey, tuple[Mapping[str, Any], Mapping[str, Any]]]
"""``{partition key: (source partition, source offset)}``, what ``OffsetStore.commit`` takes."""


class SubmittedRecord:
    """One submitted record; ``ack`` marks it handled (delivered, dropped or dead-lettered)."""

    __slots__ = ("acked", "offset")

    def __init__(self, offset: Mapping[str, Any]) -> None:
        self.offset = offset
        self.acked = False

    def ack(self) -> None:
        self.acked = True


class _Partition:
    __slots__ = ("partition", "records")

    def __init__(self, partition: Mapping[str, Any]) -> None:
        self.partition = partition
        self.records: deque[SubmittedRecord] = deque()


class SubmittedRecords:
    """The records submitted and not yet committed, per source partition (one thread)."""

    def __init__(self) -> None:
        self._partitions: dict[PartitionKey, _Partition] = {}
        self._count = 0

    def submit(
        self, key: PartitionKey, partition: Mapping[str, Any], offset: Mapping[str, Any]
    ) -> SubmittedRecord:
        """Track a record (in poll order); ack the returned handle once it is handled."""
        entry = self._partitions.get(key)
        if entry is None:
            entry = self._partitions[key] = _Partition(partition)
        entry.partition = partition  # the latest dict, as the store keeps it
        record = SubmittedRecord(offset)
        entry.records.append(record)
        self._count += 1
        return record

    def committable(self) -> Committable:
        """Take the acknowledged prefix of every partition; its latest offset per partition.

        The records taken are forgotten, so each call returns only what advanced since the
        previous one; a caller whose commit fails keeps the result and merges it with the next.
        """
        out: Committable = {}
        for key, entry in self._partitions.items():
            records = entry.records
            last: SubmittedRecord | None = None
            while records and records[0].acked:
                last = records.popleft()
                self._count -= 1
            if last is not None:
                out[key] = (entry.partition, last.offset)
        self._partitions = {k: e for k, e in self._partitions.items() if e.records}
        return out

    @property
    def pending(self) -> int:
        """Records submitted and not yet taken by :meth:`committable` (acked or not)."""
        return self._count

    def unacked(self) -> int:
        """Records not acknowledged yet (walks the queues: for metrics and tests)."""
        return sum(not r.acked for e in self._partitions.values() for r in e.records)
