"""Thread-safe caches for the registry client.

cachetools caches are not thread-safe; producers and consumers share one registry client
across threads, so every access goes through a lock. The lock is only taken on registry
client calls, which serializers make once per schema, never per record.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

import cachetools

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LockedCache(Generic[K, V]):
    """A cachetools cache behind a lock, with ``None`` meaning "not cached"."""

    def __init__(self, cache: cachetools.Cache) -> None:
        self._cache = cache
        self._lock = threading.Lock()

    @classmethod
    def lru(cls, capacity: int) -> LockedCache[K, V]:
        """Create a cache that evicts the least recently used entry beyond ``capacity``."""
        return cls(cachetools.LRUCache(maxsize=capacity))

    @classmethod
    def ttl(cls, capacity: int, seconds: float) -> LockedCache[K, V]:
        """Create a cache whose entries expire ``seconds`` after they were stored."""
        return cls(cachetools.TTLCache(maxsize=capacity, ttl=seconds))

    def get(self, key: K) -> V | None:
        """Return the cached value or ``None``."""
        with self._lock:
            value: V | None = self._cache.get(key)
            return value

    def put(self, key: K, value: V) -> None:
        """Store ``value`` under ``key``."""
        with self._lock:
            self._cache[key] = value

    def discard_where(self, predicate: Callable[[K], bool]) -> None:
        """Drop every entry whose key matches ``predicate`` (used when a subject is deleted)."""
        with self._lock:
            for key in [k for k in self._cache if predicate(k)]:
                self._cache.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._cache)
