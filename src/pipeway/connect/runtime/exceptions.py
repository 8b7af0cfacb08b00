"""Errors the task runners raise: a record failing at a stage, a task failing, commit failures.

They derive from :class:`pipeway.connect.exceptions.ConnectError` and keep their inputs as
attributes (and stay picklable) so the worker can report them through the REST API.
"""

from __future__ import annotations

from pipeway.connect.exceptions import ConnectError


class StageError(ConnectError):
    """A record failed at one processing stage (``KEY_CONVERTER``, ``TRANSFORMATION``...).

    The runner hands ``cause`` and ``stage`` to the error handler, which decides between
    retrying, skipping (dead letter queue) and failing the task.
    """

    def __init__(self, stage: str, cause: BaseException, executing_class: str = "") -> None:
        super().__init__(f"{stage} failed: {type(cause).__name__}: {cause}")
        self.stage = stage
        self.cause = cause
        self.executing_class = executing_class

    def __reduce__(self) -> tuple[type, tuple[str, BaseException, str]]:
        return (type(self), (self.stage, self.cause, self.executing_class))


class ToleranceExceeded(ConnectError):
    """An error was not tolerated (``errors.tolerance=none``, or not a per-record error).

    Raising it ends the task loop: the task becomes FAILED with this trace.
    """

    def __init__(self, stage: str, cause: BaseException) -> None:
        super().__init__(
            f"tolerance exceeded in error handler at stage {stage}: {type(cause).__name__}: {cause}"
        )
        self.stage = stage
        self.cause = cause

    def __reduce__(self) -> tuple[type, tuple[str, BaseException]]:
        return (type(self), (self.stage, self.cause))


class DeliveryError(ConnectError):
    """Kafka refused a record for good (after the producer's own retries)."""

    def __init__(self, topic: str, reason: str) -> None:
        super().__init__(f"could not deliver a record to topic {topic!r}: {reason}")
        self.topic = topic
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.topic, self.reason))


class OffsetCommitError(ConnectError):
    """Writing source offsets to the offset storage topic (or sink offsets) failed."""

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"could not commit offsets of {what}: {reason}")
        self.what = what
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.what, self.reason))
