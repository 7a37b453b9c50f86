"""Reading actions: the filtered, visibility-limited lists and the views both surfaces show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from domain.accounts.rules import Actor
from domain.actions import policy, sources
from domain.actions.rules import CLOSED, ActionStatus, SourceType, is_due_soon, is_overdue
from domain.actions.schemas import (
    ActionDetail,
    ActionDetailForForce,
    ActionHistoryEntry,
    ActionRead,
    ActionReadForForce,
    SourceLink,
)
from domain.actions.tables import Action, ActionTransition, ActionUpdate
from domain.errors import NotFound, invalid
from domain.listing import Page, PageRequest, SortKey, paginate
from domain.reference.tables import Area, Organisation

SORTS = {
    "due_on": SortKey("due_on", Action.due_on),
    "-due_on": SortKey("-due_on", Action.due_on, descending=True),
    "ref": SortKey("ref", Action.ref),
    "title": SortKey("title", Action.title),
    "status": SortKey("status", Action.status),
}


@dataclass(frozen=True)
class ActionFilters:
    source_type: SourceType | None = None
    source_id: int | None = None
    owner_org: str | None = None
    status: ActionStatus | None = None
    overdue: bool | None = None
    due_before: date | None = None
    due_after: date | None = None
    area: str | None = None
    q: str | None = None
    sort: str | None = None
    outstanding: bool | None = None  # True: neither done nor cancelled
    created_by: str | None = None  # the creator's label (a user's email address)


@dataclass(frozen=True)
class Lookups:
    """The small reference tables an action view needs, loaded once per call."""

    orgs: dict[int, Organisation]
    areas: dict[int, Area]

    @classmethod
    def load(cls, db: Session) -> Lookups:
        return cls(
            orgs={o.id: o for o in db.exec(select(Organisation)).all() if o.id is not None},
            areas={a.id: a for a in db.exec(select(Area)).all() if a.id is not None},
        )

    def org_kind(self, action: Action) -> str:
        return self.orgs[action.owner_org_id].kind


def read_schema(actor: Actor) -> type[ActionReadForForce]:
    return ActionRead if policy.sees_internal_notes(actor) else ActionReadForForce


def _view(
    action: Action,
    lookups: Lookups,
    found: dict[tuple[str, int], sources.SourceInfo],
    actor: Actor,
    today: date,
) -> ActionReadForForce:
    org = lookups.orgs[action.owner_org_id]
    area = lookups.areas.get(action.area_id) if action.area_id else None
    source = None
    if action.source_type != SourceType.NONE and action.source_id is not None:
        info = found.get((action.source_type, action.source_id))
        source = SourceLink(
            type=SourceType(action.source_type),
            id=action.source_id,
            title=info.title if info else f"{action.source_type} {action.source_id}",
            ref=info.ref if info else None,
            url=sources.link_for(actor, SourceType(action.source_type), info.url) if info else None,
        )
    status = ActionStatus(action.status)
    values: dict[str, Any] = {
        **action.model_dump(exclude={"owner_org_id", "area_id", "private_note"}),
        "source": source,
        "owner_org": org.code,
        "owner_org_name": org.name,
        "area": area.code if area else None,
        "overdue": is_overdue(status, action.due_on, today),
        "due_soon": is_due_soon(status, action.due_on, today),
    }
    if policy.sees_internal_notes(actor):
        return ActionRead(**values, private_note=action.private_note)
    return ActionReadForForce(**values)


def views(
    db: Session, actor: Actor, actions: list[Action], *, today: date
) -> list[ActionReadForForce]:
    lookups = Lookups.load(db)
    found = sources.resolve(
        db, {(a.source_type, a.source_id) for a in actions if a.source_id is not None}
    )
    return [_view(a, lookups, found, actor, today) for a in actions]


def load(
    db: Session, actor: Actor, action_id: int, *, lock: bool = False
) -> tuple[Action, Lookups]:
    action = db.get(Action, action_id, with_for_update=lock)
    lookups = Lookups.load(db)
    if action is None:
        raise NotFound(f"no action with id {action_id}")
    policy.check_can_view(actor, action, lookups.org_kind(action))
    return action, lookups


def get_action(db: Session, actor: Actor, action_id: int) -> Action:
    action, _ = load(db, actor, action_id)
    return action


def detail(
    db: Session, actor: Actor, action_id: int, *, today: date
) -> ActionDetail | ActionDetailForForce:
    """One action with its history (the timeline of status changes)."""
    action, _ = load(db, actor, action_id)
    view = views(db, actor, [action], today=today)[0]
    history = [
        ActionHistoryEntry(
            at=t.created_at,
            actor=t.actor,
            from_=ActionStatus(t.from_status) if t.from_status else None,
            to=ActionStatus(t.to_status),
            note=t.note,
        )
        for t in db.exec(
            select(ActionTransition)
            .where(ActionTransition.action_id == action_id)
            .order_by(col(ActionTransition.id))
        ).all()
    ]
    model = ActionDetail if isinstance(view, ActionRead) else ActionDetailForForce
    return model(**view.model_dump(), history=history)


def list_updates(
    db: Session, actor: Actor, action_id: int, *, page: PageRequest
) -> Page[ActionUpdate]:
    load(db, actor, action_id)
    stmt = select(ActionUpdate).where(ActionUpdate.action_id == action_id)
    if not policy.sees_internal_notes(actor):
        stmt = stmt.where(ActionUpdate.internal == False)  # noqa: E712
    return paginate(
        db, stmt, id_column=ActionUpdate.id, stamp_column=ActionUpdate.updated_at, page=page
    )


def filtered(actor: Actor, filters: ActionFilters, *, today: date) -> Any:
    """The SELECT for a filtered list, with the actor's visibility applied in SQL."""
    stmt = select(Action)
    visible = policy.visible_filter(actor)
    if visible is not None:
        stmt = stmt.where(visible)
    if filters.source_type is not None:
        stmt = stmt.where(Action.source_type == filters.source_type.value)
    if filters.source_id is not None:
        stmt = stmt.where(Action.source_id == filters.source_id)
    if filters.owner_org:
        stmt = stmt.where(
            col(Action.owner_org_id).in_(
                select(Organisation.id).where(Organisation.code == filters.owner_org)
            )
        )
    if filters.area:
        stmt = stmt.where(col(Action.area_id).in_(select(Area.id).where(Area.code == filters.area)))
    if filters.status is not None:
        stmt = stmt.where(Action.status == filters.status.value)
    open_statuses = [s.value for s in ActionStatus if s not in CLOSED]
    if filters.overdue is True:
        stmt = stmt.where(col(Action.status).in_(open_statuses), col(Action.due_on) < today)
    elif filters.overdue is False:
        stmt = stmt.where(
            or_(col(Action.status).not_in(open_statuses), col(Action.due_on) >= today)
        )
    if filters.due_before is not None:
        stmt = stmt.where(Action.due_on < filters.due_before)
    if filters.due_after is not None:
        stmt = stmt.where(Action.due_on >= filters.due_after)
    if filters.outstanding is True:
        stmt = stmt.where(col(Action.status).in_(open_statuses))
    elif filters.outstanding is False:
        stmt = stmt.where(col(Action.status).not_in(open_statuses))
    if filters.created_by:
        stmt = stmt.where(Action.created_by == filters.created_by)
    if filters.q:
        pattern = f"%{filters.q.strip()}%"
        stmt = stmt.where(or_(col(Action.title).ilike(pattern), col(Action.ref).ilike(pattern)))
    return stmt


