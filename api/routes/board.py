"""/board-meetings, /exception-reports, /escalations (force responses and transitions),
/monitoring-items, and the public board feed (DOMAIN.md §2)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Literal, Protocol

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from api.problems import list_responses, problem_responses
from api.response_cache import answered_from_cache
from api.toolkit import (
    PUBLIC,
    ExpectedVersion,
    IdempotencyKey,
    IsoDate,
    ListOf,
    ListQuery,
    created_response,
    list_response,
    public_feed,
    resource_response,
)
from domain import clock
from domain.accounts.rules import Actor
from domain.board import policy as board_policy
from domain.board import service as board
from domain.board.rules import EscalationStatus
from domain.board.schemas import (
    EscalateItem,
    EscalationChange,
    EscalationCreate,
    EscalationDetail,
    EscalationRead,
    EscalationTransition,
    ExceptionReportChange,
    ExceptionReportCreate,
    ExceptionReportRead,
    ForceResponseCreate,
    MeetingChange,
    MeetingCreate,
    MeetingDetail,
    MeetingRead,
    MonitoringChange,
    MonitoringCreate,
    MonitoringRead,
    MonitorItem,
    PublicMeeting,
)
from domain.listing import Page, PageRequest

router = APIRouter(tags=["board"])
public_router = APIRouter(tags=["public feeds"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
CHANGE_ERRORS = problem_responses(404, 409, 412, 428)
CREATE_ERRORS = problem_responses(409)
Shown = MeetingDetail | ExceptionReportRead | EscalationDetail | MonitoringRead

# How a record of each collection is read back: for its GET, and after a create or a change.
READERS: dict[str, Callable[[DbSession, CurrentActor, int], Shown]] = {
    "board-meetings": lambda db, actor, i: board.get_meeting(db, actor, i, today=clock.today()),
    "exception-reports": lambda db, actor, i: board.get_report(db, actor, i),
    "escalations": lambda db, actor, i: board.get_escalation(db, actor, i, today=clock.today()),
    "monitoring-items": lambda db, actor, i: board.get_monitoring(
        db, actor, i, today=clock.today()
    ),
}


class _Record(Protocol):
    id: int | None


def _resource(
    request: Request, db: DbSession, actor: CurrentActor, collection: str, record_id: int
) -> Response:
    shown = READERS[collection](db, actor, record_id)
    return resource_response(request, shown, version=shown.version)


def _created(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    body: BaseModel,
    idempotency_key: str | None,
    collection: str,
    make: Callable[..., _Record],
) -> Response:
    """201 with what `make(now=...)` adds to `collection`, read back in the same transaction;
    a repeat with the same Idempotency-Key gets the first answer."""

    def create() -> tuple[Shown, int, str]:
        with db.one_transaction():
            record_id = make(now=clock.now()).id
            assert record_id is not None
            shown = READERS[collection](db, actor, record_id)
        return shown, shown.version, f"/api/v1/{collection}/{record_id}"

    return created_response(request, db, actor, body, idempotency_key, create)


def _changed(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    collection: str,
    record_id: int,
    change: Callable[..., object],
    version: int,
) -> Response:
    """A change checked against the expected version (`change(expected_version=, now=)`),
    then the record as it now is, in one transaction."""
    with db.one_transaction():
        change(expected_version=version, now=clock.now())
        return _resource(request, db, actor, collection, record_id)


# -------------------------------------------------------------------------------------------
# Board meetings


def _readers(actor: Actor) -> str:
    """The visibility class of the board's lists (the response cache keys on it): every
    reader sees the same rows and fields. Checks read access."""
    board_policy.check_can_read(actor)
    return "board:readers"


@router.get("/board-meetings", response_model=ListOf[MeetingRead], responses=list_responses())
@answered_from_cache(_readers)
def list_meetings(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    params: ListQuery,
    kind: Annotated[
        str | None, Query(max_length=40, description="A board kind's code, e.g. `cgb`.")
    ] = None,
) -> Response:
    """Board and panel meetings, newest first (or by change time with `updated_since`)."""

    def fetch(session: DbSession, page: PageRequest) -> Page[MeetingRead]:
        return board.list_meetings(session, actor, kind=kind, page=page)

    return list_response(
        request,
        db,
        params,
        fetch,
        MeetingRead,
        filename="board-meetings",
        visibility=_readers(actor),
    )


@router.post(
    "/board-meetings", status_code=201, response_model=MeetingDetail, responses=CREATE_ERRORS
)
def create_meeting(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    body: MeetingCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    make = partial(board.create_meeting, db, actor, body)
    return _created(request, db, actor, body, idempotency_key, "board-meetings", make)


@router.get(
    "/board-meetings/{meeting_id}", response_model=MeetingDetail, responses=problem_responses(404)
)
def get_meeting(request: Request, db: DbSession, actor: CurrentActor, meeting_id: Id) -> Response:
    """One meeting with its escalations and the actions captured at it; ETag is its version."""
    return _resource(request, db, actor, "board-meetings", meeting_id)


@router.patch("/board-meetings/{meeting_id}", response_model=MeetingDetail, responses=CHANGE_ERRORS)
def change_meeting(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    meeting_id: Id,
    body: MeetingChange,
    version: ExpectedVersion,
) -> Response:
    change = partial(board.change_meeting, db, actor, meeting_id, body)
    return _changed(request, db, actor, "board-meetings", meeting_id, change, version)


# -------------------------------------------------------------------------------------------
# Exception reports and their items


@router.get(
    "/exception-reports", response_model=ListOf[ExceptionReportRead], responses=list_responses()
)
@answered_from_cache(_readers)
def list_reports(
    request: Request, db: DbSession, actor: CurrentActor, params: ListQuery
) -> Response:
    """KPI exception reports with their items inline, newest first."""

    def fetch(session: DbSession, page: PageRequest) -> Page[ExceptionReportRead]:
        return board.list_reports(session, actor, page=page)

    return list_response(
        request,
        db,
        params,
        fetch,
        ExceptionReportRead,
        filename="exception-reports",
        visibility=_readers(actor),
    )


@router.post(
    "/exception-reports",
    status_code=201,
    response_model=ExceptionReportRead,
    responses=CREATE_ERRORS,
)
def create_report(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    body: ExceptionReportCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    make = partial(board.create_report, db, actor, body)
    return _created(request, db, actor, body, idempotency_key, "exception-reports", make)


@router.get(
    "/exception-reports/{report_id}",
    response_model=ExceptionReportRead,
    responses=problem_responses(404),
)
def get_report(request: Request, db: DbSession, actor: CurrentActor, report_id: Id) -> Response:
    return _resource(request, db, actor, "exception-reports", report_id)


@router.patch(
    "/exception-reports/{report_id}", response_model=ExceptionReportRead, responses=CHANGE_ERRORS
)
def change_report(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    report_id: Id,
    body: ExceptionReportChange,
    version: ExpectedVersion,
) -> Response:
    """`items` replace the list, until an item has been escalated or put under monitoring."""
    change = partial(board.change_report, db, actor, report_id, body)
    return _changed(request, db, actor, "exception-reports", report_id, change, version)


@router.post(
    "/exception-items/{exception_item_id}/escalate",
    status_code=201,
    response_model=EscalationDetail,
    responses=problem_responses(404, 409),
)
def escalate_exception_item(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    exception_item_id: Id,
    body: EscalateItem,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Escalate a report item to the Force: a new escalation, linked both ways."""
    make = partial(board.escalate_item, db, actor, exception_item_id, body)
    return _created(request, db, actor, body, idempotency_key, "escalations", make)


