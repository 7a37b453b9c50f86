"""Commit-ordered `updated_at`, so that incremental sync (`updated_since`) is exact.

A service passes `now`, taken before its transaction could take the write lock, so a row
stamped earlier could commit later and fall behind a client that had already polled past
its stamp. Instead every transaction that changes records takes its stamp from one
`sync_clock` row when its changes are done, as the last thing before it commits: never
earlier than its own `now`, never earlier than any stamp already taken. On PostgreSQL the
UPDATE locks that row until the commit, so stamps are taken in commit order; on SQLite the
writing transaction already holds the database's one write lock (BEGIN IMMEDIATE). Taken
last, after every row lock the transaction needs, it cannot deadlock.

So a client that passes the newest `updated_at` it has seen as its next `updated_since`
(inclusive) sees every change: anything committed later carries a stamp at or after it.

The same row counts the transactions that changed anything (`generation`): a reader that
reads it before its data knows that an answer cached under that number is never stale,
on any instance (the response cache in `api/response_cache.py` keys on it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import BigInteger, Table, bindparam, case, select, update
from sqlalchemy.orm import ORMExecuteState, Session
from sqlmodel import Field, SQLModel, insert

from domain.records import Record, UTCDateTime

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_CHANGED = "sync_changed"
_STAMP = "sync_stamp"
_DELETED = "sync_deleted"  # or written past the ORM: the transaction takes a stamp
_SEEN = "sync_generation_seen"  # read before any value kept under it was made


class SyncClock(SQLModel, table=True):
    """One row: the newest `updated_at` handed out."""

    __tablename__ = "sync_clock"

    id: int = Field(default=1, primary_key=True)
    last_stamp: datetime = Field(sa_type=UTCDateTime, nullable=False)
    generation: int = Field(default=0, sa_type=BigInteger, nullable=False)


def note_changes(session: Session) -> None:
    """Before each flush: remember the records this transaction creates or changes."""
    changed: list[Record] = session.info.setdefault(_CHANGED, [])
    for record in (*session.new, *session.dirty):
        if isinstance(record, Record) and session.is_modified(record):
            changed.append(record)
    if any(isinstance(record, Record) for record in session.deleted):
        session.info[_DELETED] = True


def stamp_changes(session: Session) -> None:
    """When the transaction's changes are done: give them all the transaction's stamp."""
    session.flush()  # so note_changes has seen everything
    changed: list[Record] = session.info.pop(_CHANGED, [])
    deleted = session.info.pop(_DELETED, False)
    if not changed:
        if deleted and _STAMP not in session.info:
            session.info[_STAMP] = _take_stamp(session, None)
        return
    stamp: datetime | None = session.info.get(_STAMP)
    if stamp is None:
        stamp = _take_stamp(session, max(record.updated_at for record in changed))
        session.info[_STAMP] = stamp
    for record in changed:
        record.updated_at = stamp
    session.flush()
    session.info.pop(_CHANGED, None)  # that flush noted its own stamping


NOT_A_CHANGE = {"oversight_not_a_change": True}
"""Execution options for a statement that writes nothing any list or page shows (a token's
last use, say), so it does not end every cached answer."""


def note_statement(state: ORMExecuteState) -> None:
    """An INSERT, UPDATE or DELETE run through the session (a bulk insert of generated
    records, a purge) changes rows the ORM never sees: count its transaction as a change
    all the same, so no instance serves an answer cached before it. Writes through
    `session.connection()` call `bump` themselves."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if state.execution_options.get("oversight_not_a_change", False):
        return
    mapper = state.bind_mapper
    if mapper is not None and not issubclass(mapper.class_, Record):
        return  # sessions, sign-in attempts: nothing anyone lists
    state.session.info[_DELETED] = True


def forget(session: Session, *_: Any) -> None:
    """The transaction ended: the next one takes its own stamp."""
    session.info.pop(_CHANGED, None)
    session.info.pop(_STAMP, None)
    session.info.pop(_DELETED, None)
    session.info.pop(_SEEN, None)