def list_actions(
    db: Session, actor: Actor, *, filters: ActionFilters, page: PageRequest, today: date
) -> Page[ActionReadForForce]:
    if filters.sort is not None and filters.sort not in SORTS:
        raise invalid("sort", f"must be one of {', '.join(SORTS)}")
    stmt = filtered(actor, filters, today=today)
    found = paginate(
        db,
        stmt,
        id_column=Action.id,
        stamp_column=Action.updated_at,
        page=page,
        sort=SORTS.get(filters.sort or ""),
    )
    return Page(items=views(db, actor, found.items, today=today), next_cursor=found.next_cursor)


def count_actions(db: Session, actor: Actor, filters: ActionFilters, *, today: date) -> int:
    """How many actions a filtered list holds (visibility applied, as in the list)."""
    stmt = filtered(actor, filters, today=today)
    return int(db.exec(select(func.count()).select_from(stmt.subquery())).one())


@dataclass(frozen=True)
class Abilities:
    """What one actor may do with one action, for the page to offer only that."""

    edit: bool
    respond: bool
    internal_notes: bool
    moves: tuple[ActionStatus, ...]


def abilities(db: Session, actor: Actor, action: ActionReadForForce) -> Abilities:
    kind = db.exec(select(Organisation.kind).where(Organisation.code == action.owner_org)).one()
    return Abilities(
        edit=policy.can_edit(actor),
        respond=policy.can_respond(actor, kind),
        internal_notes=policy.sees_internal_notes(actor),
        moves=policy.allowed_moves(actor, kind, action.status),
    )
