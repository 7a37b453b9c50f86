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
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, case, update
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, insert

from domain.records import Record, UTCDateTime

_CHANGED = "sync_changed"
_STAMP = "sync_stamp"


class SyncClock(SQLModel, table=True):
    """One row: the newest `updated_at` handed out."""

    __tablename__ = "sync_clock"

    id: int = Field(default=1, primary_key=True)
    last_stamp: datetime = Field(sa_type=UTCDateTime, nullable=False)


def note_changes(session: Session) -> None:
    """Before each flush: remember the records this transaction creates or changes."""
    changed: list[Record] = session.info.setdefault(_CHANGED, [])
    for record in (*session.new, *session.dirty):
        if isinstance(record, Record) and session.is_modified(record):
            changed.append(record)


def stamp_changes(session: Session) -> None:
    """When the transaction's changes are done: give them all the transaction's stamp."""
    session.flush()  # so note_changes has seen everything
    changed: list[Record] = session.info.pop(_CHANGED, [])
    if not changed:
        return
    stamp: datetime | None = session.info.get(_STAMP)
    if stamp is None:
        stamp = _take_stamp(session, max(record.updated_at for record in changed))
        session.info[_STAMP] = stamp
    for record in changed:
        record.updated_at = stamp
    session.flush()
    session.info.pop(_CHANGED, None)  # that flush noted its own stamping


def forget(session: Session, *_: Any) -> None:
    """The transaction ended: the next one takes its own stamp."""
    session.info.pop(_CHANGED, None)
    session.info.pop(_STAMP, None)


def _take_stamp(session: Session, proposed: datetime) -> datetime:
    clock: Table = SyncClock.__table__  # type: ignore[attr-defined]
    at_least = bindparam("proposed", proposed, type_=UTCDateTime)
    taken = (
        session.connection()
        .execute(
            update(clock)
            .where(clock.c.id == 1)
            .values(
                last_stamp=case((clock.c.last_stamp > at_least, clock.c.last_stamp), else_=at_least)
            )
            .returning(clock.c.last_stamp)
        )
        .scalar_one_or_none()
    )
    if taken is None:  # a database emptied by hand: start the clock again
        session.connection().execute(insert(SyncClock).values(id=1, last_stamp=proposed))
        taken = proposed
    return taken
