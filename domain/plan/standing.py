"""Where a plan's objectives stand in one reporting period: the read side of the Plan pages
(overview counts, what changed since last period, not yet assessed, what publishing a
period leaves out), in a few queries rather than one per objective. Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from domain.accounts.rules import Actor
from domain.errors import NotFound
from domain.plan import policy
from domain.plan.rules import Direction, PlanStatus, Rating, code_order, direction
from domain.plan.tables import Assessment, Objective, Plan, ReportingPeriod


@dataclass(frozen=True)
class PlanPeriod:
    """A reporting period that falls within the plan, and how many of the plan's
    objectives have a rating in it."""

    period: ReportingPeriod
    rated: int


@dataclass(frozen=True)
class Standing:
    """One objective in one period. `assessment` is the latest rating made for that period
    (a correction replaces what it corrects); None means not yet rated in the period.
    `previous` is the standing rating of the nearest earlier period that has one."""

    objective_id: int
    assessment: Assessment | None
    previous: Rating | None
    previous_period: ReportingPeriod | None

    @property
    def rating(self) -> Rating | None:
        return Rating(self.assessment.rating) if self.assessment else None

    @property
    def direction(self) -> Direction | None:
        rating = self.rating
        return direction(self.previous, rating) if rating is not None else None

    @property
    def changed(self) -> bool:
        """Rated in this period, and not at the same rating as before (new ones included)."""
        return self.direction not in (None, Direction.STABLE)


def _plan(db: Session, plan_id: int) -> Plan:
    found = db.get(Plan, plan_id)
    if found is None:
        raise NotFound(f"no plan with id {plan_id}")
    return found


def plan_periods(db: Session, actor: Actor, plan_id: int) -> list[PlanPeriod]:
    """The periods that overlap the plan's dates, oldest first, with their rated counts."""
    policy.check_can_read(actor)
    plan = _plan(db, plan_id)
    periods = db.exec(
        select(ReportingPeriod)
        .where(ReportingPeriod.ends_on >= plan.starts_on, ReportingPeriod.starts_on <= plan.ends_on)
        .order_by(col(ReportingPeriod.starts_on))
    ).all()
    counts = dict(
        db.exec(
            select(Assessment.period_id, func.count(func.distinct(Assessment.objective_id)))
            .join(Objective, col(Objective.id) == col(Assessment.objective_id))
            .where(Objective.plan_id == plan_id)
            .group_by(col(Assessment.period_id))
        ).all()
    )
    return [PlanPeriod(period=p, rated=int(counts.get(p.id or 0, 0))) for p in periods]


def rating_counts(
    db: Session, actor: Actor, plan_id: int, period: ReportingPeriod | None
) -> dict[Rating | None, int]:
    """How many of the plan's objectives stand at each rating in `period` (None: not yet
    rated; no period: none rated), counted in SQL: the same standing as `standings` (the
    latest rating made for the period), for a summary that shows numbers only."""
    policy.check_can_read(actor)
    objectives = db.exec(
        select(func.count()).select_from(Objective).where(Objective.plan_id == plan_id)
    ).one()
    if period is None:
        return {None: objectives}
    latest = (
        select(func.max(Assessment.id))
        .join(Objective, col(Objective.id) == col(Assessment.objective_id))
        .where(Objective.plan_id == plan_id, Assessment.period_id == period.id)
        .group_by(col(Assessment.objective_id))
    )
    counted = db.exec(
        select(Assessment.rating, func.count())
        .where(col(Assessment.id).in_(latest))
        .group_by(col(Assessment.rating))
    ).all()
    found: dict[Rating | None, int] = {Rating(rating): number for rating, number in counted}
    found[None] = objectives - sum(found.values())
    return found


def standings(
    db: Session, actor: Actor, plan_id: int, period: ReportingPeriod
) -> dict[int, Standing]:
    """Every objective of the plan, by id, as it stands in `period`."""
    policy.check_can_read(actor)
    _plan(db, plan_id)
    objective_ids = [
        i
        for i in db.exec(select(Objective.id).where(Objective.plan_id == plan_id)).all()
        if i is not None
    ]
    rows = db.exec(
        select(Assessment, ReportingPeriod)
        .join(ReportingPeriod, col(ReportingPeriod.id) == col(Assessment.period_id))
        .join(Objective, col(Objective.id) == col(Assessment.objective_id))
        .where(Objective.plan_id == plan_id, ReportingPeriod.starts_on <= period.starts_on)
        .order_by(col(ReportingPeriod.starts_on), col(Assessment.id))
    ).all()
    latest: dict[int, Assessment] = {}  # objective -> its latest rating in `period`
    before: dict[int, tuple[Rating, ReportingPeriod]] = {}  # objective -> latest earlier one
    for assessment, rated_in in rows:
        if rated_in.id == period.id:
            latest[assessment.objective_id] = assessment
        else:
            before[assessment.objective_id] = (Rating(assessment.rating), rated_in)
    found = {}
    for objective_id in objective_ids:
        earlier = before.get(objective_id)
        found[objective_id] = Standing(
            objective_id=objective_id,
            assessment=latest.get(objective_id),
            previous=earlier[0] if earlier else None,
            previous_period=earlier[1] if earlier else None,
        )
    return found


@dataclass(frozen=True)
class Unrated:
    """An objective with no rating for a period, and the plan it belongs to."""

    objective: Objective
    plan: Plan


def unrated_in(db: Session, actor: Actor, period: ReportingPeriod) -> list[Unrated]:
    """The objectives of the active plans running during `period` that have no rating for
    it, in plan and code order: what publishing the period would leave out."""
    policy.check_can_read(actor)
    rated = select(Assessment.objective_id).where(Assessment.period_id == period.id)
    rows = db.exec(
        select(Objective, Plan)
        .join(Plan, col(Plan.id) == col(Objective.plan_id))
        .where(
            Plan.status == PlanStatus.ACTIVE.value,
            Plan.starts_on <= period.ends_on,
            Plan.ends_on >= period.starts_on,
            col(Objective.id).not_in(rated),
        )
    ).all()
    found = [Unrated(objective, plan) for objective, plan in rows]
    return sorted(
        found, key=lambda u: (u.plan.starts_on, u.plan.id or 0, code_order(u.objective.code))
    )
