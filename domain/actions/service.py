"""Use cases for actions. Both surfaces call these; each checks policy, writes the audit
event and commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from domain.accounts.rules import Actor
from domain.actions import policy, sources
from domain.actions.rules import (
    CLOSED,
    ActionStatus,
    SourceType,
    check_transition,
    is_due_soon,
    is_overdue,
)
from domain.actions.schemas import (
    ActionChange,
    ActionCreate,
    ActionDetail,
    ActionDetailForForce,
    ActionRead,
    ActionReadForForce,
    ActionUpdateCreate,
    HistoryEntry,
    SourceLink,
)
from domain.actions.tables import Action, ActionTransition, ActionUpdate
from domain.audit import service as audit
from domain.errors import Forbidden, NotFound, invalid
from domain.listing import Page, PageRequest, SortKey, paginate
from domain.reference.tables import Area, Organisation
from domain.refs import next_ref
from domain.versioning import apply_changes, check_version, snapshot

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
            url=info.url if info else None,
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


def _org_id(db: Session, code: str) -> int:
    org = db.exec(select(Organisation).where(Organisation.code == code)).first()
    if org is None or not org.active or org.id is None:
        raise invalid("owner_org", f"there is no organisation with code {code!r}")
    return org.id


def _area_id(db: Session, code: str | None) -> int | None:
    if code is None:
        return None
    area = db.exec(select(Area).where(Area.code == code)).first()
    if area is None or area.id is None:
        raise invalid("area", f"there is no area with code {code!r}")
    return area.id


def _load(
    db: Session, actor: Actor, action_id: int, *, lock: bool = False
) -> tuple[Action, Lookups]:
    action = db.get(Action, action_id, with_for_update=lock)
    lookups = Lookups.load(db)
    if action is None:
        raise NotFound(f"no action with id {action_id}")
    policy.check_can_view(actor, action, lookups.org_kind(action))
    return action, lookups


def create_action(db: Session, actor: Actor, data: ActionCreate, *, now: datetime) -> Action:
    policy.check_can_edit(actor)
    owner_org_id = _org_id(db, data.owner_org)
    area_id = _area_id(db, data.area)
    sources.check_source(db, data.source_type, data.source_id)
    action = Action(
        ref=next_ref(db, "ACT", now.year),
        title=data.title,
        detail=data.detail,
        private_note=data.private_note,
        source_type=data.source_type.value,
        source_id=data.source_id,
        owner_org_id=owner_org_id,
        owner_name=data.owner_name,
        area_id=area_id,
        created_by=actor.label,
        due_on=data.due_on,
        status=ActionStatus.OPEN.value,
        public=data.public,
        you_said_we_did=data.you_said_we_did,
        told_on=data.told_on,
        created_at=now,
        updated_at=now,
    )
    db.add(action)
    db.flush()
    assert action.id is not None
    db.add(
        ActionTransition(
            action_id=action.id,
            actor=actor.label,
            from_status=None,
            to_status=ActionStatus.OPEN.value,
            note="Action created",
            created_at=now,
            updated_at=now,
        )
    )
    audit.record(
        db,
        actor,
        entity="action",
        entity_id=action.id,
        action="create",
        changes=snapshot(
            action,
            [
                "ref",
                "title",
                "source_type",
                "source_id",
                "owner_org_id",
                "owner_name",
                "area_id",
                "due_on",
                "status",
                "public",
            ],
        ),
        at=now,
    )
    db.commit()
    return action


def change_action(
    db: Session,
    actor: Actor,
    action_id: int,
    data: ActionChange,
    *,
    expected_version: int,
    now: datetime,
) -> Action:
    """Edit fields. Only OPCC editors: the Force responds through updates and status."""
    action, _ = _load(db, actor, action_id, lock=True)
    policy.check_can_edit(actor)
    check_version(action, expected_version)
    values = data.model_dump(exclude_unset=True)
    for required in (
        "title",
        "owner_org",
        "due_on",
        "detail",
        "private_note",
        "outcome",
        "owner_name",
        "public",
        "you_said_we_did",
    ):
        if required in values and values[required] is None:
            raise invalid(required, "cannot be empty")
    if "owner_org" in values:
        values["owner_org_id"] = _org_id(db, values.pop("owner_org"))
    if "area" in values:
        values["area_id"] = _area_id(db, values.pop("area"))
    diff = apply_changes(action, values, now=now)
    if diff:
        audit.record(
            db, actor, entity="action", entity_id=action_id, action="update", changes=diff, at=now
        )
    db.commit()
    return action


def parse_status(value: str) -> ActionStatus:
    try:
        return ActionStatus(value)
    except ValueError:
        names = ", ".join(s.value for s in ActionStatus)
        raise invalid("to", f"must be one of {names}") from None


def transition_action(
    db: Session,
    actor: Actor,
    action_id: int,
    *,
    to: str,
    note: str,
    expected_version: int,
    now: datetime,
    today: date,
) -> Action:
    target = parse_status(to)
    action, lookups = _load(db, actor, action_id, lock=True)
    policy.check_can_move(actor, lookups.org_kind(action), target)
    check_version(action, expected_version)
    current = ActionStatus(action.status)
    check_transition(current, target, note)
    changes: dict[str, Any] = {"status": target.value}
    if target is ActionStatus.DONE:
        changes["completed_on"] = today
    elif current is ActionStatus.DONE:
        changes["completed_on"] = None
    diff = apply_changes(action, changes, now=now)
    db.add(
        ActionTransition(
            action_id=action_id,
            actor=actor.label,
            from_status=current.value,
            to_status=target.value,
            note=note,
            created_at=now,
            updated_at=now,
        )
    )
    audit.record(
        db,
        actor,
        entity="action",
        entity_id=action_id,
        action="transition",
        changes={**diff, **({"note": {"before": None, "after": note}} if note else {})},
        at=now,
    )
    db.commit()
    return action


def add_update(
    db: Session, actor: Actor, action_id: int, data: ActionUpdateCreate, *, now: datetime
) -> ActionUpdate:
    action, lookups = _load(db, actor, action_id)
    policy.check_can_respond(actor, lookups.org_kind(action))
    if data.internal and not policy.sees_internal_notes(actor):
        raise Forbidden("only OPCC staff can add internal notes")
    update = ActionUpdate(
        action_id=action_id,
        author=actor.label,
        body=data.body,
        evidence_url=data.evidence_url,
        internal=data.internal,
        created_at=now,
        updated_at=now,
    )
    audit.created(
        db,
        actor,
        update,
        entity="action_update",
        fields=["action_id", "body", "evidence_url", "internal"],
        at=now,
    )
    db.commit()
    return update


def get_action(db: Session, actor: Actor, action_id: int) -> Action:
    action, _ = _load(db, actor, action_id)
    return action


def detail(
    db: Session, actor: Actor, action_id: int, *, today: date
) -> ActionDetail | ActionDetailForForce:
    """One action with its history (the timeline of status changes)."""
    action, _ = _load(db, actor, action_id)
    view = views(db, actor, [action], today=today)[0]
    history = [
        HistoryEntry(
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
    _load(db, actor, action_id)
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
