"""RAG assessments and what is read from them: each objective's history, current rating
and direction, the filtered objective list, and the public feed of published ratings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from domain.accounts.rules import Actor
from domain.actions.rules import SourceType
from domain.actions.sources import SourceInfo, register_source
from domain.audit import service as audit
from domain.errors import FieldError, Invalid
from domain.listing import Page, PageRequest, paginate
from domain.plan import policy
from domain.plan.rules import (
    RATING_LABELS,
    AssessmentDraft,
    DeliveryStage,
    PeriodStatus,
    PlanStatus,
    RatedPeriod,
    Rating,
    assessment_faults,
    direction,
    parse_period_code,
)
from domain.plan.schemas import (
    AssessmentCreate,
    AssessmentRead,
    CurrentRating,
    ObjectiveDetail,
    ObjectiveRead,
    PublicRating,
    RatingHistoryEntry,
)
from domain.plan.service import fetch
from domain.plan.tables import Assessment, Objective, Plan, ReportingPeriod, Theme
from domain.reference.tables import Organisation
from domain.versioning import snapshot


@dataclass(frozen=True)
class Rated:
    """An assessment with the facts needed to show it: its period and direction."""

    assessment: Assessment
    period: ReportingPeriod
    previous_rating: Rating | None

    def read(self) -> AssessmentRead:
        a = self.assessment
        return AssessmentRead.model_validate(
            {
                **a.model_dump(exclude={"period_id", "supersedes_id"}),
                "period": self.period.code,
                "assessed_at": a.created_at,
                "direction": direction(self.previous_rating, Rating(a.rating)),
                "supersedes": a.supersedes_id,
            }
        )


def _current_in(db: Session, objective_id: int, period_id: int) -> Assessment | None:
    return db.exec(
        select(Assessment)
        .where(Assessment.objective_id == objective_id, Assessment.period_id == period_id)
        .order_by(col(Assessment.id).desc())
    ).first()


def _previous_rating(db: Session, objective_id: int, period: ReportingPeriod) -> Rating | None:
    """The objective's standing rating in the nearest earlier period that has one."""
    row = db.exec(
        select(Assessment)
        .join(ReportingPeriod, col(ReportingPeriod.id) == col(Assessment.period_id))
        .where(
            Assessment.objective_id == objective_id, ReportingPeriod.starts_on < period.starts_on
        )
        .order_by(col(ReportingPeriod.starts_on).desc(), col(Assessment.id).desc())
    ).first()
    return Rating(row.rating) if row else None


def _period_for(
    db: Session, objective: Objective, code: str
) -> tuple[ReportingPeriod | None, list[FieldError]]:
    """The reporting period a rating is for, or None and why it cannot be used."""
    try:
        quarter = parse_period_code(code)
    except Invalid as exc:
        return None, [FieldError(("period",), e.msg) for e in exc.errors]
    period = db.exec(select(ReportingPeriod).where(ReportingPeriod.code == quarter.code)).first()
    if period is None:
        return None, [
            FieldError(("period",), f"there is no reporting period {code}; create it first")
        ]
    plan = db.get(Plan, objective.plan_id)
    assert plan is not None
    if period.ends_on < plan.starts_on or period.starts_on > plan.ends_on:
        return None, [FieldError(("period",), f"{period.code} is outside the plan {plan.title!r}")]
    return period, []


def add_assessment(
    db: Session, actor: Actor, objective_id: int, data: AssessmentCreate, *, now: datetime
) -> Rated:
    """Records a rating for a period, or raises Invalid naming every rule it breaks."""
    policy.check_can_write(actor)
    objective = fetch(db, Objective, objective_id, "objective", lock=True)
    period, faults = _period_for(db, objective, data.period)
    published = period is not None and period.status == PeriodStatus.PUBLISHED.value
    faults += assessment_faults(
        AssessmentDraft(
            Rating(data.rating),
            data.rationale,
            DeliveryStage(data.delivery_stage),
            data.next_steps,
            data.expected_date,
            data.correction_reason,
        ),
        RatedPeriod(parse_period_code(period.code), published) if period else None,
    )
    if faults or period is None:  # an unknown period is always among the faults
        raise Invalid(faults)
    standing = _current_in(db, objective_id, period.id or 0)
    assessment = Assessment(
        objective_id=objective_id,
        period_id=period.id or 0,
        rating=data.rating.value,
        rationale=data.rationale,
        delivery_stage=data.delivery_stage.value,
        next_steps=data.next_steps,
        expected_date=data.expected_date,
        evidence_links=list(data.evidence_links),
        assessed_by=actor.label,
        supersedes_id=standing.id if standing else None,
        correction_reason=data.correction_reason,
        created_at=now,
        updated_at=now,
    )
    db.add(assessment)
    db.flush()
    assert assessment.id is not None
    audit.record(
        db,
        actor,
        entity="assessment",
        entity_id=assessment.id,
        action="correct" if published else "create",
        changes=snapshot(
            assessment,
            [
                "objective_id",
                "period_id",
                "rating",
                "rationale",
                "delivery_stage",
                "next_steps",
                "expected_date",
                "evidence_links",
                "supersedes_id",
                "correction_reason",
            ],
        ),
        at=now,
    )
    objective.updated_at = now
    db.add(objective)
    db.commit()
    return Rated(assessment, period, _previous_rating(db, objective_id, period))


