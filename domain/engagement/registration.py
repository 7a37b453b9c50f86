"""How the engagement context plugs into Actions: names an engagement as the source of its
debrief actions. Debrief actions the Force owns reach the force liaison inbox as ordinary
Force-owned actions, so there is no inbox provider here. Imported by the service."""

from __future__ import annotations

from datetime import date

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


def engagement_sources(db: Session, ids: set[int]) -> dict[int, SourceInfo]:
    rows = db.exec(
        select(col(Engagement.id), col(Engagement.kind), col(Engagement.held_on), col(Area.name))
        .join(Area, col(Area.id) == col(Engagement.area_id))
        .where(col(Engagement.id).in_(ids))
    ).all()
    return {
        engagement_id: SourceInfo(
            title=engagement_title(kind, area_name, held_on),
            ref=None,
            url=f"/engagements/{engagement_id}",
        )
        for engagement_id, kind, held_on, area_name in rows
        if engagement_id is not None
    }


def register() -> None:
    register_source(SourceType.ENGAGEMENT, engagement_sources, can_follow=policy.can_read)


register()