def bump(session: Session) -> None:
    """For writes that bypass the ORM (bulk inserts, Core deletes): count the transaction
    as a change, so cached answers made before it are not served after it."""
    if _STAMP not in session.info:
        session.info[_STAMP] = _take_stamp(session, None)


def unchanged_here(session: Session) -> bool:
    """This session has changed nothing yet: what it reads is what any reader at the same
    generation reads, so a value kept under that generation may stand in for it."""
    if session.new or session.dirty or session.deleted:
        return False
    return not any(mark in session.info for mark in (_CHANGED, _STAMP, _DELETED))


class KeptUnderGeneration(Generic[K, V]):
    """Values worked out from the database, kept in this process for as long as its
    generation stands: a value kept under the generation read before its data is never
    stale, whichever instance made the change since. Per database (tests open many), for
    read-only use by many threads: keep immutable values or values nobody changes."""

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._by_database: WeakKeyDictionary[Any, dict[K, tuple[str, V]]] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, session: Session, key: K, make: Callable[[], V]) -> V:
        """The value kept for `key` at the current generation, or `make()`'s, kept now. A
        transaction that has written always makes its own, and sees its own change."""
        if not unchanged_here(session):
            return make()
        now_at = session.info.get(_SEEN)
        if now_at is None:  # once per transaction, however many values a page keeps
            now_at = session.info[_SEEN] = generation(session)
        with self._lock:
            kept = self._by_database.setdefault(session.get_bind(), {})
            found = kept.get(key)
        if found is not None and found[0] == now_at:
            return found[1]
        value = make()
        with self._lock:
            if len(kept) >= self.max_entries:  # a crude bound; generations move on anyway
                kept.clear()
            kept[key] = (now_at, value)
        return value


def generation(session: Session) -> str:
    """Where the database's history stands: the count of changing transactions and the
    newest stamp (the stamp tells a database restored from a backup, whose count went
    back, from the history it replaced). Read it before the data it vouches for."""
    clock: Table = SyncClock.__table__  # type: ignore[attr-defined]
    found = session.connection().execute(select(clock.c.generation, clock.c.last_stamp)).first()
    return "0" if found is None else generation_of(found[0], found[1])


def generation_columns() -> tuple[Any, Any]:
    """`generation`'s two values as scalar subqueries, to ride along another read (the
    credential lookup) instead of costing a statement of their own; `generation_of` turns
    them into the same string."""
    clock: Table = SyncClock.__table__  # type: ignore[attr-defined]
    return (
        select(clock.c.generation).where(clock.c.id == 1).scalar_subquery().label("generation"),
        select(clock.c.last_stamp).where(clock.c.id == 1).scalar_subquery().label("last_stamp"),
    )


def generation_of(count: int | None, last_stamp: datetime | None) -> str:
    if count is None or last_stamp is None:
        return "0"
    return f"{count}@{last_stamp.timestamp()}"


def _take_stamp(session: Session, proposed: datetime | None) -> datetime:
    """The transaction's stamp (at least `proposed`; None: no records of its own to stamp),
    counting it in `generation`."""
    clock: Table = SyncClock.__table__  # type: ignore[attr-defined]
    if proposed is None:
        last_stamp: Any = clock.c.last_stamp
    else:
        at_least = bindparam("proposed", proposed, type_=UTCDateTime)
        last_stamp = case((clock.c.last_stamp > at_least, clock.c.last_stamp), else_=at_least)
    taken = (
        session.connection()
        .execute(
            update(clock)
            .where(clock.c.id == 1)
            .values(last_stamp=last_stamp, generation=clock.c.generation + 1)
            .returning(clock.c.last_stamp)
        )
        .scalar_one_or_none()
    )
    if taken is None:  # a database emptied by hand: start the clock again
        taken = proposed or datetime.now(UTC)
        session.connection().execute(insert(SyncClock).values(id=1, last_stamp=taken, generation=1))
    return taken
