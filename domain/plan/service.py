"""Use cases for the Plan's structure: plans, themes, objectives and reporting periods.
Ratings (assessments) and the views built on them live in ratings.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from domain.accounts.rules import Actor
from domain.audit import service as audit
from domain.errors import Conflict, NotFound, invalid
from domain.listing import Page, PageRequest, paginate
from domain.plan import policy
from domain.plan.rules import (
    PeriodStatus,
    parse_period_code,
)
from domain.plan.schemas import (
    ObjectiveChange,
    ObjectiveCreate,
    PeriodRead,
    PlanChange,
    PlanCreate,
    ThemeCreate,
)
from domain.plan.tables import Objective, Plan, ReportingPeriod, Theme
from domain.reference.tables import Organisation
from domain.versioning import apply_changes, check_version


def fetch(db: Session, table: Any, record_id: int, what: str, *, lock: bool = False) -> Any:
    found = db.get(table, record_id, with_for_update=lock)
    if found is None:
        raise NotFound(f"no {what} with id {record_id}")
    return found


# Plans and themes -------------------------------------------------------------------------


def create_plan(db: Session, actor: Actor, data: PlanCreate, *, now: datetime) -> Plan:
    policy.check_can_write(actor)
    plan = Plan(**data.model_dump(), created_at=now, updated_at=now)
    audit.created(
        db, actor, plan, entity="plan", fields=["title", "starts_on", "ends_on", "status"], at=now
    )
    db.commit()
    return plan


def change_plan(
    db: Session,
    actor: Actor,
    plan_id: int,
    data: PlanChange,
    *,
    expected_version: int,
    now: datetime,
) -> Plan:
    policy.check_can_write(actor)
    plan = fetch(db, Plan, plan_id, "plan", lock=True)
    check_version(plan, expected_version)
    values = data.model_dump(exclude_unset=True, exclude_none=True)
    if values.get("ends_on", plan.ends_on) <= values.get("starts_on", plan.starts_on):
        raise invalid("ends_on", "must be after starts_on")
    diff = apply_changes(plan, values, now=now)
    if diff:
        audit.record(
            db, actor, entity="plan", entity_id=plan_id, action="update", changes=diff, at=now
        )
    db.commit()
    return plan


def get_plan(db: Session, actor: Actor, plan_id: int) -> Plan:
    policy.check_can_read(actor)
    return fetch(db, Plan, plan_id, "plan")


def list_plans(db: Session, actor: Actor, *, page: PageRequest) -> Page[Plan]:
    policy.check_can_read(actor)
    return paginate(db, select(Plan), id_column=Plan.id, stamp_column=Plan.updated_at, page=page)


def add_theme(
    db: Session, actor: Actor, plan_id: int, data: ThemeCreate, *, now: datetime
) -> Theme:
    policy.check_can_write(actor)
    fetch(db, Plan, plan_id, "plan", lock=True)
    last = db.exec(select(func.max(Theme.position)).where(Theme.plan_id == plan_id)).one()
    theme = Theme(
        plan_id=plan_id,
        position=(last or 0) + 1,
        title=data.title,
        description=data.description,
        created_at=now,
        updated_at=now,
    )
    audit.created(
        db,
        actor,
        theme,
        entity="theme",
        fields=["plan_id", "position", "title", "description"],
        at=now,
    )
    db.commit()
    return theme


def list_themes(db: Session, actor: Actor, plan_id: int, *, page: PageRequest) -> Page[Theme]:
    """Themes in the Plan's order (position is assigned in creation order, as ids are)."""
    policy.check_can_read(actor)
    fetch(db, Plan, plan_id, "plan")
    stmt = select(Theme).where(Theme.plan_id == plan_id)
    return paginate(db, stmt, id_column=Theme.id, stamp_column=Theme.updated_at, page=page)


# Objectives --------------------------------------------------------------------------------


def _org_id(db: Session, code: str) -> int:
    org = db.exec(select(Organisation).where(Organisation.code == code)).first()
    if org is None or org.id is None or not org.active:
        raise invalid("lead_org", f"there is no organisation with code {code!r}")
    return org.id


def _check_theme(db: Session, plan_id: int, theme_id: int) -> None:
    theme = db.get(Theme, theme_id)
    if theme is None or theme.plan_id != plan_id:
        raise invalid("theme_id", f"there is no theme {theme_id} in plan {plan_id}")


def _check_code(db: Session, plan_id: int, code: str, own_id: int | None) -> None:
    clash = db.exec(
        select(Objective).where(Objective.plan_id == plan_id, Objective.code == code)
    ).first()
    if clash is not None and clash.id != own_id:
        raise invalid("code", f"objective {code} already exists in this plan")