def _histories(
    db: Session, objective_ids: list[int], *, published_only: bool = False
) -> dict[int, list[Rated]]:
    """Each objective's assessments in period order, with the rating each one moved from,
    for many objectives in one query."""
    found: dict[int, list[Rated]] = {i: [] for i in objective_ids}
    if not objective_ids:
        return found
    stmt = (
        select(Assessment, ReportingPeriod)
        .join(ReportingPeriod, col(ReportingPeriod.id) == col(Assessment.period_id))
        .where(col(Assessment.objective_id).in_(objective_ids))
        .order_by(col(Assessment.objective_id), col(ReportingPeriod.starts_on), col(Assessment.id))
    )
    if published_only:
        stmt = stmt.where(ReportingPeriod.status == PeriodStatus.PUBLISHED.value)
    last_period: dict[int, int] = {}  # objective -> period id of its latest row so far
    standing: dict[tuple[int, int], Rating] = {}  # (objective, period) -> latest rating
    before: dict[int, Rating | None] = {}  # objective -> standing rating of the previous period
    for assessment, period in db.exec(stmt).all():
        objective_id, period_id = assessment.objective_id, period.id or 0
        seen = last_period.get(objective_id)
        if seen is not None and seen != period_id:
            before[objective_id] = standing[(objective_id, seen)]
        last_period[objective_id] = period_id
        found[objective_id].append(Rated(assessment, period, before.get(objective_id)))
        standing[(objective_id, period_id)] = Rating(assessment.rating)
    return found


def _history(db: Session, objective_id: int) -> list[Rated]:
    return _histories(db, [objective_id])[objective_id]


def list_assessments(db: Session, actor: Actor, objective_id: int) -> list[AssessmentRead]:
    """Every assessment of an objective, oldest first, corrections included."""
    policy.check_can_read(actor)
    fetch(db, Objective, objective_id, "objective")
    return [r.read() for r in _history(db, objective_id)]


def _objective_read(objective: Objective, org_code: str, rated: list[Rated]) -> dict[str, Any]:
    current = rated[-1] if rated else None
    return {
        **objective.model_dump(exclude={"lead_org_id"}),
        "lead_org": org_code,
        "current": CurrentRating(
            period=current.period.code,
            rating=Rating(current.assessment.rating),
            rationale=current.assessment.rationale,
            direction=direction(current.previous_rating, Rating(current.assessment.rating)),
            assessed_at=current.assessment.created_at,
            assessed_by=current.assessment.assessed_by,
        )
        if current
        else None,
    }


def get_objective(db: Session, actor: Actor, objective_id: int) -> ObjectiveDetail:
    policy.check_can_read(actor)
    objective = fetch(db, Objective, objective_id, "objective")
    org = db.get(Organisation, objective.lead_org_id)
    rated = _history(db, objective_id)
    history = []
    previous: Rating | None = None
    for r in rated:
        a = r.assessment
        note = f"{r.period.code}: {a.rationale}"
        if a.correction_reason:
            note = f"{note} (correction: {a.correction_reason})"
        history.append(
            RatingHistoryEntry(
                at=a.created_at, actor=a.assessed_by, from_=previous, to=Rating(a.rating), note=note
            )
        )
        previous = Rating(a.rating)
    return ObjectiveDetail(
        **_objective_read(objective, org.code if org else "", rated), history=history
    )


@dataclass(frozen=True)
class ObjectiveFilters:
    plan_id: int | None = None
    theme_id: int | None = None
    rating: Rating | None = None
    not_rated: bool = False
    lead: str | None = None


