"""/complaint-reviews: review cases, their lifecycle, the decision with its recommendations,
contacts with the complainant, and the KPIs (DOMAIN.md §3, COMPLAINTS.md).

Cases hold personal data: only people who may see cases (admin and complaints_reviewer users,
never tokens) reach them. Anyone else gets 404 for any case, exactly as for an id that does
not exist, and 403 for the list; the statistics (`read:complaint-stats`) are for a wider
audience and show `<5` for small counts to anyone who cannot see cases."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from api.auth import AuditedReadSession, CurrentActor, DbSession
from api.problems import domain_problem, list_responses, problem_responses
from api.response_cache import answered_from_cache
from api.toolkit import (
    ExpectedVersion,
    IdempotencyKey,
    IsoDate,
    ListOf,
    ListQuery,
    created_response,
    dumps,
    list_response,
    resource_response,
)
from domain import clock
from domain.accounts.rules import Actor
from domain.complaints import policy as complaint_policy
from domain.complaints import service as complaints
from domain.complaints.rules import AgeBand, ReviewRules, ReviewStatus
from domain.complaints.schemas import (
    ComplainantContactCreate,
    ComplaintReviewChange,
    ComplaintReviewCreate,
    ComplaintReviewDetail,
    ComplaintReviewRead,
    ContactRead,
    ReviewDecision,
    ReviewStats,
    ReviewTransitionRequest,
)
from domain.errors import Invalid
from domain.listing import Page, PageRequest

router = APIRouter(tags=["complaint reviews"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
BASE = "/complaint-reviews"
# Every case operation answers 404 to a caller who may not see cases (nothing revealed).
CASE_ERRORS = problem_responses(404)
CHANGE_ERRORS = problem_responses(404, 409, 412, 428)


def review_rules(request: Request) -> ReviewRules:
    """The OPCC's configured target and reminder rules (COMPLAINTS.md "Time")."""
    return ReviewRules.from_settings(request.app.state.settings)


Rules = Annotated[ReviewRules, Depends(review_rules)]


def _detail(
    db: DbSession, actor: CurrentActor, review_id: int, rules: ReviewRules
) -> ComplaintReviewDetail:
    """The case as it now is, for the answer to a change: the change's own audit event
    records who touched it, so no second (view) event is written."""
    return complaints.review_detail(db, actor, review_id, today=clock.today(), rules=rules)


def _changed(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    review_id: int,
    rules: ReviewRules,
    change: Callable[..., object],
    version: int,
) -> Response:
    """A change checked against the expected version, then the case as it now is, in one
    transaction."""
    with db.one_transaction():
        change(expected_version=version, now=clock.now())
        shown = _detail(db, actor, review_id, rules)
        return resource_response(request, shown, version=shown.version)


def _weak_etag_response(request: Request, model: BaseModel) -> Response:
    """A computed (unversioned) answer: a weak ETag of its bytes, for conditional GET."""
    body = dumps(model.model_dump(mode="json", by_alias=True))
    etag = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    candidates = {
        c.strip().removeprefix("W/") for c in request.headers.get("if-none-match", "").split(",")
    }
    if etag.removeprefix("W/") in candidates or "*" in candidates:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type="application/json", headers={"ETag": etag})


def _months_back(day: date, months: int) -> date:
    """The first day of the month `months` before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _list_readers(actor: Actor) -> str:
    """The visibility class of the review list (the response cache keys on it). The rows
    hold no personal data, but a caller who may see cases (and so personal data) never
    shares an answer with one who may not, nor a person with a token. Checks access."""
    complaint_policy.check_can_list(actor)
    cases = "cases" if complaint_policy.sees_cases(actor) else "no-cases"
    return f"complaint-reviews:{actor.kind.value}:{cases}"


@router.get(BASE, response_model=ListOf[ComplaintReviewRead], responses=list_responses())
@answered_from_cache(_list_readers)
def list_reviews(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    params: ListQuery,
    rules: Rules,
    status: ReviewStatus | None = None,
    reviewer: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="The allocated reviewer's user id.")
    ] = None,
    age_band: Annotated[
        AgeBand | None, Query(description="Days open (holds included): `0-14`, … `over_28`.")
    ] = None,
    overdue: Annotated[
        bool | None, Query(description="`true`: open and past the target date.")
    ] = None,
) -> Response:
    """Review cases, soonest target first (or by change time with `updated_since`); no
    personal data in the rows. Only for people who may see cases: 403 for anyone else."""
    today = clock.today()

    def fetch(session: DbSession, page: PageRequest) -> Page[ComplaintReviewRead]:
        return complaints.list_reviews(
            session,
            actor,
            status=status,
            reviewer_id=reviewer,
            age_band=age_band,
            overdue=overdue,
            page=page,
            today=today,
            rules=rules,
        )

    return list_response(
        request,
        db,
        params,
        fetch,
        ComplaintReviewRead,
        filename="complaint-reviews",
        visibility=_list_readers(actor),
    )


@router.post(
    BASE, status_code=201, response_model=ComplaintReviewDetail, responses=problem_responses(409)
)
def create_review(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    rules: Rules,
    body: ComplaintReviewCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Record a received application for review. A late one is flagged, never refused; the
    target date follows the configured rule."""

    def create() -> tuple[ComplaintReviewDetail, int, str]:
        with db.one_transaction():
            review = complaints.create_review(db, actor, body, now=clock.now(), rules=rules)
            assert review.id is not None
            shown = _detail(db, actor, review.id, rules)
        return shown, shown.version, f"/api/v1{BASE}/{review.id}"

    return created_response(request, db, actor, body, idempotency_key, create)