def create_objective(
    db: Session, actor: Actor, data: ObjectiveCreate, *, now: datetime
) -> Objective:
    policy.check_can_write(actor)
    if db.get(Plan, data.plan_id) is None:
        raise invalid("plan_id", f"there is no plan with id {data.plan_id}")
    _check_theme(db, data.plan_id, data.theme_id)
    _check_code(db, data.plan_id, data.code, None)
    values = data.model_dump(exclude={"lead_org"})
    objective = Objective(
        **values, lead_org_id=_org_id(db, data.lead_org), created_at=now, updated_at=now
    )
    audit.created(
        db,
        actor,
        objective,
        entity="objective",
        fields=[
            "plan_id",
            "theme_id",
            "code",
            "title",
            "description",
            "lead_org_id",
            "owner_name",
            "target_date",
        ],
        at=now,
    )
    db.commit()
    return objective


def change_objective(
    db: Session,
    actor: Actor,
    objective_id: int,
    data: ObjectiveChange,
    *,
    expected_version: int,
    now: datetime,
) -> Objective:
    policy.check_can_write(actor)
    objective = fetch(db, Objective, objective_id, "objective", lock=True)
    check_version(objective, expected_version)
    values = data.model_dump(exclude_unset=True)
    for required in ("theme_id", "code", "title", "lead_org", "description", "owner_name"):
        if required in values and values[required] is None:
            raise invalid(required, "cannot be empty")
    if "theme_id" in values:
        _check_theme(db, objective.plan_id, values["theme_id"])
    if "code" in values:
        _check_code(db, objective.plan_id, values["code"], objective_id)
    if "lead_org" in values:
        values["lead_org_id"] = _org_id(db, values.pop("lead_org"))
    diff = apply_changes(objective, values, now=now)
    if diff:
        audit.record(
            db,
            actor,
            entity="objective",
            entity_id=objective_id,
            action="update",
            changes=diff,
            at=now,
        )
    db.commit()
    return objective


# Periods -----------------------------------------------------------------------------------


def period_read(period: ReportingPeriod) -> PeriodRead:
    return PeriodRead.model_validate(
        {**period.model_dump(), "label": parse_period_code(period.code).label}
    )


def create_period(db: Session, actor: Actor, code: str, *, now: datetime) -> ReportingPeriod:
    policy.check_can_write(actor)
    quarter = parse_period_code(code)
    if db.exec(select(ReportingPeriod).where(ReportingPeriod.code == quarter.code)).first():
        raise invalid("code", f"period {quarter.code} already exists")
    period = ReportingPeriod(
        code=quarter.code,
        starts_on=quarter.starts_on,
        ends_on=quarter.ends_on,
        status=PeriodStatus.OPEN.value,
        created_at=now,
        updated_at=now,
    )
    audit.created(
        db,
        actor,
        period,
        entity="period",
        fields=["code", "starts_on", "ends_on", "status"],
        at=now,
    )
    db.commit()
    return period


def get_period(db: Session, actor: Actor, code: str) -> ReportingPeriod:
    policy.check_can_read(actor)
    period = db.exec(select(ReportingPeriod).where(ReportingPeriod.code == code)).first()
    if period is None:
        raise NotFound(f"no period {code}")
    return period


def list_periods(db: Session, actor: Actor, *, page: PageRequest) -> Page[ReportingPeriod]:
    policy.check_can_read(actor)
    return paginate(
        db,
        select(ReportingPeriod),
        id_column=ReportingPeriod.id,
        stamp_column=ReportingPeriod.updated_at,
        page=page,
    )


def publish_period(
    db: Session, actor: Actor, code: str, *, expected_version: int, now: datetime
) -> ReportingPeriod:
    """Freezes the period: later changes to its ratings are corrections with a reason."""
    policy.check_can_publish(actor)
    period = get_period(db, actor, code)
    period = fetch(db, ReportingPeriod, period.id or 0, "period", lock=True)
    check_version(period, expected_version)
    if period.status == PeriodStatus.PUBLISHED.value:
        raise Conflict(f"period {code} is already published")
    diff = apply_changes(
        period,
        {"status": PeriodStatus.PUBLISHED.value, "published_at": now, "published_by": actor.label},
        now=now,
    )
    audit.record(
        db, actor, entity="period", entity_id=period.id or 0, action="publish", changes=diff, at=now
    )
    db.commit()
    return period
