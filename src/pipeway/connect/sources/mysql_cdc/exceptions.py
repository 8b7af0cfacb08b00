"""Errors of the MySQL/MariaDB CDC source (transient ones derive from RetriableError)."""

from __future__ import annotations

from pipeway.connect.exceptions import ConnectError, RetriableError


class MySqlCdcError(ConnectError):
    """Base class of the CDC source's terminal errors."""


class InvalidGtid(MySqlCdcError):
    """A GTID or GTID set does not parse."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"invalid GTID {text!r}: {reason}")
        self.text = text
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.text, self.reason))


class BinlogNotReady(MySqlCdcError):
    """The server's binlog settings make CDC impossible (names the setting to change)."""

    def __init__(self, setting: str, actual: str, required: str) -> None:
        super().__init__(
            f"binlog setting {setting}={actual!r} does not allow change data capture; "
            f"set {setting}={required}"
        )
        self.setting = setting
        self.actual = actual
        self.required = required

    def __reduce__(self) -> tuple[type, tuple[str, str, str]]:
        return (type(self), (self.setting, self.actual, self.required))


class OffsetNotAvailable(MySqlCdcError):
    """The committed position is no longer in the server's binlog (purged or another server)."""

    def __init__(self, position: str, hint: str) -> None:
        super().__init__(f"committed binlog position {position} is no longer available: {hint}")
        self.position = position
        self.hint = hint

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.position, self.hint))


class UnsupportedColumnType(MySqlCdcError):
    """A column has a type the connector cannot map to Avro."""

    def __init__(self, column: str, column_type: str) -> None:
        super().__init__(f"column {column} has unsupported type {column_type!r}")
        self.column = column
        self.column_type = column_type

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.column, self.column_type))


class DatabaseUnavailable(RetriableError):
    """The database could not be reached after the configured reconnect attempts."""

    def __init__(self, address: str, attempts: int, cause: str) -> None:
        super().__init__(f"cannot reach {address} after {attempts} attempt(s): {cause}")
        self.address = address
        self.attempts = attempts
        self.cause = cause

    def __reduce__(self) -> tuple[type, tuple[str, int, str]]:
        return (type(self), (self.address, self.attempts, self.cause))
