"""How the board context plugs into Actions: names its records as action sources, and lists
escalations awaiting the Force in the force liaison inbox. Imported by domain.board.service."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func
from sqlmodel import Session, col, select

from domain.actions.inbox import InboxCounts, InboxEntry, InboxKey, after_clause, register_provider
from domain.actions.rules import SourceType
from domain.actions.sources import SourceInfo, register_source
from domain.board import policy
from domain.board.rules import DUE_SOON_DAYS, EscalationStatus, is_due_soon, is_overdue
from domain.board.tables import BoardMeeting, Escalation


def _meeting_info(meeting_id: int, title: str, held_on: date) -> SourceInfo:
    return SourceInfo(
        title=f"{title} ({held_on.day} {held_on:%B %Y})",
        ref=None,
        url=f"/board-meetings/{meeting_id}",
    )


def _escalation_info(escalation_id: int, title: str, ref: str) -> SourceInfo:
    return SourceInfo(title=title, ref=ref, url=f"/escalations/{escalation_id}")


# The columns a name needs, not whole records: a meeting carries its minutes, an escalation
# its narrative, and a list of actions names many sources on every page.
def _meeting_names() -> Any:
    return select(col(BoardMeeting.id), col(BoardMeeting.title), col(BoardMeeting.held_on))


def _escalation_names() -> Any:
    return select(col(Escalation.id), col(Escalation.title), col(Escalation.ref))


def meeting_sources(db: Session, ids: set[int]) -> dict[int, SourceInfo]:
    found = db.exec(_meeting_names().where(col(BoardMeeting.id).in_(ids))).all()
    return {row[0]: _meeting_info(*row) for row in found}


def meeting_choices(db: Session, limit: int) -> list[tuple[int, SourceInfo]]:
    """Meetings to raise an action from: the latest first."""
    found = db.exec(
        _meeting_names()
        .order_by(col(BoardMeeting.held_on).desc(), col(BoardMeeting.id).desc())
        .limit(limit)
    ).all()
    return [(row[0], _meeting_info(*row)) for row in found]


def escalation_sources(db: Session, ids: set[int]) -> dict[int, SourceInfo]:
    found = db.exec(_escalation_names().where(col(Escalation.id).in_(ids))).all()
    return {row[0]: _escalation_info(*row) for row in found}


def escalation_choices(db: Session, limit: int) -> list[tuple[int, SourceInfo]]:
    """Escalations to raise an action from: the newest first."""
    found = db.exec(_escalation_names().order_by(col(Escalation.id).desc()).limit(limit)).all()
    return [(row[0], _escalation_info(*row)) for row in found]


class EscalationsAwaitingTheForce:
    """Escalations whose paper the Force owes: due on the response due date."""

    kind = "escalation"

    def _owed(self) -> ColumnElement[bool]:
        return col(Escalation.status) == EscalationStatus.AWAITING_RESPONSE.value

    def entries(
        self, db: Session, *, today: date, after: InboxKey | None, limit: int
    ) -> list[InboxEntry]:
        stmt = (
            select(Escalation)
            .where(
                self._owed(),
                after_clause(Escalation.response_due, Escalation.id, self.kind, after),
            )
            .order_by(col(Escalation.response_due), col(Escalation.id))
            .limit(limit)
        )
        return [
            InboxEntry(
                kind=self.kind,
                id=e.id,
                ref=e.ref,
                title=e.title,
                due_on=e.response_due,
                status=e.status,
                overdue=is_overdue(e.status, e.response_due, today),
                due_soon=is_due_soon(e.status, e.response_due, today),
                url=f"/escalations/{e.id}",
            )
            for e in db.exec(stmt).all()
            if e.id is not None
        ]

    def counts(self, db: Session, *, today: date) -> InboxCounts:
        soon = today + timedelta(days=DUE_SOON_DAYS)
        due = col(Escalation.response_due)
        total, overdue, due_soon = db.exec(
            select(
                func.count(),
                func.count().filter(due < today),
                func.count().filter(and_(due >= today, due <= soon)),
            ).where(self._owed())
        ).one()
        return InboxCounts(int(total), int(overdue), int(due_soon))


def register() -> None:
    register_source(
        SourceType.BOARD_MEETING,
        meeting_sources,
        can_follow=policy.can_read,
        choices=meeting_choices,
    )
    register_source(
        SourceType.ESCALATION,
        escalation_sources,
        can_follow=policy.can_read,
        choices=escalation_choices,
    )
    from domain.actions import inbox

    if not any(p.kind == EscalationsAwaitingTheForce.kind for p in inbox.PROVIDERS):
        register_provider(EscalationsAwaitingTheForce())


register()
