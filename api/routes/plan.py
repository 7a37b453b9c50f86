"""/plans, /objectives, their assessments, /periods, and the public plan feed."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from api.problems import list_responses, problem_responses
from api.response_cache import answered_from_cache
from api.toolkit import (
    PUBLIC,
    ExpectedVersion,
    IdempotencyKey,
    ListOf,
    ListQuery,
    created_response,
    list_response,
    public_feed,
    resource_response,
)
from domain import clock
from domain.accounts.rules import Actor
from domain.listing import Page, PageRequest
from domain.plan import policy as plan_policy
from domain.plan import ratings
from domain.plan import service as plan
from domain.plan.rules import Rating
from domain.plan.schemas import (
    AssessmentCreate,
    AssessmentRead,
    ObjectiveChange,
    ObjectiveCreate,
    ObjectiveDetail,
    ObjectiveRead,
    PeriodCreate,
    PeriodRead,
    PlanChange,
    PlanCreate,
    PlanRead,
    PublicRating,
    ThemeCreate,
    ThemeRead,
)

router = APIRouter(tags=["plan delivery"])
public_router = APIRouter(tags=["public feeds"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
PeriodCodePath = Annotated[str, Path(max_length=20, pattern=r"^\d{4}-\d{2}-Q[1-4]$")]
CHANGE_ERRORS = problem_responses(404, 409, 412, 428)


def _readers(actor: Actor) -> str:
    """The visibility class of the plan's lists (the response cache keys on it): every
    reader sees the same rows and fields. Checks read access."""
    plan_policy.check_can_read(actor)
    return "plan:readers"


@router.get("/plans", response_model=ListOf[PlanRead], responses=list_responses())
@answered_from_cache(_readers)
def list_plans(request: Request, db: DbSession, actor: CurrentActor, params: ListQuery) -> Response:
    return list_response(
        request,
        db,
        params,
        lambda s, page: plan.list_plans(s, actor, page=page),
        PlanRead,
        filename="plans",
        visibility=_readers(actor),
    )


@router.post("/plans", status_code=201, response_model=PlanRead, responses=problem_responses(409))
def create_plan(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    body: PlanCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    def create() -> tuple[PlanRead, int, str]:
        created = plan.create_plan(db, actor, body, now=clock.now())
        return PlanRead.model_validate(created), created.version, f"/api/v1/plans/{created.id}"

    return created_response(request, db, actor, body, idempotency_key, create)


@router.get("/plans/{plan_id}", response_model=PlanRead, responses=problem_responses(404))
def get_plan(request: Request, db: DbSession, actor: CurrentActor, plan_id: Id) -> Response:
    found = plan.get_plan(db, actor, plan_id)
    return resource_response(request, PlanRead.model_validate(found), version=found.version)


@router.patch("/plans/{plan_id}", response_model=PlanRead, responses=CHANGE_ERRORS)
def change_plan(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    plan_id: Id,
    body: PlanChange,
    version: ExpectedVersion,
) -> Response:
    found = plan.change_plan(db, actor, plan_id, body, expected_version=version, now=clock.now())
    return resource_response(request, PlanRead.model_validate(found), version=found.version)


@router.get(
    "/plans/{plan_id}/themes", response_model=ListOf[ThemeRead], responses=list_responses(404)
)
@answered_from_cache(_readers)
def list_themes(
    request: Request, db: DbSession, actor: CurrentActor, plan_id: Id, params: ListQuery
) -> Response:
    return list_response(
        request,
        db,
        params,
        lambda s, page: plan.list_themes(s, actor, plan_id, page=page),
        ThemeRead,
        filename="themes",
        visibility=_readers(actor),
    )


@router.post(
    "/plans/{plan_id}/themes",
    status_code=201,
    response_model=ThemeRead,
    responses=problem_responses(404, 409),
)
def add_theme(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    plan_id: Id,
    body: ThemeCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    def create() -> tuple[ThemeRead, int, str]:
        theme = plan.add_theme(db, actor, plan_id, body, now=clock.now())
        return ThemeRead.model_validate(theme), theme.version, f"/api/v1/plans/{plan_id}/themes"

    return created_response(request, db, actor, body, idempotency_key, create)


@router.get("/objectives", response_model=ListOf[ObjectiveRead], responses=list_responses())
@answered_from_cache(_readers)
def list_objectives(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    params: ListQuery,
    plan_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    theme_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    rating: Annotated[
        Rating | Literal["none"] | None,
        Query(description="Current rating; `none` for objectives not yet rated."),
    ] = None,
    lead: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    filters = ratings.ObjectiveFilters(
        plan_id=plan_id,
        theme_id=theme_id,
        lead=lead,
        rating=None if rating in (None, "none") else Rating(rating),
        not_rated=rating == "none",
    )
    return list_response(
        request,
        db,
        params,
        lambda s, page: ratings.list_objectives(s, actor, filters=filters, page=page),
        ObjectiveRead,
        filename="objectives",
        visibility=_readers(actor),
    )


@router.post(
    "/objectives",
    status_code=201,
    response_model=ObjectiveDetail,
    responses=problem_responses(409),
)
def create_objective(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    body: ObjectiveCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    def create() -> tuple[ObjectiveDetail, int, str]:
        with db.one_transaction():
            created = plan.create_objective(db, actor, body, now=clock.now())
            assert created.id is not None
            shown = ratings.get_objective(db, actor, created.id)
        return shown, shown.version, f"/api/v1/objectives/{created.id}"

    return created_response(request, db, actor, body, idempotency_key, create)


@router.get(
    "/objectives/{objective_id}", response_model=ObjectiveDetail, responses=problem_responses(404)
)
def get_objective(
    request: Request, db: DbSession, actor: CurrentActor, objective_id: Id
) -> Response:
    """One objective, its current rating and the `history` of its ratings."""
    shown = ratings.get_objective(db, actor, objective_id)
    return resource_response(request, shown, version=shown.version)


@router.patch("/objectives/{objective_id}", response_model=ObjectiveDetail, responses=CHANGE_ERRORS)
def change_objective(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    objective_id: Id,
    body: ObjectiveChange,
    version: ExpectedVersion,
) -> Response:
    with db.one_transaction():
        plan.change_objective(
            db, actor, objective_id, body, expected_version=version, now=clock.now()
        )
        shown = ratings.get_objective(db, actor, objective_id)
    return resource_response(request, shown, version=shown.version)


@router.get(
    "/objectives/{objective_id}/assessments",
    response_model=ListOf[AssessmentRead],
    responses=list_responses(404),
)
@answered_from_cache(_readers)
def list_assessments(
    request: Request, db: DbSession, actor: CurrentActor, objective_id: Id, params: ListQuery
) -> Response:
    """Every rating of the objective, oldest first, corrections included (one page)."""

    def fetch(s: DbSession, page: PageRequest) -> Page[AssessmentRead]:
        return Page(items=ratings.list_assessments(s, actor, objective_id), next_cursor=None)

    return list_response(
        request,
        db,
        params,
        fetch,
        AssessmentRead,
        filename="assessments",
        visibility=_readers(actor),
    )


@router.post(
    "/objectives/{objective_id}/assessments",
    status_code=201,
    response_model=AssessmentRead,
    responses=problem_responses(404, 409),
)
def add_assessment(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    objective_id: Id,
    body: AssessmentCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """A new RAG assessment; in a published period it is a correction and needs a reason."""

    def create() -> tuple[AssessmentRead, int, str]:
        rated = ratings.add_assessment(db, actor, objective_id, body, now=clock.now())
        shown = rated.read()
        return shown, shown.version, f"/api/v1/objectives/{objective_id}/assessments"

    return created_response(request, db, actor, body, idempotency_key, create)


@router.get("/periods", response_model=ListOf[PeriodRead], responses=list_responses())
@answered_from_cache(_readers)
def list_periods(
    request: Request, db: DbSession, actor: CurrentActor, params: ListQuery
) -> Response:
    def fetch(s: DbSession, page: PageRequest) -> Page[PeriodRead]:
        found = plan.list_periods(s, actor, page=page)
        return Page(items=[plan.period_read(p) for p in found.items], next_cursor=found.next_cursor)

    return list_response(
        request, db, params, fetch, PeriodRead, filename="periods", visibility=_readers(actor)
    )


@router.post(
    "/periods", status_code=201, response_model=PeriodRead, responses=problem_responses(409)
)
def create_period(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    body: PeriodCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    def create() -> tuple[PeriodRead, int, str]:
        period = plan.create_period(db, actor, body.code, now=clock.now())
        return plan.period_read(period), period.version, f"/api/v1/periods/{period.code}"

    return created_response(request, db, actor, body, idempotency_key, create)


@router.get("/periods/{code}", response_model=PeriodRead, responses=problem_responses(404))
def get_period(
    request: Request, db: DbSession, actor: CurrentActor, code: PeriodCodePath
) -> Response:
    period = plan.get_period(db, actor, code)
    return resource_response(request, plan.period_read(period), version=period.version)


@router.post("/periods/{code}/publish", response_model=PeriodRead, responses=CHANGE_ERRORS)
def publish_period(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    code: PeriodCodePath,
    version: ExpectedVersion,
) -> Response:
    """Freeze the period's ratings; later changes are corrections with a reason."""
    period = plan.publish_period(db, actor, code, expected_version=version, now=clock.now())
    return resource_response(request, plan.period_read(period), version=period.version)


@public_router.get(
    "/api/v1/public/plan", response_model=ListOf[PublicRating], responses=list_responses()
)
@answered_from_cache(public_feed)
def public_plan(request: Request, db: DbSession, params: ListQuery) -> Response:
    """No token needed: published ratings with their reasons and direction only."""

    def fetch(s: DbSession, page: PageRequest) -> Page[PublicRating]:
        return Page(items=ratings.public_plan(s), next_cursor=None)

    return list_response(
        request, db, params, fetch, PublicRating, filename="public-plan", visibility=PUBLIC
    )
