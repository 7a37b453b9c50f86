"""Where an action came from. Each context that produces actions registers a resolver
that names its records (title, ref, link), so actions can check and show their source, and
may register a lister of the records people can choose as a new action's source."""

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


@dataclass(frozen=True)
class SourceChoice:
    """One record offered as a new action's source."""

    type: SourceType
    id: int
    info: SourceInfo


SourceResolver = Callable[[Session, set[int]], dict[int, SourceInfo]]
SourceLister = Callable[[Session, int], list[tuple[int, SourceInfo]]]
"""(db, limit) → up to `limit` records people would pick from, the likeliest first."""
CanFollow = Callable[[Actor], bool]
_RESOLVERS: dict[SourceType, SourceResolver] = {}
_LISTERS: dict[SourceType, SourceLister] = {}
_CAN_FOLLOW: dict[SourceType, CanFollow] = {}
CHOICES_PER_KIND = 100  # the newest; an older record is still reachable from its own page

SOURCE_LABELS = {
    SourceType.BOARD_MEETING: "board meeting",
    SourceType.ESCALATION: "escalation",
    SourceType.ENGAGEMENT: "engagement",
    SourceType.COMPLAINT_REVIEW: "complaint review",
    SourceType.OBJECTIVE: "Plan objective",
    SourceType.NONE: "no source",
}


def register_source(
    source_type: SourceType,
    resolver: SourceResolver,
    *,
    can_follow: CanFollow | None = None,
    choices: SourceLister | None = None,
) -> None:
    """`can_follow` says who may open the source's page and raise actions from it (everyone
    who sees the action, if not given); `choices` lists the records a form may offer."""
    _RESOLVERS[source_type] = resolver
    if can_follow is not None:
        _CAN_FOLLOW[source_type] = can_follow
    if choices is not None:
        _LISTERS[source_type] = choices


def registered() -> list[SourceType]:
    """The kinds of source that exist in this installation, in the order of SourceType."""
    return [source_type for source_type in SourceType if source_type in _RESOLVERS]


def may_follow(actor: Actor, source_type: SourceType) -> bool:
    can_follow = _CAN_FOLLOW.get(source_type)
    return can_follow is None or can_follow(actor)


def link_for(actor: Actor, source_type: SourceType, url: str | None) -> str | None:
    """The source's page for a reader who may open it; anyone else sees its name only, since
    a link to a refusal (the Force to a complaint review, say) is a dead end."""
    return url if may_follow(actor, source_type) else None


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


def choosable(
    db: Session,
    actor: Actor,
    *,
    keep: tuple[SourceType, int] | None = None,
    limit: int = CHOICES_PER_KIND,
) -> list[tuple[SourceType, list[SourceChoice]]]:
    """The records this actor may raise an action from, grouped by kind (kinds with nothing
    to offer left out). `keep`, a source already chosen, is offered even if it is older than
    the newest `limit`, so a form can show it chosen."""
    kept = None
    if keep is not None and keep[0] in registered() and may_follow(actor, keep[0]):
        info = resolve(db, {(keep[0].value, keep[1])}).get((keep[0].value, keep[1]))
        kept = SourceChoice(keep[0], keep[1], info) if info else None
    grouped: list[tuple[SourceType, list[SourceChoice]]] = []
    for source_type in registered():
        if not may_follow(actor, source_type):
            continue
        lister = _LISTERS.get(source_type)
        listed = [
            SourceChoice(source_type, source_id, info)
            for source_id, info in (lister(db, limit) if lister else [])
        ]
        if kept is not None and kept.type is source_type and kept.id not in {c.id for c in listed}:
            listed.append(kept)
        if listed:
            grouped.append((source_type, listed))
    return grouped


def check_source(db: Session, actor: Actor, source_type: SourceType, source_id: int | None) -> None:
    """The source must exist and be one this actor may raise an action from; a kind they may
    not read answers as if the record did not exist, so the refusal reveals nothing."""
    if source_type is SourceType.NONE:
        if source_id is not None:
            raise invalid("source_id", "must be empty when the action has no source")
        return
    label = SOURCE_LABELS[source_type]
    if source_id is None:
        raise invalid("source_id", f"give the id of the {label}")
    missing = invalid("source_id", f"there is no {label} with id {source_id}")
    if not may_follow(actor, source_type):
        raise missing
    if (source_type.value, source_id) not in resolve(db, {(source_type.value, source_id)}):
        raise missing
