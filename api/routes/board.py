"""/board-meetings, /exception-reports, /escalations (force responses and transitions),
/monitoring-items, and the public board feed (DOMAIN.md §2)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from api.problems import list_responses, problem_responses
from api.toolkit import (
    ExpectedVersion,
    IdempotencyKey,
    IsoDate,
    ListOf,
    ListQuery,
    created_response,
    list_response,
    resource_response,
)
from domain import clock
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


# -------------------------------------------------------------------------------------------
# Board meetings


def _meeting(request: Request, db: DbSession, actor: CurrentActor, meeting_id: int) -> Response:
    shown = board.get_meeting(db, actor, meeting_id, today=clock.today())
    return resource_response(request, shown, version=shown.version)


@router.get("/board-meetings", response_model=ListOf[MeetingRead], responses=list_responses())
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

    return list_response(request, db, params, fetch, MeetingRead, filename="board-meetings")


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
    def create() -> tuple[MeetingDetail, int, str]:
        with db.one_transaction():
            meeting = board.create_meeting(db, actor, body, now=clock.now())
            assert meeting.id is not None
            shown = board.get_meeting(db, actor, meeting.id, today=clock.today())
        return shown, shown.version, f"/api/v1/board-meetings/{meeting.id}"

    return created_response(request, db, actor, body, idempotency_key, create)


@router.get(
    "/board-meetings/{meeting_id}", response_model=MeetingDetail, responses=problem_responses(404)
)
def get_meeting(request: Request, db: DbSession, actor: CurrentActor, meeting_id: Id) -> Response:
    """One meeting with its escalations and the actions captured at it; ETag is its version."""
    return _meeting(request, db, actor, meeting_id)


@router.patch("/board-meetings/{meeting_id}", response_model=MeetingDetail, responses=CHANGE_ERRORS)
def change_meeting(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    meeting_id: Id,
    body: MeetingChange,
    version: ExpectedVersion,
) -> Response:
    with db.one_transaction():
        board.change_meeting(db, actor, meeting_id, body, expected_version=version, now=clock.now())
        return _meeting(request, db, actor, meeting_id)


# -------------------------------------------------------------------------------------------
# Exception reports and their items


def _report(request: Request, db: DbSession, actor: CurrentActor, report_id: int) -> Response:
    shown = board.get_report(db, actor, report_id)
    return resource_response(request, shown, version=shown.version)


@router.get(
    "/exception-reports", response_model=ListOf[ExceptionReportRead], responses=list_responses()
)
def list_reports(
    request: Request, db: DbSession, actor: CurrentActor, params: ListQuery
) -> Response:
    """KPI exception reports with their items inline, newest first."""

    def fetch(session: DbSession, page: PageRequest) -> Page[ExceptionReportRead]:
        return board.list_reports(session, actor, page=page)

    return list_response(
        request, db, params, fetch, ExceptionReportRead, filename="exception-reports"
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
    def create() -> tuple[ExceptionReportRead, int, str]:
        with db.one_transaction():
            report = board.create_report(db, actor, body, now=clock.now())
            assert report.id is not None
            shown = board.get_report(db, actor, report.id)
        return shown, shown.version, f"/api/v1/exception-reports/{report.id}"

    return created_response(request, db, actor, body, idempotency_key, create)


@router.get(
    "/exception-reports/{report_id}",
    response_model=ExceptionReportRead,
    responses=problem_responses(404),
)
def get_report(request: Request, db: DbSession, actor: CurrentActor, report_id: Id) -> Response:
    return _report(request, db, actor, report_id)


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
    with db.one_transaction():
        board.change_report(db, actor, report_id, body, expected_version=version, now=clock.now())
        return _report(request, db, actor, report_id)


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

    def create() -> tuple[EscalationDetail, int, str]:
        with db.one_transaction():
            escalation = board.escalate_item(db, actor, exception_item_id, body, now=clock.now())
            assert escalation.id is not None
            shown = board.get_escalation(db, actor, escalation.id, today=clock.today())
        return shown, shown.version, f"/api/v1/escalations/{escalation.id}"

    return created_response(request, db, actor, body, idempotency_key, create)


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

    def create() -> tuple[MonitoringRead, int, str]:
        with db.one_transaction():
            item = board.monitor_item(db, actor, exception_item_id, body, now=clock.now())
            assert item.id is not None
            shown = board.get_monitoring(db, actor, item.id, today=clock.today())
        return shown, shown.version, f"/api/v1/monitoring-items/{item.id}"

    return created_response(request, db, actor, body, idempotency_key, create)


# -------------------------------------------------------------------------------------------
# Escalations


def _escalation(
    request: Request, db: DbSession, actor: CurrentActor, escalation_id: int
) -> Response:
    shown = board.get_escalation(db, actor, escalation_id, today=clock.today())
    return resource_response(request, shown, version=shown.version)


@router.get("/escalations", response_model=ListOf[EscalationRead], responses=list_responses())
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

    return list_response(request, db, params, fetch, EscalationRead, filename="escalations")


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
    def create() -> tuple[EscalationDetail, int, str]:
        with db.one_transaction():
            escalation = board.create_escalation(db, actor, body, now=clock.now())
            assert escalation.id is not None
            shown = board.get_escalation(db, actor, escalation.id, today=clock.today())
        return shown, shown.version, f"/api/v1/escalations/{escalation.id}"

    return created_response(request, db, actor, body, idempotency_key, create)


@router.get(
    "/escalations/{escalation_id}",
    response_model=EscalationDetail,
    responses=problem_responses(404),
)
def get_escalation(
    request: Request, db: DbSession, actor: CurrentActor, escalation_id: Id
) -> Response:
    """One escalation with the Force's responses, its `history` and its actions."""
    return _escalation(request, db, actor, escalation_id)


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
    with db.one_transaction():
        board.change_escalation(
            db, actor, escalation_id, body, expected_version=version, now=clock.now()
        )
        return _escalation(request, db, actor, escalation_id)


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

    def create() -> tuple[EscalationDetail, int, str]:
        with db.one_transaction():
            board.add_force_response(db, actor, escalation_id, body, now=clock.now())
            shown = board.get_escalation(db, actor, escalation_id, today=clock.today())
        return shown, shown.version, f"/api/v1/escalations/{escalation_id}"

    return created_response(request, db, actor, body, idempotency_key, create)


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
    with db.one_transaction():
        board.transition_escalation(
            db, actor, escalation_id, body, expected_version=version, now=clock.now()
        )
        return _escalation(request, db, actor, escalation_id)


