"""Reading actions: the filtered, visibility-limited lists and the views both surfaces show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, bindparam, func, null, or_
from sqlmodel import Session, col, select

from domain import sync
from domain.accounts.rules import Actor
from domain.actions import policy, sources
from domain.actions.rules import (
    CLOSED,
    DUE_SOON_DAYS,
    ActionStatus,
    SourceType,
    is_due_soon,
    is_overdue,
)
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

ACTIONS: Table = Action.__table__  # type: ignore[attr-defined]
ORGANISATIONS: Table = Organisation.__table__  # type: ignore[attr-defined]
AREAS: Table = Area.__table__  # type: ignore[attr-defined]
OUTSTANDING = tuple(s.value for s in ActionStatus if s not in CLOSED)


def outstanding_sql() -> ColumnElement[bool]:
    """Neither done nor cancelled, with the statuses written into the SQL as literals (they
    are constants): only then does SQLite see that the partial index `ix_actions_outstanding`
    (migration 0011) holds exactly these rows, and walk it in id order."""
    statuses: Any = bindparam(
        "outstanding", list(OUTSTANDING), expanding=True, literal_execute=True
    )
    return ACTIONS.c.status.in_(statuses)


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


def overdue_sql(today: date) -> ColumnElement[bool]:
    """`rules.is_overdue` in SQL (tests/integration/test_action_rows.py holds them together)."""
    return and_(outstanding_sql(), ACTIONS.c.due_on < today)


def due_soon_sql(today: date) -> ColumnElement[bool]:
    """`rules.is_due_soon` in SQL."""
    return and_(
        outstanding_sql(),
        ACTIONS.c.due_on >= today,
        ACTIONS.c.due_on <= today + timedelta(days=DUE_SOON_DAYS),
    )


def _one_id(table: Table, code: str) -> Any:
    """The id of the row with this code, as a scalar subquery: the planner takes it as a
    constant, so an index on (owner_org_id, id) serves both the filter and the order."""
    return select(table.c.id).where(table.c.code == code).scalar_subquery()


def conditions(actor: Actor, filters: ActionFilters, *, today: date) -> list[ColumnElement[bool]]:
    """The WHERE of a filtered list, with the actor's visibility applied (checks read access)."""
    where: list[ColumnElement[bool]] = []
    visible = policy.visible_filter(actor)
    if visible is not None:
        where.append(visible)
    if filters.source_type is not None:
        where.append(ACTIONS.c.source_type == filters.source_type.value)
    if filters.source_id is not None:
        where.append(ACTIONS.c.source_id == filters.source_id)
    if filters.owner_org:
        where.append(ACTIONS.c.owner_org_id == _one_id(ORGANISATIONS, filters.owner_org))
    if filters.area:
        where.append(ACTIONS.c.area_id == _one_id(AREAS, filters.area))
    if filters.status is not None:
        where.append(ACTIONS.c.status == filters.status.value)
    if filters.overdue is True:
        where.append(overdue_sql(today))
    elif filters.overdue is False:
        where.append(
            or_(ACTIONS.c.status.not_in(OUTSTANDING), ACTIONS.c.due_on >= today),
        )
    if filters.due_before is not None:
        where.append(ACTIONS.c.due_on < filters.due_before)
    if filters.due_after is not None:
        where.append(ACTIONS.c.due_on >= filters.due_after)
    if filters.outstanding is True:
        where.append(outstanding_sql())
    elif filters.outstanding is False:
        where.append(ACTIONS.c.status.not_in(OUTSTANDING))
    if filters.created_by:
        where.append(ACTIONS.c.created_by == filters.created_by)
    if filters.q:
        pattern = f"%{filters.q.strip()}%"
        where.append(or_(ACTIONS.c.title.ilike(pattern), ACTIONS.c.ref.ilike(pattern)))
    return where


def _of(table: Table, column: str, key: Any) -> Any:
    """A column of the row `key` points at, as a correlated subquery: one primary-key
    lookup per listed row. A join would let the planner start from the small table and
    sort every action (it did, at a million, once it had statistics)."""
    return select(table.c[column]).where(table.c.id == key).scalar_subquery()