def _current_ratings() -> Any:
    """Each objective's standing rating: its latest period, latest assessment within it."""
    ranked = (
        select(
            col(Assessment.objective_id).label("objective_id"),
            col(Assessment.rating).label("rating"),
            func.row_number()
            .over(
                partition_by=col(Assessment.objective_id),
                order_by=(col(ReportingPeriod.starts_on).desc(), col(Assessment.id).desc()),
            )
            .label("rank"),
        )
        .join(ReportingPeriod, col(ReportingPeriod.id) == col(Assessment.period_id))
        .subquery()
    )
    return select(ranked.c.objective_id, ranked.c.rating).where(ranked.c.rank == 1).subquery()


def objective_views(db: Session, objectives: list[Objective]) -> list[ObjectiveRead]:
    histories = _histories(db, [o.id for o in objectives if o.id is not None])
    orgs = {o.id: o.code for o in db.exec(select(Organisation)).all()}
    return [
        ObjectiveRead.model_validate(
            _objective_read(o, orgs.get(o.lead_org_id, ""), histories[o.id or 0])
        )
        for o in objectives
    ]


def list_objectives(
    db: Session, actor: Actor, *, filters: ObjectiveFilters, page: PageRequest
) -> Page[ObjectiveRead]:
    policy.check_can_read(actor)
    stmt = select(Objective)
    if filters.plan_id is not None:
        stmt = stmt.where(Objective.plan_id == filters.plan_id)
    if filters.theme_id is not None:
        stmt = stmt.where(Objective.theme_id == filters.theme_id)
    if filters.lead:
        stmt = stmt.where(
            col(Objective.lead_org_id).in_(
                select(Organisation.id).where(Organisation.code == filters.lead)
            )
        )
    if filters.rating is not None or filters.not_rated:
        current = _current_ratings()
        if filters.not_rated:
            stmt = stmt.where(col(Objective.id).not_in(select(current.c.objective_id)))
        else:
            assert filters.rating is not None
            stmt = stmt.where(
                col(Objective.id).in_(
                    select(current.c.objective_id).where(current.c.rating == filters.rating.value)
                )
            )
    found = paginate(db, stmt, id_column=Objective.id, stamp_column=Objective.updated_at, page=page)
    return Page(items=objective_views(db, found.items), next_cursor=found.next_cursor)


def public_plan(db: Session) -> list[PublicRating]:
    """Published ratings with their reasons and direction, and nothing else (no auth)."""
    rows = db.exec(
        select(Objective, Theme)
        .join(Theme, col(Theme.id) == col(Objective.theme_id))
        .join(Plan, col(Plan.id) == col(Objective.plan_id))
        .where(Plan.status != PlanStatus.DRAFT.value)
        .order_by(col(Plan.id), col(Theme.position), col(Objective.id))
    ).all()
    histories = _histories(db, [o.id for o, _ in rows if o.id is not None], published_only=True)
    shown: list[PublicRating] = []
    for objective, theme in rows:
        rated = histories[objective.id or 0]
        if not rated:
            continue
        latest = rated[-1]
        rating = Rating(latest.assessment.rating)
        shown.append(
            PublicRating(
                theme=theme.title,
                code=objective.code,
                title=objective.title,
                period=latest.period.code,
                rating=rating,
                rating_label=RATING_LABELS[rating],
                rationale=latest.assessment.rationale,
                direction=direction(latest.previous_rating, rating),
            )
        )
    return shown


def _objective_info(objective: Objective) -> SourceInfo:
    return SourceInfo(
        title=f"{objective.code} {objective.title}",
        ref=objective.code,
        url=f"/objectives/{objective.id}",
    )


def _objective_sources(db: Session, ids: set[int]) -> dict[int, SourceInfo]:
    """Names objectives for the actions they produce (DOMAIN.md §5)."""
    found = db.exec(select(Objective).where(col(Objective.id).in_(ids))).all()
    return {o.id: _objective_info(o) for o in found if o.id is not None}


def _objective_choices(db: Session, limit: int) -> list[tuple[int, SourceInfo]]:
    """Objectives to raise an action from: the newest plans' first, in code order; archived
    plans are history, not a place to raise new work."""
    found = db.exec(
        select(Objective)
        .join(Plan, col(Plan.id) == col(Objective.plan_id))
        .where(col(Plan.status) != PlanStatus.ARCHIVED.value)
        .order_by(col(Plan.id).desc(), col(Objective.code))
        .limit(limit)
    ).all()
    return [(o.id, _objective_info(o)) for o in found if o.id is not None]


register_source(
    SourceType.OBJECTIVE,
    _objective_sources,
    can_follow=policy.can_read,
    choices=_objective_choices,
)
