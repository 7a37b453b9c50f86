"""Where an action came from. Each context that produces actions registers a resolver
that names its records (title, ref, link), so actions can check and show their source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from domain.accounts.rules import Actor
from domain.actions.rules import SourceType
from domain.errors import invalid


@dataclass(frozen=True)
class SourceInfo:
    title: str
    ref: str | None
    url: str | None


SourceResolver = Callable[[Session, set[int]], dict[int, SourceInfo]]
CanFollow = Callable[[Actor], bool]
_RESOLVERS: dict[SourceType, SourceResolver] = {}
_CAN_FOLLOW: dict[SourceType, CanFollow] = {}

SOURCE_LABELS = {
    SourceType.BOARD_MEETING: "board meeting",
    SourceType.ESCALATION: "escalation",
    SourceType.ENGAGEMENT: "engagement",
    SourceType.COMPLAINT_REVIEW: "complaint review",
    SourceType.OBJECTIVE: "Plan objective",
    SourceType.NONE: "no source",
}


def register_source(
    source_type: SourceType, resolver: SourceResolver, *, can_follow: CanFollow | None = None
) -> None:
    """`can_follow` says who may open the source's page (everyone who sees the action, if
    not given)."""
    _RESOLVERS[source_type] = resolver
    if can_follow is not None:
        _CAN_FOLLOW[source_type] = can_follow


def link_for(actor: Actor, source_type: SourceType, url: str | None) -> str | None:
    """The source's page for a reader who may open it; anyone else sees its name only, since
    a link to a refusal (the Force to a complaint review, say) is a dead end."""
    can_follow = _CAN_FOLLOW.get(source_type)
    return url if can_follow is None or can_follow(actor) else None


def resolve(db: Session, wanted: set[tuple[str, int]]) -> dict[tuple[str, int], SourceInfo]:
    """Names for many sources in one query per source type."""
    found: dict[tuple[str, int], SourceInfo] = {}
    by_type: dict[str, set[int]] = {}
    for source_type, source_id in wanted:
        by_type.setdefault(source_type, set()).add(source_id)
    for source_type, ids in by_type.items():
        resolver = _RESOLVERS.get(SourceType(source_type))
        if resolver is not None:
            for source_id, info in resolver(db, ids).items():
                found[(source_type, source_id)] = info
    return found


def check_source(db: Session, source_type: SourceType, source_id: int | None) -> None:
    if source_type is SourceType.NONE:
        if source_id is not None:
            raise invalid("source_id", "must be empty when the action has no source")
        return
    label = SOURCE_LABELS[source_type]
    if source_id is None:
        raise invalid("source_id", f"give the id of the {label}")
    if (source_type.value, source_id) not in resolve(db, {(source_type.value, source_id)}):
        raise invalid("source_id", f"there is no {label} with id {source_id}")
