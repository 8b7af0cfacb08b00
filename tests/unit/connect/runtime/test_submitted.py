"""The acknowledged-prefix tracker behind source offset commits."""

from __future__ import annotations

from pipeway.connect.runtime.offsets import partition_key
from pipeway.connect.runtime.submitted import SubmittedRecords

A, B = {"table": "a"}, {"table": "b"}
KA, KB = partition_key(A), partition_key(B)


def submit_all(tracker: SubmittedRecords, partition: dict[str, str], count: int) -> list:
    key = partition_key(partition)
    return [tracker.submit(key, partition, {"n": n}) for n in range(count)]


def test_only_the_acknowledged_prefix_is_committable() -> None:
    tracker = SubmittedRecords()
    records = submit_all(tracker, A, 5)
    for n in (0, 1, 3, 4):  # record 2 is still in flight
        records[n].ack()
    assert tracker.committable() == {KA: (A, {"n": 1})}
    assert tracker.committable() == {}  # nothing new until record 2 is acknowledged
    records[2].ack()
    assert tracker.committable() == {KA: (A, {"n": 4})}
    assert tracker.pending == 0


def test_nothing_is_committable_while_the_first_record_is_unacknowledged() -> None:
    tracker = SubmittedRecords()
    records = submit_all(tracker, A, 3)
    records[1].ack()
    records[2].ack()
    assert tracker.committable() == {}
    assert tracker.unacked() == 1


def test_source_partitions_advance_independently() -> None:
    tracker = SubmittedRecords()
    a, b = submit_all(tracker, A, 3), submit_all(tracker, B, 3)
    a[0].ack()
    b[0].ack()
    b[1].ack()
    b[2].ack()
    assert tracker.committable() == {KA: (A, {"n": 0}), KB: (B, {"n": 2})}
    assert tracker.pending == 2
    a[2].ack()
    assert tracker.committable() == {}
    a[1].ack()
    assert tracker.committable() == {KA: (A, {"n": 2})}


def test_interleaved_submission_keeps_poll_order_per_partition() -> None:
    tracker = SubmittedRecords()
    first_a = tracker.submit(KA, A, {"n": 0})
    first_b = tracker.submit(KB, B, {"n": 0})
    second_a = tracker.submit(KA, A, {"n": 1})
    second_a.ack()
    first_b.ack()
    assert tracker.committable() == {KB: (B, {"n": 0})}
    first_a.ack()
    assert tracker.committable() == {KA: (A, {"n": 1})}


def test_a_group_is_committable_only_when_sealed_and_every_record_is_acknowledged() -> None:
    tracker = SubmittedRecords()
    group = tracker.submit_group(KA, A)
    for n in range(3):
        group.add({"n": n})
    group.ack()
    group.ack()
    group.ack()
    assert tracker.committable() == {}  # still open: more records may join
    group.seal()
    assert tracker.committable() == {KA: (A, {"n": 2})}


def test_a_group_with_a_record_in_flight_holds_back_later_groups() -> None:
    tracker = SubmittedRecords()
    first, second = tracker.submit_group(KA, A), tracker.submit_group(KA, A)
    first.add({"n": 0})
    first.add({"n": 1})
    second.add({"n": 2})
    first.seal()
    second.seal()
    second.ack()
    first.ack()  # record 1 is still in flight
    assert tracker.committable() == {}
    first.ack()
    assert tracker.committable() == {KA: (A, {"n": 2})}
