"""One set of use cases serves the six reference kinds; each kind names its own shapes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from domain import sync
from domain.accounts.policy import require, require_signed_in
from domain.accounts.rules import Actor, Scope
from domain.audit import service as audit
from domain.errors import FieldError, Invalid, NotFound
from domain.listing import Page, PageRequest, paginate
from domain.records import Record
from domain.reference import schemas
from domain.reference.tables import (
    AllegationCategory,
    Area,
    BoardKind,
    NeighbourhoodPolicingArea,
    Organisation,
    Topic,
)
from domain.versioning import apply_changes, check_version


@dataclass(frozen=True)
class ReferenceKind:
    slug: str
    entity: str
    label: str
    singular: str
    table: type[Record]
    create: type[BaseModel]
    update: type[BaseModel]
    read: type[BaseModel]


ORGANISATIONS = ReferenceKind(
    "organisations",
    "organisation",
    "Organisations",
    "organisation",
    Organisation,
    schemas.OrganisationCreate,
    schemas.OrganisationUpdate,
    schemas.OrganisationRead,
)
AREAS = ReferenceKind(
    "areas",
    "area",
    "Areas",
    "area",
    Area,
    schemas.AreaCreate,
    schemas.AreaUpdate,
    schemas.AreaRead,
)
NPAS = ReferenceKind(
    "npas",
    "npa",
    "Neighbourhood Policing Areas",
    "Neighbourhood Policing Area",
    NeighbourhoodPolicingArea,
    schemas.NpaCreate,
    schemas.NpaUpdate,
    schemas.NpaRead,
)
TOPICS = ReferenceKind(
    "topics",
    "topic",
    "Topics",
    "topic",
    Topic,
    schemas.TopicCreate,
    schemas.TopicUpdate,
    schemas.TopicRead,
)
BOARD_KINDS = ReferenceKind(
    "board-kinds",
    "board_kind",
    "Board kinds",
    "board kind",
    BoardKind,
    schemas.BoardKindCreate,
    schemas.BoardKindUpdate,
    schemas.BoardKindRead,
)
ALLEGATION_CATEGORIES = ReferenceKind(
    "allegation-categories",
    "allegation_category",
    "Allegation categories",
    "allegation category",
    AllegationCategory,
    schemas.AllegationCategoryCreate,
    schemas.AllegationCategoryUpdate,
    schemas.AllegationCategoryRead,
)
KINDS: dict[str, ReferenceKind] = {
    k.slug: k for k in (ORGANISATIONS, AREAS, NPAS, TOPICS, BOARD_KINDS, ALLEGATION_CATEGORIES)
}

TYPE_WORDS: dict[str, str] = {
    schemas.OrganisationKind.OPCC: "OPCC",
    schemas.OrganisationKind.FORCE: "Police force",
    schemas.OrganisationKind.PARTNER: "Partner",
    schemas.AreaKind.UNITARY: "Unitary authority",
    schemas.AreaKind.DISTRICT: "District",
    schemas.AreaKind.COUNTY: "County",
}
"""An organisation's or area's type (the `kind` field) in words."""


def list_records(
    db: Session,
    actor: Actor,
    kind: ReferenceKind,
    *,
    page: PageRequest,
    active: bool | None = None,
) -> Page[Any]:
    require_signed_in(actor)
    table: Any = kind.table
    stmt = select(table)
    if active is not None:
        stmt = stmt.where(table.active == active)
    return paginate(db, stmt, id_column=table.id, stamp_column=table.updated_at, page=page)


_active: sync.KeptUnderGeneration[str, list[Any]] = sync.KeptUnderGeneration()
"""Every form and filtered list shows several pick-lists, which change a few times a year."""


def active_records(db: Session, kind: ReferenceKind) -> list[Any]:
    """For pick-lists: every active row, by name, as read-only rows (`.code`, `.name`, …),
    kept under the database's generation (`domain.sync`)."""
    return _active.get(db, kind.slug, lambda: _read_active(db, kind))


def _read_active(db: Session, kind: ReferenceKind) -> list[Any]:
    table: Any = kind.table.__table__  # type: ignore[attr-defined]
    statement = sa_select(table).where(table.c.active.is_(True)).order_by(table.c.name)
    return list(db.connection().execute(statement).all())


def get_record(db: Session, actor: Actor, kind: ReferenceKind, record_id: int) -> Any:
    require_signed_in(actor)
    found = db.get(kind.table, record_id)
    if found is None:
        raise NotFound(f"no {kind.singular} with id {record_id}")
    return found


def _whole(value: Any) -> int | None:
    """A whole number a database integer can hold, else None."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -(2**31) <= number < 2**31 else None


def rule_faults(
    db: Session, kind: ReferenceKind, values: dict[str, Any], own_id: int | None
) -> list[FieldError]:
    """Every clash with other records, at once. Values may still be the form's text: a
    form with other mistakes is checked too, so every problem shows in one go."""
    table: Any = kind.table
    faults = []
    if values.get("code"):
        clash = db.exec(select(table).where(table.code == str(values["code"]))).first()
        if clash is not None and clash.id != own_id:
            faults.append(FieldError(("code",), f"another {kind.singular} already uses this code"))
    if kind is AREAS and ("tile_row" in values or "tile_col" in values):
        current = db.get(Area, own_id) if own_id else None
        row = _whole(values.get("tile_row", current.tile_row if current else None))
        column = _whole(values.get("tile_col", current.tile_col if current else None))
        clash = db.exec(select(Area).where(Area.tile_row == row, Area.tile_col == column)).first()
        if clash is not None and clash.id != own_id:
            faults.append(FieldError(("tile_row",), f"{clash.name} already sits on this tile"))
    area_id = _whole(values.get("area_id"))
    if kind is NPAS and area_id is not None and db.get(Area, area_id) is None:
        faults.append(FieldError(("area_id",), f"no area with id {area_id}"))
    return faults


def _check_rules(
    db: Session, kind: ReferenceKind, values: dict[str, Any], own_id: int | None
) -> None:
    faults = rule_faults(db, kind, values, own_id)
    if faults:
        raise Invalid(faults)


def create_record(
    db: Session, actor: Actor, kind: ReferenceKind, data: BaseModel, *, now: datetime
) -> Any:
    require(actor, Scope.ADMIN)
    values = data.model_dump()
    _check_rules(db, kind, values, None)
    found = kind.table(**values, created_at=now, updated_at=now)
    audit.created(db, actor, found, entity=kind.entity, fields=[*values, "active"], at=now)
    db.commit()
    return found


def update_record(
    db: Session,
    actor: Actor,
    kind: ReferenceKind,
    record_id: int,
    data: BaseModel,
    *,
    expected_version: int,
    now: datetime,
) -> Any:
    require(actor, Scope.ADMIN)
    found = db.get(kind.table, record_id, with_for_update=True)
    if found is None:
        raise NotFound(f"no {kind.singular} with id {record_id}")
    check_version(found, expected_version)
    values = data.model_dump(exclude_unset=True, exclude_none=True)
    _check_rules(db, kind, values, record_id)
    diff = apply_changes(found, values, now=now)
    if diff:
        audit.record(
            db,
            actor,
            entity=kind.entity,
            entity_id=record_id,
            action="update",
            changes=diff,
            at=now,
        )
    db.commit()
    return found
