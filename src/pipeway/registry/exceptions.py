"""Schema registry errors, one class per Confluent error code.

Each class carries the HTTP status and the Confluent ``error_code`` so the HTTP layer can answer
``{"error_code": N, "message": "..."}`` exactly as Confluent's registry does, and clients such
as confluent-kafka's ``SchemaRegistryClient`` see the codes they expect.
"""

from __future__ import annotations

from pipeway.errors import PipewayError, TransientError


class RegistryError(PipewayError):
    """An error answered to the client; ``status`` and ``error_code`` follow Confluent."""

    status: int = 500
    error_code: int = 50001

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class HttpError(RegistryError):
    """A plain HTTP-level error (bad JSON, unknown route) whose code is the HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = status


class SubjectNotFoundError(RegistryError):
    status, error_code = 404, 40401

    def __init__(self, subject: str) -> None:
        super().__init__(f"Subject '{subject}' not found.")


class VersionNotFoundError(RegistryError):
    status, error_code = 404, 40402

    def __init__(self, version: int | str) -> None:
        super().__init__(f"Version {version} not found.")


class SchemaNotFoundError(RegistryError):
    status, error_code = 404, 40403

    def __init__(self, schema_id: int | None = None) -> None:
        super().__init__(
            "Schema not found" if schema_id is None else f"Schema {schema_id} not found"
        )


class SubjectSoftDeletedError(RegistryError):
    status, error_code = 404, 40404

    def __init__(self, subject: str) -> None:
        super().__init__(
            f"Subject '{subject}' was soft deleted.Set permanent=true to delete permanently"
        )


class SubjectNotSoftDeletedError(RegistryError):
    status, error_code = 404, 40405

    def __init__(self, subject: str) -> None:
        super().__init__(
            f"Subject '{subject}' was not deleted first before being permanently deleted"
        )


class VersionSoftDeletedError(RegistryError):
    status, error_code = 404, 40406

    def __init__(self, subject: str, version: int) -> None:
        super().__init__(
            f"Subject '{subject}' Version {version} was soft deleted."
            "Set permanent=true to delete permanently"
        )


class VersionNotSoftDeletedError(RegistryError):
    status, error_code = 404, 40407

    def __init__(self, subject: str, version: int) -> None:
        super().__init__(
            f"Subject '{subject}' Version {version} was not deleted first before being "
            "permanently deleted"
        )


class SubjectCompatibilityNotConfiguredError(RegistryError):
    status, error_code = 404, 40408

    def __init__(self, subject: str) -> None:
        super().__init__(
            f"Subject '{subject}' does not have subject-level compatibility configured"
        )


class SubjectModeNotConfiguredError(RegistryError):
    status, error_code = 404, 40409

    def __init__(self, subject: str) -> None:
        super().__init__(f"Subject '{subject}' does not have subject-level mode configured")


class IncompatibleSchemaError(RegistryError):
    status, error_code = 409, 40901


class InvalidSchemaError(RegistryError):
    status, error_code = 422, 42201


class InvalidVersionError(RegistryError):
    status, error_code = 422, 42202

    def __init__(self, version: str) -> None:
        super().__init__(
            f"The specified version '{version}' is not a valid version id. "
            'Allowed values are between [1, 2^31-1] and the string "latest"'
        )


class InvalidCompatibilityLevelError(RegistryError):
    status, error_code = 422, 42203

    def __init__(self) -> None:
        super().__init__(
            "Invalid compatibility level. Valid values are none, backward, forward, full, "
            "backward_transitive, forward_transitive, and full_transitive"
        )


class InvalidModeError(RegistryError):
    status, error_code = 422, 42204

    def __init__(self) -> None:
        super().__init__("Invalid mode. Valid values are: READWRITE, READONLY, IMPORT")


class OperationNotPermittedError(RegistryError):
    status, error_code = 422, 42205


class ReferenceExistsError(RegistryError):
    status, error_code = 422, 42206


class IdDoesNotMatchError(RegistryError):
    status, error_code = 422, 42207


class StoreError(RegistryError, TransientError):
    """The Kafka-backed store failed; the client may retry."""

    status, error_code = 500, 50001


class StoreTimeoutError(StoreError):
    status, error_code = 500, 50002


class StoreUnavailableError(StoreError):
    """Kafka cannot be reached at start-up: the registry cannot serve anything."""
