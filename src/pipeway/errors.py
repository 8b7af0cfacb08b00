"""The root of pipeway's exceptions.

Every package defines its own ``exceptions.py`` whose classes derive from :class:`PipewayError`.
Runtimes look at :class:`TransientError` to decide whether to retry with backoff; anything
else is terminal (dead letter queue or a failed task).
"""

from __future__ import annotations

from pydantic import ValidationError


class PipewayError(Exception):
    """Base class for every error pipeway raises on purpose."""


class TransientError(PipewayError):
    """A failure that may succeed when retried (network blip, broker or service restarting)."""


class ConfigError(PipewayError):
    """A configuration value is missing or invalid; the message names the key."""


def validation_problems(exc: ValidationError) -> str:
    """A pydantic error as one line a user can act on: ``field.path: message; ...``."""
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
