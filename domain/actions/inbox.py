"""The force liaison inbox: everything the Force owes, across sources, overdue first.

Each source of obligations is a provider (actions now; escalation responses and complaint
recommendations register their own). Entries are ordered by (due date, kind, id), so the
overdue ones come first, and pages are cut by keyset across all providers.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, func, null, true, tuple_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from domain import sync
from domain.accounts.policy import require
from domain.accounts.rules import SYSTEM, Actor, Scope
from domain.actions import queries, sources
from domain.actions.rules import DUE_SOON_DAYS
from domain.actions.schemas import SourceLink
from domain.actions.tables import Action
from domain.errors import invalid
from domain.listing import MAX_LIMIT, Page
from domain.reference.tables import Organisation

InboxKey = tuple[date, str, int]


class InboxEntry(BaseModel):
    kind: str
    id: int
    ref: str
    title: str
    due_on: date
    status: str
    overdue: bool
    due_soon: bool
    url: str
    source: SourceLink | None = None


@dataclass(frozen=True)
class InboxCounts:
    total: int = 0
    overdue: int = 0
    due_soon: int = 0

    def __add__(self, other: InboxCounts) -> InboxCounts:
        return InboxCounts(
            self.total + other.total, self.overdue + other.overdue, self.due_soon + other.due_soon
        )


class InboxProvider(Protocol):
    kind: str

    def entries(
        self, db: Session, *, today: date, after: InboxKey | None, limit: int
    ) -> list[InboxEntry]: ...

    def counts(self, db: Session, *, today: date) -> InboxCounts: ...


def after_clause(
    due_column: Any, id_column: Any, kind: str, after: InboxKey | None
) -> ColumnElement[bool]:
    """Rows of one provider that sort after `after` in (due date, kind, id) order."""
    if after is None:
        return true()
    due, after_kind, after_id = after
    if kind == after_kind:
        # A row-value comparison, which an index on (due, id) answers by seeking, where the
        # equivalent OR of two terms makes SQLite scan and sort.
        return tuple_(due_column, id_column) > tuple_(due, after_id)
    return due_column >= due if kind > after_kind else due_column > due


class ForceActions:
    """Open actions owned by the Force."""

    kind = "action"

    def _owed(self) -> ColumnElement[bool]:
        force = select(Organisation.id).where(Organisation.kind == "force")
        return and_(col(Action.owner_org_id).in_(force), queries.outstanding_sql())

    def entries(
        self, db: Session, *, today: date, after: InboxKey | None, limit: int
    ) -> list[InboxEntry]:
        """Core rows, overdue and due soon worked out in SQL, built without validating
        again what the database gave; the sources' names in one query per kind."""
        actions = queries.ACTIONS
        stmt = (
            sql_select(
                actions.c.id,
                actions.c.ref,
                actions.c.title,
                actions.c.due_on,
                actions.c.status,
                actions.c.source_type,
                actions.c.source_id,
                null().label("source"),
                queries.overdue_sql(today).label("overdue"),
                queries.due_soon_sql(today).label("due_soon"),
            )
            .where(self._owed(), after_clause(actions.c.due_on, actions.c.id, self.kind, after))
            .order_by(actions.c.due_on, actions.c.id)
            .limit(limit)
        )
        rows = [row._asdict() for row in db.execute(stmt)]
        queries.add_sources(db, SYSTEM, rows)
        return [
            InboxEntry.model_construct(
                kind=self.kind,
                id=row["id"],
                ref=row["ref"],
                title=row["title"],
                due_on=row["due_on"],
                status=row["status"],
                overdue=row["overdue"],
                due_soon=row["due_soon"],
                url=f"/actions/{row['id']}",
                source=SourceLink.model_construct(**row["source"]) if row["source"] else None,
            )
            for row in rows
        ]

    def counts(self, db: Session, *, today: date) -> InboxCounts:
        soon = today + timedelta(days=DUE_SOON_DAYS)
        total, overdue, due_soon = db.exec(
            select(
                func.count(),
                func.count().filter(col(Action.due_on) < today),
                func.count().filter(and_(col(Action.due_on) >= today, col(Action.due_on) <= soon)),
            ).where(self._owed())
        ).one()
        return InboxCounts(int(total), int(overdue), int(due_soon))


PROVIDERS: list[InboxProvider] = [ForceActions()]


def register_provider(provider: InboxProvider) -> None:
    PROVIDERS.append(provider)


def _encode(key: InboxKey) -> str:
    raw = json.dumps([key[0].isoformat(), key[1], key[2]]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> InboxKey:
    try:
        due, kind, ident = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return date.fromisoformat(due), str(kind), int(ident)
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise invalid("cursor", "is not a cursor this list gave out") from exc


def _for_reader(actor: Actor, entry: InboxEntry) -> InboxEntry:
    """Entries are built once for everyone; a source page the reader cannot open loses its link."""
    if entry.source is None or entry.source.url is None:
        return entry
    url = sources.link_for(actor, entry.source.type, entry.source.url)
    return entry.model_copy(update={"source": entry.source.model_copy(update={"url": url})})


def force_inbox(
    db: Session, actor: Actor, *, today: date, limit: int = 50, cursor: str | None = None
) -> Page[InboxEntry]:
    require(actor, Scope.READ_ACTIONS)
    if not 1 <= limit <= MAX_LIMIT:
        raise invalid("limit", f"must be between 1 and {MAX_LIMIT}")
    after = _decode(cursor) if cursor else None
    merged = _pages.get(db, (today, limit, after), lambda: _merged(db, today, after, limit))
    page = [_for_reader(actor, entry) for entry in merged[:limit]]
    more = len(merged) > limit
    next_cursor = _encode((page[-1].due_on, page[-1].kind, page[-1].id)) if more and page else None
    return Page(items=page, next_cursor=next_cursor)


# The inbox is the same for every reader (only a source's link depends on who reads), so
# its pages and counts are kept under the database's generation (domain.sync).
_pages: sync.KeptUnderGeneration[tuple[date, int, InboxKey | None], list[InboxEntry]] = (
    sync.KeptUnderGeneration()
)
_counts: sync.KeptUnderGeneration[date, InboxCounts] = sync.KeptUnderGeneration()


def _merged(db: Session, today: date, after: InboxKey | None, limit: int) -> list[InboxEntry]:
    """Every provider's next `limit + 1` entries, in the inbox's order (one more than a
    page, to tell whether there is a next page)."""
    merged: list[InboxEntry] = []
    for provider in PROVIDERS:
        merged.extend(provider.entries(db, today=today, after=after, limit=limit + 1))
    merged.sort(key=lambda e: (e.due_on, e.kind, e.id))
    return merged[: limit + 1]


def inbox_counts(db: Session, actor: Actor, *, today: date) -> InboxCounts:
    require(actor, Scope.READ_ACTIONS)
    return _counts.get(db, today, lambda: _counted(db, today))


def _counted(db: Session, today: date) -> InboxCounts:
    total = InboxCounts()
    for provider in PROVIDERS:
        total = total + provider.counts(db, today=today)
    return total