def _columns(schema: type[ActionReadForForce], today: date) -> list[Any]:
    """The read schema's fields in its order, each from SQL: the owner's and the area's codes
    by lookup, overdue and due soon as expressions; `source` is filled in afterwards."""
    derived: dict[str, Any] = {
        "source": null(),
        "owner_org": _of(ORGANISATIONS, "code", ACTIONS.c.owner_org_id),
        "owner_org_name": _of(ORGANISATIONS, "name", ACTIONS.c.owner_org_id),
        "area": _of(AREAS, "code", ACTIONS.c.area_id),
        "overdue": overdue_sql(today),
        "due_soon": due_soon_sql(today),
    }
    return [
        (derived[name] if name in derived else ACTIONS.c[name]).label(name)
        for name in schema.model_fields
    ]


def action_rows(
    db: Session, actor: Actor, *, filters: ActionFilters, page: PageRequest, today: date
) -> Page[dict[str, Any]]:
    """One page of the list as plain values of the caller's read schema (dates as dates,
    ready for orjson), read as Core rows: one query for the page (the owners' and areas'
    names looked up within it), and one per kind of source on it for the sources' names."""
    if filters.sort is not None and filters.sort not in SORTS:
        raise invalid("sort", f"must be one of {', '.join(SORTS)}")
    schema = read_schema(actor)
    stmt = (
        select(*_columns(schema, today))
        .select_from(ACTIONS)
        .where(*conditions(actor, filters, today=today))
    )
    found = paginate(
        db,
        stmt,
        id_column=ACTIONS.c.id,
        stamp_column=ACTIONS.c.updated_at,
        page=page,
        sort=SORTS.get(filters.sort or ""),
    )
    items = [row._asdict() for row in found.items]
    add_sources(db, actor, items)
    return Page(items=items, next_cursor=found.next_cursor)


def add_sources(db: Session, actor: Actor, items: list[dict[str, Any]]) -> None:
    """Fill in each row's `source` link, naming the sources in one query per kind."""
    wanted = {
        (item["source_type"], item["source_id"])
        for item in items
        if item["source_type"] != SourceType.NONE and item["source_id"] is not None
    }
    if not wanted:
        return
    named = sources.resolve(db, wanted)
    for item in items:
        key = (item["source_type"], item["source_id"])
        if key not in wanted:
            continue
        kind = SourceType(item["source_type"])
        info = named.get(key)
        item["source"] = {
            "type": kind,
            "id": item["source_id"],
            "title": info.title if info else f"{kind} {item['source_id']}",
            "ref": info.ref if info else None,
            "url": sources.link_for(actor, kind, info.url) if info else None,
        }


def list_actions(
    db: Session, actor: Actor, *, filters: ActionFilters, page: PageRequest, today: date
) -> Page[ActionReadForForce]:
    """`action_rows` as the read schema's objects, for the pages (built without validating
    again what the database gave)."""
    found = action_rows(db, actor, filters=filters, page=page, today=today)
    schema = read_schema(actor)
    items = []
    for values in found.items:
        source = values["source"]
        values["source"] = SourceLink.model_construct(**source) if source else None
        values["source_type"] = SourceType(values["source_type"])
        values["status"] = ActionStatus(values["status"])
        items.append(schema.model_construct(**values))
    return Page(items=items, next_cursor=found.next_cursor)


_counts: sync.KeptUnderGeneration[tuple[str, ActionFilters, date], int] = sync.KeptUnderGeneration(
    max_entries=1024
)


def count_actions(db: Session, actor: Actor, filters: ActionFilters, *, today: date) -> int:
    """How many actions a filtered list holds (visibility applied, as in the list): a count
    over the indexes of the filtered columns, without reading the rows. The same for all
    who see the same actions, so kept under the database's generation: at 100,000 actions
    Home's and the lists' counts were their slowest reads."""
    key = (policy.visibility_class(actor), filters, today)
    return _counts.get(db, key, lambda: _count(db, actor, filters, today))


def _count(db: Session, actor: Actor, filters: ActionFilters, today: date) -> int:
    stmt = select(func.count()).select_from(ACTIONS).where(*conditions(actor, filters, today=today))
    return int(db.exec(stmt).one())


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


def display_names(db: Session, labels: set[str]) -> dict[str, str]:
    """People's names for the labels an action records its authors by (a user's email
    address); a label that is not a user (a token's name, the command line) stays itself."""
    from domain.accounts.tables import User

    emails = {label for label in labels if "@" in label}
    found: dict[str, str] = {}
    if emails:
        rows = db.exec(select(User.email, User.display_name).where(col(User.email).in_(emails)))
        found = dict(rows.all())
    return {label: found.get(label) or label for label in labels}
