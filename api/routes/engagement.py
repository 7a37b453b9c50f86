"""/engagements (Community Days, street stands, parish surgeries…), their issues and debrief
actions, coverage, topics over time and parish attendance; closing the loop on an action
(/actions/{id}/you-said-we-did); pre-election periods; and the public "you said, we did"
feed (DOMAIN.md §4)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import AfterValidator, BaseModel
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from api.problems import domain_problem, list_responses, problem_responses
from api.response_cache import answered_from_cache
from api.toolkit import (
    PUBLIC,
    ExpectedVersion,
    IdempotencyKey,
    IsoDate,
    ListOf,
    ListQuery,
    created_response,
    dumps,
    list_response,
    public_feed,
    resource_response,
)
from domain import clock
from domain.actions import queries as action_queries
from domain.actions.schemas import ActionDetail, ActionDetailForForce
from domain.engagement import queries as engagement_queries
from domain.engagement import service as engagement
from domain.engagement.rules import EngagementKind
from domain.engagement.schemas import (
    CoverageRead,
    EngagementChange,
    EngagementCreate,
    EngagementDetail,
    EngagementDetailForOpcc,
    EngagementIssueCreate,
    EngagementIssueRead,
    EngagementRead,
    EngagementReadForOpcc,
    LoopClosing,
    ParishAttendanceRead,
    PreElectionPeriodChange,
    PreElectionPeriodCreate,
    PreElectionPeriodRead,
    PublicLine,
    TopicsOverTime,
)
from domain.errors import Invalid
from domain.listing import Page, PageRequest

router = APIRouter(tags=["engagement"])
public_router = APIRouter(tags=["public feeds"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Code = Annotated[str | None, Query(max_length=40, description="A reference-data code.")]
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)  # the dates an engagement may have


def _in_engagement_years(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"must be between {EARLIEST} and {LATEST}")
    return value


Day = Annotated[IsoDate, AfterValidator(_in_engagement_years)]
From = Annotated[Day | None, Query(alias="from", description="On or after this date.")]
To = Annotated[Day | None, Query(description="On or before this date.")]
CHANGE_ERRORS = problem_responses(404, 409, 412, 428)
OneEngagement = EngagementDetailForOpcc | EngagementDetail
OneAction = ActionDetail | ActionDetailForForce


def _query_problems(answer: Callable[[], Response]) -> Response:
    """A service's Invalid about a filter names the query parameter, not a body field."""
    try:
        return answer()
    except Invalid as exc:
        return domain_problem(exc, body_prefix="query")


def _year_to(to: date | None) -> tuple[date, date]:
    """The default range of the charts: the twelve months up to `to` (today by default)."""
    end = to or clock.today()
    try:
        start = end.replace(year=end.year - 1)
    except ValueError:  # 29 February
        start = end.replace(year=end.year - 1, day=28)
    return start + timedelta(days=1), end


def _engagement_response(
    request: Request, db: DbSession, actor: CurrentActor, engagement_id: int
) -> Response:
    """The engagement as the caller may see it; ETag is its version."""
    shown = engagement.get_engagement(db, actor, engagement_id, today=clock.today())
    return resource_response(request, shown, version=shown.version)


# -------------------------------------------------------------------------------------------
# Engagements: the fixed paths first, then /{engagement_id}


@router.get(
    "/engagements",
    response_model=ListOf[EngagementReadForOpcc] | ListOf[EngagementRead],
    responses=list_responses(),
)
@answered_from_cache(engagement_queries.visibility_class)
def list_engagements(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    params: ListQuery,
    kind: EngagementKind | None = None,
    area: Code = None,
    npa: Code = None,
    from_: From = None,
    to: To = None,
) -> Response:
    """Engagements, latest first (or by change time with `updated_since`). Named contacts
    (personal data) only for OPCC people signed in; viewers and tokens get the reduced
    representation (`EngagementRead`)."""

    def fetch(session: DbSession, page: PageRequest) -> Page[EngagementRead]:
        return engagement.list_engagements(
            session, actor, kind=kind, area=area, npa=npa, from_=from_, to=to, page=page
        )

    schema = engagement.read_schema(actor)
    visibility = engagement_queries.visibility_class(actor)
    return _query_problems(
        lambda: list_response(
            request, db, params, fetch, schema, filename="engagements", visibility=visibility
        )
    )


