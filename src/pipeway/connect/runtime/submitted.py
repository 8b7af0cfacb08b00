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


class SubmittedGroup:
    """Consecutive records of one source partition from one poll batch, tracked as one entry.

    Counts the records not handled yet; it is acknowledged once every record was handled and
    the group is sealed (no more records join), and then stands for its latest offset. A
    commit therefore covers whole groups only: never more than the acknowledged prefix, and
    one tracker entry per batch instead of one per record.
    """

    __slots__ = ("acked", "offset", "remaining")

    def __init__(self) -> None:
        self.offset: Mapping[str, Any] = {}
        self.acked = False
        self.remaining = 1  # the open group's own token, released by seal()

    def add(self, offset: Mapping[str, Any]) -> None:
        """One more record (in poll order); its offset becomes the group's."""
        self.offset = offset
        self.remaining += 1

    def ack(self) -> None:
        """One record handled (delivered, dropped or dead-lettered)."""
        self.remaining -= 1
        if self.remaining == 0:
            self.acked = True

    def seal(self) -> None:
        """No more records join: the group is acknowledged once its records are."""
        self.ack()


class _Partition:
    __slots__ = ("partition", "records")

    def __init__(self, partition: Mapping[str, Any]) -> None:
        self.partition = partition
        self.records: deque[SubmittedRecord | SubmittedGroup] = deque()


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

    def submit_group(self, key: PartitionKey, partition: Mapping[str, Any]) -> SubmittedGroup:
        """Track a group of records (in poll order); ``add`` them, ``seal`` it when done."""
        entry = self._partitions.get(key)
        if entry is None:
            entry = self._partitions[key] = _Partition(partition)
        entry.partition = partition
        group = SubmittedGroup()
        entry.records.append(group)
        self._count += 1
        return group

    def committable(self) -> Committable:
        """Take the acknowledged prefix of every partition; its latest offset per partition.

        The records taken are forgotten, so each call returns only what advanced since the
        previous one; a caller whose commit fails keeps the result and merges it with the next.
        """
        out: Committable = {}
        for key, entry in self._partitions.items():
            records = entry.records
            last: SubmittedRecord | SubmittedGroup | None = None
            while records and records[0].acked:
                last = records.popleft()
                self._count -= 1
            if last is not None:
                out[key] = (entry.partition, last.offset)
        self._partitions = {k: e for k, e in self._partitions.items() if e.records}
        return out

    @property
    def pending(self) -> int:
        """Entries (records or groups) not yet taken by :meth:`committable` (acked or not)."""
        return self._count

    def unacked(self) -> int:
        """Entries not acknowledged yet (walks the queues: for metrics and tests)."""
        return sum(not r.acked for e in self._partitions.values() for r in e.records)
