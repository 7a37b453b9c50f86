"""How the engagement context plugs into Actions: names an engagement as the source of its
debrief actions. Debrief actions the Force owns reach the force liaison inbox as ordinary
Force-owned actions, so there is no inbox provider here. Imported by the service."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from domain.actions.rules import SourceType
from domain.actions.sources import SourceInfo, register_source
from domain.engagement import policy
from domain.engagement.rules import KIND_LABELS, EngagementKind, long_date
from domain.engagement.tables import Engagement
from domain.reference.tables import Area


def engagement_title(kind: str, area_name: str, held_on: date) -> str:
    """How an engagement is named elsewhere: "Community Day in Melton, 24 January 2024"."""
    return f"{KIND_LABELS[EngagementKind(kind)]} in {area_name}, {long_date(held_on)}"


def _named() -> Any:
    return select(
        col(Engagement.id), col(Engagement.kind), col(Engagement.held_on), col(Area.name)
    ).join(Area, col(Area.id) == col(Engagement.area_id))


def _info(engagement_id: int, kind: str, held_on: date, area_name: str) -> SourceInfo:
    return SourceInfo(
        title=engagement_title(kind, area_name, held_on),
        ref=None,
        url=f"/engagements/{engagement_id}",
    )


def engagement_sources(db: Session, ids: set[int]) -> dict[int, SourceInfo]:
    rows = db.exec(_named().where(col(Engagement.id).in_(ids))).all()
    return {row[0]: _info(*row) for row in rows if row[0] is not None}


def engagement_choices(db: Session, limit: int) -> list[tuple[int, SourceInfo]]:
    """Engagements to raise an action from: the latest first."""
    rows = db.exec(
        _named().order_by(col(Engagement.held_on).desc(), col(Engagement.id).desc()).limit(limit)
    ).all()
    return [(row[0], _info(*row)) for row in rows if row[0] is not None]


def register() -> None:
    register_source(
        SourceType.ENGAGEMENT,
        engagement_sources,
        can_follow=policy.can_read,
        choices=engagement_choices,
    )


register()