# -------------------------------------------------------------------------------------------
# Monitoring items


def _monitoring(request: Request, db: DbSession, actor: CurrentActor, item_id: int) -> Response:
    shown = board.get_monitoring(db, actor, item_id, today=clock.today())
    return resource_response(request, shown, version=shown.version)


@router.get("/monitoring-items", response_model=ListOf[MonitoringRead], responses=list_responses())
def list_monitoring(
    request: Request, db: DbSession, actor: CurrentActor, params: ListQuery
) -> Response:
    """Topics kept under monitoring; `overdue_review` when the next review date has passed."""
    today = clock.today()

    def fetch(session: DbSession, page: PageRequest) -> Page[MonitoringRead]:
        return board.list_monitoring(session, actor, page=page, today=today)

    return list_response(request, db, params, fetch, MonitoringRead, filename="monitoring-items")


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
    def create() -> tuple[MonitoringRead, int, str]:
        with db.one_transaction():
            item = board.create_monitoring(db, actor, body, now=clock.now())
            assert item.id is not None
            shown = board.get_monitoring(db, actor, item.id, today=clock.today())
        return shown, shown.version, f"/api/v1/monitoring-items/{item.id}"

    return created_response(request, db, actor, body, idempotency_key, create)


@router.get(
    "/monitoring-items/{monitoring_item_id}",
    response_model=MonitoringRead,
    responses=problem_responses(404),
)
def get_monitoring(
    request: Request, db: DbSession, actor: CurrentActor, monitoring_item_id: Id
) -> Response:
    return _monitoring(request, db, actor, monitoring_item_id)


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
    with db.one_transaction():
        board.change_monitoring(
            db, actor, monitoring_item_id, body, expected_version=version, now=clock.now()
        )
        return _monitoring(request, db, actor, monitoring_item_id)


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

    def create() -> tuple[EscalationDetail, int, str]:
        with db.one_transaction():
            escalation = board.escalate_monitoring(
                db, actor, monitoring_item_id, body, now=clock.now()
            )
            assert escalation.id is not None
            shown = board.get_escalation(db, actor, escalation.id, today=clock.today())
        return shown, shown.version, f"/api/v1/escalations/{escalation.id}"

    return created_response(request, db, actor, body, idempotency_key, create)


# -------------------------------------------------------------------------------------------
# Public feed


@public_router.get(
    "/api/v1/public/board", response_model=ListOf[PublicMeeting], responses=list_responses()
)
def public_board(request: Request, db: DbSession, params: ListQuery) -> Response:
    """No token needed: published board and panel meetings, newest first, with their
    escalations (topic, request, Force responses, PCC response, outcome) and actions."""

    def fetch(session: DbSession, page: PageRequest) -> Page[PublicMeeting]:
        return Page(items=board.public_board(session), next_cursor=None)

    return list_response(request, db, params, fetch, PublicMeeting, filename="public-board")