@router.get(
    f"{BASE}/stats",
    response_model=ReviewStats,
    responses=problem_responses(),
)
def review_stats(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    rules: Rules,
    from_: Annotated[
        IsoDate | None,
        Query(
            alias="from",
            description="First day; default: the 1st of the month 11 months before `to` "
            "(12 whole months).",
        ),
    ] = None,
    to: Annotated[IsoDate | None, Query(description="Last day; default: today.")] = None,
    group: Annotated[
        Literal["month", "quarter"],
        Query(description="`month`, or `quarter` (UK financial quarters, like `2023-24-Q4`)."),
    ] = "month",
) -> Response:
    """KPIs for a date range (`read:complaint-stats`): received, completed, completed within
    the target (count and %), median and 90th-percentile days (nearest rank; also without
    the time on hold), % upheld, and the cases awaiting a decision by age band as of today
    (or `to`, if earlier). `target_rule` says which target was used. Counts from 1 to 4 show
    as `<5` to anyone who may not see cases; `from` after `to` is a 422 naming `from`."""
    today = clock.today()
    last = to or today
    first = from_ or _months_back(last, 11)
    try:
        stats = complaints.review_stats(
            db, actor, from_=first, to=last, group=group, rules=rules, today=today
        )
    except Invalid as exc:  # the range is given in the query, so name it there
        return domain_problem(exc, body_prefix="query")
    return _weak_etag_response(request, stats)


@router.get(f"{BASE}/{{review_id}}", response_model=ComplaintReviewDetail, responses=CASE_ERRORS)
def get_review(
    request: Request, db: AuditedReadSession, actor: CurrentActor, rules: Rules, review_id: Id
) -> Response:
    """One case with the complainant's details, holds, contacts, recommendations and its
    `history`; ETag is its version. Each read of personal data is audited."""
    shown = complaints.get_review(
        db, actor, review_id, today=clock.today(), rules=rules, now=clock.now()
    )
    return resource_response(request, shown, version=shown.version)


@router.patch(
    f"{BASE}/{{review_id}}", response_model=ComplaintReviewDetail, responses=CHANGE_ERRORS
)
def change_review(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    rules: Rules,
    review_id: Id,
    body: ComplaintReviewChange,
    version: ExpectedVersion,
) -> Response:
    """Change the case's details: the Force reference, categories, reviewer, the validity
    check, notification dates and the decision letter date (needed to close)."""
    change = partial(complaints.change_review, db, actor, review_id, body, rules=rules)
    return _changed(request, db, actor, review_id, rules, change, version)


@router.post(
    f"{BASE}/{{review_id}}/transitions",
    response_model=ComplaintReviewDetail,
    responses=CHANGE_ERRORS,
)
def transition_review(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    rules: Rules,
    review_id: Id,
    body: ReviewTransitionRequest,
    version: ExpectedVersion,
) -> Response:
    """Move the case along `received → validity_check → invalid | forwarded_to_iopc |
    in_review`, put it `on_hold` (the note is the reason) and back to `in_review`, close a
    decided case (needs the letter date and, when upheld, a Force response to each
    recommendation), or withdraw it (note required). A state that does not exist → 422; one
    not reachable from the current state → 409. `decided` is reached by the decision."""
    change = partial(complaints.transition_review, db, actor, review_id, body, rules=rules)
    return _changed(request, db, actor, review_id, rules, change, version)


@router.post(
    f"{BASE}/{{review_id}}/decision",
    response_model=ComplaintReviewDetail,
    responses=CHANGE_ERRORS,
)
def decide_review(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    rules: Rules,
    review_id: Id,
    body: ReviewDecision,
    version: ExpectedVersion,
) -> Response:
    """Record the decision on a case in review: outcome, reasons, organisational learning,
    and either recommendations (each becomes a Force-owned action, in the same transaction)
    or, when upheld without any, `no_recommendation_reason`. The case moves to `decided`."""
    change = partial(complaints.decide_review, db, actor, review_id, body, rules=rules)
    return _changed(request, db, actor, review_id, rules, change, version)


@router.post(
    f"{BASE}/{{review_id}}/contacts",
    status_code=201,
    response_model=ContactRead,
    responses=problem_responses(404, 409),
)
def record_contact(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    review_id: Id,
    body: ComplainantContactCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Record a contact with the complainant (reg 34 updates at least every 4 weeks): the
    case's next update falls due from it."""

    def create() -> tuple[ContactRead, int, str]:
        contact = complaints.record_contact(db, actor, review_id, body, now=clock.now())
        return (
            ContactRead.model_validate(contact, from_attributes=True),
            contact.version,
            f"/api/v1{BASE}/{review_id}",
        )

    return created_response(request, db, actor, body, idempotency_key, create)