@router.post(
    "/engagements",
    status_code=201,
    response_model=OneEngagement,
    responses=problem_responses(409),
)
def record_engagement(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    body: EngagementCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Record an engagement; with `issues` (and their `actions`) it is the whole debrief, saved
    in one transaction: any fault anywhere and nothing is saved."""

    def create() -> tuple[EngagementDetail, int, str]:
        with db.one_transaction():
            record = engagement.record_engagement(
                db, actor, body, now=clock.now(), today=clock.today()
            )
            assert record.id is not None
            shown = engagement.get_engagement(db, actor, record.id, today=clock.today())
        return shown, shown.version, f"/api/v1/engagements/{record.id}"

    return created_response(request, db, actor, body, idempotency_key, create)


@router.get(
    "/engagements/coverage",
    response_model=CoverageRead,
    responses=problem_responses(),
)
def coverage(
    request: Request, db: DbSession, actor: CurrentActor, from_: From = None, to: To = None
) -> Response:
    """Engagements per local authority area held from `from` to `to` (default: the last
    twelve months): every area, those with none included (`count` 0)."""
    start, end = _year_to(to)

    def answer() -> Response:
        shown = engagement.coverage(db, actor, from_=from_ or start, to=end)
        return _json_response(request, shown)

    return _query_problems(answer)


@router.get(
    "/engagements/topics",
    response_model=TopicsOverTime,
    responses=problem_responses(),
)
def topics_over_time(
    request: Request, db: DbSession, actor: CurrentActor, from_: From = None, to: To = None
) -> Response:
    """Issues raised per topic per month (`months` gives the order of `counts` and `people`),
    from `from` to `to` (default: the last twelve months)."""
    start, end = _year_to(to)

    def answer() -> Response:
        shown = engagement.topics_over_time(db, actor, from_=from_ or start, to=end)
        return _json_response(request, shown)

    return _query_problems(answer)


@router.get(
    "/engagements/parish-attendance",
    response_model=ParishAttendanceRead,
    responses=problem_responses(),
)
def parish_attendance(
    request: Request, db: DbSession, actor: CurrentActor, from_: From = None, to: To = None
) -> Response:
    """Parish council surgeries per district: how many, councils invited and attended
    (default range: the last twelve months); every area listed."""
    start, end = _year_to(to)

    def answer() -> Response:
        shown = engagement.parish_attendance(db, actor, from_=from_ or start, to=end)
        return _json_response(request, shown)

    return _query_problems(answer)


@router.get(
    "/engagements/{engagement_id}",
    response_model=OneEngagement,
    responses=problem_responses(404),
)
def get_engagement(
    request: Request, db: DbSession, actor: CurrentActor, engagement_id: Id
) -> Response:
    """One engagement with its issues and their actions; ETag is its version.
    `EngagementDetailForOpcc` (with named contacts) for OPCC people signed in,
    `EngagementDetail` for viewers and tokens."""
    return _engagement_response(request, db, actor, engagement_id)


@router.patch("/engagements/{engagement_id}", response_model=OneEngagement, responses=CHANGE_ERRORS)
def change_engagement(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    engagement_id: Id,
    body: EngagementChange,
    version: ExpectedVersion,
) -> Response:
    with db.one_transaction():
        engagement.change_engagement(
            db,
            actor,
            engagement_id,
            body,
            expected_version=version,
            now=clock.now(),
            today=clock.today(),
        )
        return _engagement_response(request, db, actor, engagement_id)


@router.get(
    "/engagements/{engagement_id}/issues",
    response_model=ListOf[EngagementIssueRead],
    responses=list_responses(404),
)
def list_issues(
    request: Request, db: DbSession, actor: CurrentActor, engagement_id: Id, params: ListQuery
) -> Response:
    """The issues raised at the engagement, in order, each with its debrief actions."""
    today = clock.today()

    def fetch(session: DbSession, page: PageRequest) -> Page[EngagementIssueRead]:
        return Page(
            items=engagement.list_issues(session, actor, engagement_id, today=today),
            next_cursor=None,
        )

    return list_response(
        request,
        db,
        params,
        fetch,
        EngagementIssueRead,
        filename=f"engagement-{engagement_id}-issues",
    )


@router.post(
    "/engagements/{engagement_id}/issues",
    status_code=201,
    response_model=EngagementIssueRead,
    responses=problem_responses(404, 409),
)
def add_issue(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    engagement_id: Id,
    body: EngagementIssueCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Another issue raised at the engagement, with its debrief actions, in one transaction."""

    def create() -> tuple[EngagementIssueRead, int, str]:
        with db.one_transaction():
            issue = engagement.add_issue(db, actor, engagement_id, body, now=clock.now())
            shown = engagement.issue_read(db, actor, issue, today=clock.today())
        return shown, shown.version, f"/api/v1/engagements/{engagement_id}/issues"

    return created_response(request, db, actor, body, idempotency_key, create)


# -------------------------------------------------------------------------------------------
# Closing the loop on a debrief action


@router.post(
    "/actions/{action_id}/you-said-we-did",
    response_model=OneAction,
    responses=CHANGE_ERRORS,
)
def close_the_loop(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    action_id: Id,
    body: LoopClosing,
    version: ExpectedVersion,
) -> Response:
    """Record when the people who raised it were told (`told_on`) and the public "you said,
    we did" `line` with its `outcome`: `done` (the action is done) or `not_doing` with a
    `reason` (the action is cancelled). A line needs the action marked public. Only actions
    from an engagement; If-Match is the action's ETag."""
    with db.one_transaction():
        engagement.close_the_loop(
            db,
            actor,
            action_id,
            body,
            expected_version=version,
            now=clock.now(),
            today=clock.today(),
        )
        shown = action_queries.detail(db, actor, action_id, today=clock.today())
        return resource_response(request, shown, version=shown.version)


# -------------------------------------------------------------------------------------------
# Pre-election periods


@router.get(
    "/pre-election-periods",
    response_model=ListOf[PreElectionPeriodRead],
    responses=list_responses(),
)
@answered_from_cache(engagement_queries.visibility_class)
def list_periods(
    request: Request, db: DbSession, actor: CurrentActor, params: ListQuery
) -> Response:
    """Date ranges in which public communication pauses, latest first; `ends_on` is null
    until the election result."""

    def fetch(session: DbSession, page: PageRequest) -> Page[PreElectionPeriodRead]:
        return Page(
            items=engagement.list_periods(session, actor, today=clock.today()), next_cursor=None
        )

    return list_response(
        request,
        db,
        params,
        fetch,
        PreElectionPeriodRead,
        filename="pre-election-periods",
        visibility=engagement_queries.visibility_class(actor),
    )


@router.post(
    "/pre-election-periods",
    status_code=201,
    response_model=PreElectionPeriodRead,
    responses=problem_responses(409),
)
def create_period(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    body: PreElectionPeriodCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Admins only. A period may not end before it starts nor overlap another."""

    def create() -> tuple[PreElectionPeriodRead, int, str]:
        with db.one_transaction():
            record = engagement.create_period(db, actor, body, now=clock.now())
            assert record.id is not None
            shown = engagement.get_period(db, actor, record.id, today=clock.today())
        return shown, shown.version, f"/api/v1/pre-election-periods/{record.id}"

    return created_response(request, db, actor, body, idempotency_key, create)


@router.get(
    "/pre-election-periods/{period_id}",
    response_model=PreElectionPeriodRead,
    responses=problem_responses(404),
)
def get_period(request: Request, db: DbSession, actor: CurrentActor, period_id: Id) -> Response:
    shown = engagement.get_period(db, actor, period_id, today=clock.today())
    return resource_response(request, shown, version=shown.version)


@router.patch(
    "/pre-election-periods/{period_id}",
    response_model=PreElectionPeriodRead,
    responses=CHANGE_ERRORS,
)
def change_period(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    period_id: Id,
    body: PreElectionPeriodChange,
    version: ExpectedVersion,
) -> Response:
    """Admins only; set `ends_on` when the result is declared."""
    with db.one_transaction():
        engagement.change_period(
            db, actor, period_id, body, expected_version=version, now=clock.now()
        )
        shown = engagement.get_period(db, actor, period_id, today=clock.today())
        return resource_response(request, shown, version=shown.version)


@router.delete(
    "/pre-election-periods/{period_id}",
    status_code=204,
    response_class=Response,
    responses=CHANGE_ERRORS,
)
def delete_period(
    db: DbSession, actor: CurrentActor, period_id: Id, version: ExpectedVersion
) -> Response:
    """Admins only; If-Match is the period's ETag."""
    engagement.delete_period(db, actor, period_id, expected_version=version, now=clock.now())
    return Response(status_code=204)


# -------------------------------------------------------------------------------------------
# Public feed


@public_router.get(
    "/api/v1/public/you-said-we-did",
    response_model=ListOf[PublicLine],
    responses=list_responses(),
)
@answered_from_cache(public_feed)
def public_you_said_we_did(request: Request, db: DbSession, params: ListQuery) -> Response:
    """No token needed: the "you said, we did" lines the OPCC marked public, newest first.
    While a pre-election period is in force, nothing told on or after its start is shown."""
    today = clock.today()

    def fetch(session: DbSession, page: PageRequest) -> Page[PublicLine]:
        return Page(items=engagement.public_lines(session, today=today), next_cursor=None)

    return list_response(
        request, db, params, fetch, PublicLine, filename="you-said-we-did", visibility=PUBLIC
    )


def _json_response(request: Request, model: BaseModel) -> Response:
    """A computed (not stored) answer: JSON by alias (`from`), with an ETag of its content,
    so If-None-Match gets a 304 while nothing counted has changed."""
    body = dumps(model.model_dump(mode="json", by_alias=True))
    etag = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    wanted = {t.strip() for t in request.headers.get("if-none-match", "").split(",")}
    if etag in wanted or "*" in wanted:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type="application/json", headers={"ETag": etag})