@router.post(
    "/exception-items/{exception_item_id}/monitor",
    status_code=201,
    response_model=MonitoringRead,
    responses=problem_responses(404, 409),
)
def monitor_exception_item(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    exception_item_id: Id,
    body: MonitorItem,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Keep a report item under monitoring: a new monitoring item, linked both ways."""
    make = partial(board.monitor_item, db, actor, exception_item_id, body)
    return _created(request, db, actor, body, idempotency_key, "monitoring-items", make)


# -------------------------------------------------------------------------------------------
# Escalations


@router.get("/escalations", response_model=ListOf[EscalationRead], responses=list_responses())
@answered_from_cache(_readers)
def list_escalations(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    params: ListQuery,
    status: EscalationStatus | None = None,
    due_before: Annotated[
        IsoDate | None, Query(description="Response due before this date.")
    ] = None,
    meeting: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="The target board meeting's id.")
    ] = None,
    sort: Annotated[
        Literal["response_due", "-response_due"] | None,
        Query(description="`response_due` (soonest first) or `-response_due`."),
    ] = None,
) -> Response:
    """Escalations to the Force; `status=awaiting_response` is what the Force still owes."""
    today = clock.today()

    def fetch(session: DbSession, page: PageRequest) -> Page[EscalationRead]:
        return board.list_escalations(
            session,
            actor,
            status=status,
            due_before=due_before,
            meeting=meeting,
            page=page,
            today=today,
            sort=sort,
        )

    return list_response(
        request,
        db,
        params,
        fetch,
        EscalationRead,
        filename="escalations",
        visibility=_readers(actor),
    )


@router.post(
    "/escalations", status_code=201, response_model=EscalationDetail, responses=CREATE_ERRORS
)
def create_escalation(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    body: EscalationCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    make = partial(board.create_escalation, db, actor, body)
    return _created(request, db, actor, body, idempotency_key, "escalations", make)


@router.get(
    "/escalations/{escalation_id}",
    response_model=EscalationDetail,
    responses=problem_responses(404),
)
def get_escalation(
    request: Request, db: DbSession, actor: CurrentActor, escalation_id: Id
) -> Response:
    """One escalation with the Force's responses, its `history` and its actions."""
    return _resource(request, db, actor, "escalations", escalation_id)


@router.patch(
    "/escalations/{escalation_id}", response_model=EscalationDetail, responses=CHANGE_ERRORS
)
def change_escalation(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    escalation_id: Id,
    body: EscalationChange,
    version: ExpectedVersion,
) -> Response:
    change = partial(board.change_escalation, db, actor, escalation_id, body)
    return _changed(request, db, actor, "escalations", escalation_id, change, version)


@router.post(
    "/escalations/{escalation_id}/force-response",
    status_code=201,
    response_model=EscalationDetail,
    responses=problem_responses(404, 409),
)
def add_force_response(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    escalation_id: Id,
    body: ForceResponseCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """The Force's answer (force liaison, or a token with `write:force-responses`): appended,
    and the escalation moves from `awaiting_response` to `response_received`."""
    make = partial(board.add_force_response, db, actor, escalation_id, body)
    return _created(request, db, actor, body, idempotency_key, "escalations", make)


@router.post(
    "/escalations/{escalation_id}/transitions",
    response_model=EscalationDetail,
    responses=CHANGE_ERRORS,
)
def transition_escalation(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    escalation_id: Id,
    body: EscalationTransition,
    version: ExpectedVersion,
) -> Response:
    """Record the discussion, a follow-up (needs `response_due`; back to awaiting the Force)
    or the closure (needs `outcome`)."""
    change = partial(board.transition_escalation, db, actor, escalation_id, body)
    return _changed(request, db, actor, "escalations", escalation_id, change, version)


# -------------------------------------------------------------------------------------------
# Monitoring items


@router.get("/monitoring-items", response_model=ListOf[MonitoringRead], responses=list_responses())
@answered_from_cache(_readers)
def list_monitoring(
    request: Request, db: DbSession, actor: CurrentActor, params: ListQuery
) -> Response:
    """Topics kept under monitoring; `overdue_review` when the next review date has passed."""
    today = clock.today()

    def fetch(session: DbSession, page: PageRequest) -> Page[MonitoringRead]:
        return board.list_monitoring(session, actor, page=page, today=today)

    return list_response(
        request,
        db,
        params,
        fetch,
        MonitoringRead,
        filename="monitoring-items",
        visibility=_readers(actor),
    )


@router.post(
    "/monitoring-items", status_code=201, response_model=MonitoringRead, responses=CREATE_ERRORS
)
def create_monitoring(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    body: MonitoringCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    make = partial(board.create_monitoring, db, actor, body)
    return _created(request, db, actor, body, idempotency_key, "monitoring-items", make)


@router.get(
    "/monitoring-items/{monitoring_item_id}",
    response_model=MonitoringRead,
    responses=problem_responses(404),
)
def get_monitoring(
    request: Request, db: DbSession, actor: CurrentActor, monitoring_item_id: Id
) -> Response:
    return _resource(request, db, actor, "monitoring-items", monitoring_item_id)


@router.patch(
    "/monitoring-items/{monitoring_item_id}",
    response_model=MonitoringRead,
    responses=CHANGE_ERRORS,
)
def change_monitoring(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    monitoring_item_id: Id,
    body: MonitoringChange,
    version: ExpectedVersion,
) -> Response:
    change = partial(board.change_monitoring, db, actor, monitoring_item_id, body)
    return _changed(request, db, actor, "monitoring-items", monitoring_item_id, change, version)


@router.post(
    "/monitoring-items/{monitoring_item_id}/escalate",
    status_code=201,
    response_model=EscalationDetail,
    responses=problem_responses(404, 409),
)
def escalate_monitoring(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    monitoring_item_id: Id,
    body: EscalateItem,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Escalate a monitored topic to the Force; the monitoring item keeps the link."""
    make = partial(board.escalate_monitoring, db, actor, monitoring_item_id, body)
    return _created(request, db, actor, body, idempotency_key, "escalations", make)


# -------------------------------------------------------------------------------------------
# Public feed


@public_router.get(
    "/api/v1/public/board", response_model=ListOf[PublicMeeting], responses=list_responses()
)
@answered_from_cache(public_feed)
def public_board(request: Request, db: DbSession, params: ListQuery) -> Response:
    """No token needed: published board and panel meetings, newest first, with their
    escalations (topic, request, Force responses, PCC response, outcome) and actions."""

    def fetch(session: DbSession, page: PageRequest) -> Page[PublicMeeting]:
        return Page(items=board.public_board(session), next_cursor=None)

    return list_response(
        request, db, params, fetch, PublicMeeting, filename="public-board", visibility=PUBLIC
    )
