"""Where pipeway keeps per-project state (data dir) and machine-wide caches (jars)."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "PIPEWAY_HOME"
CACHE_DIR_ENV = "PIPEWAY_CACHE"


def data_dir(explicit: Path | None = None) -> Path:
    """The data directory: ``explicit``, else ``$PIPEWAY_HOME``, else ``./.pipeway``."""
    if explicit is not None:
        return explicit.resolve()
    env = os.environ.get(DATA_DIR_ENV)
    return Path(env).resolve() if env else (Path.cwd() / ".pipeway").resolve()


def cache_dir() -> Path:
    """The cache shared by every data directory: ``$PIPEWAY_CACHE`` or ``~/.cache/pipeway``."""
    env = os.environ.get(CACHE_DIR_ENV)
    if env:
        return Path(env).resolve()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return (base / "pipeway").resolve()
