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

import asyncio
import functools
import hashlib
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from cachetools import LRUCache

from domain import clock
from domain.accounts.rules import Actor

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
        return f'W/"g{self.generation}-{_digest(self.url, self.visibility, self.today)}"'


@functools.lru_cache(maxsize=4096)
def _digest(url: str, visibility: str, today: str) -> str:
    """Remembered: pollers ask for the same few URLs, and every answer carries the tag."""
    return hashlib.sha256(f"{url}\n{visibility}\n{today}".encode()).hexdigest()[:24]


def cache_key(url: str, visibility: str, generation: str) -> CacheKey:
    """The key of a page: made the same way by the route that stores it and by
    `api.middleware.CachedPageMiddleware`, which answers from it."""
    return CacheKey(url, visibility, clock.today().isoformat(), generation)


Visibility = Callable[[Actor], str]
"""A list's visibility class of a caller; it raises a DomainError for one who may not read."""
Endpoint = TypeVar("Endpoint", bound=Callable[..., object])
VISIBILITY_ATTRIBUTE = "cached_page_visibility"


def answered_from_cache(visibility: Visibility) -> Callable[[Endpoint], Endpoint]:
    """Marks a list route whose cached pages may be answered before the route runs, and
    names the function the route itself uses for the caller's visibility class (which
    checks read access), so both sides of the cache key the same way. Put it under the
    route's decorator."""

    def mark(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, VISIBILITY_ATTRIBUTE, visibility)
        return endpoint

    return mark


class ResponseCache:
    """A byte-bounded LRU of response bodies; thread-safe (sync routes run in a pool)."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self._entries: LRUCache[CacheKey, bytes] = LRUCache(maxsize=max_bytes, getsizeof=len)
        self._lock = threading.Lock()
        self._making: dict[CacheKey, asyncio.Future[bytes]] = {}

    async def get_or_make(self, key: CacheKey, make: Callable[[], Awaitable[bytes]]) -> bytes:
        """The stored answer, or one made now; requests for a key already being made wait
        for it rather than make it again (32 pollers after a change cost one page, not 32).
        For the event loop's coroutines only."""
        while True:
            body = self.get(key)
            if body is not None:
                return body
            waiting = self._making.get(key)
            if waiting is None:
                break
            try:
                return await asyncio.shield(waiting)
            except asyncio.CancelledError:
                if not waiting.cancelled():
                    raise  # this request was cancelled, not the one making the page
        made: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._making[key] = made
        try:
            body = await make()
        except Exception as exc:
            made.set_exception(exc)
            made.exception()  # retrieved: the waiters raise it; it is not logged twice
            raise
        except BaseException:
            made.cancel()  # the waiters make it themselves
            raise
        finally:
            del self._making[key]
        made.set_result(body)
        self.put(key, body)
        return body

    def get(self, key: CacheKey) -> bytes | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: CacheKey, body: bytes) -> None:
        if len(body) > self._entries.maxsize:
            return
        with self._lock:
            self._entries[key] = body
