"""Cached JSON list pages that are never stale, on any number of instances.

An answer is stored under the request's full URL, the caller's *visibility class* (what
kind of caller it is, never who), today's date (lists derive "overdue" from it) and the
database's change counter, `domain.sync.generation`, read before the data on every
request. Any committed change by any instance moves the counter, so an answer cached
before it can no longer be found; authentication and permission checks run before the
cache is consulted, so a revoked token fails at once. The ETag is made from the same key,
so a client's If-None-Match costs the one query that reads the counter.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

from cachetools import LRUCache

MAX_BYTES = 32 * 1024 * 1024
"""Enough for hundreds of 100-row pages; the worker's memory stays bounded (QUALITY.md P4)."""


@dataclass(frozen=True)
class CacheKey:
    url: str
    visibility: str
    today: str
    generation: str

    @property
    def etag(self) -> str:
        raw = f"{self.url}\n{self.visibility}\n{self.today}".encode()
        return f'W/"g{self.generation}-{hashlib.sha256(raw).hexdigest()[:24]}"'


class ResponseCache:
    """A byte-bounded LRU of response bodies; thread-safe (sync routes run in a pool)."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self._entries: LRUCache[CacheKey, bytes] = LRUCache(maxsize=max_bytes, getsizeof=len)
        self._lock = threading.Lock()

    def get(self, key: CacheKey) -> bytes | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: CacheKey, body: bytes) -> None:
        if len(body) > self._entries.maxsize:
            return
        with self._lock:
            self._entries[key] = body
