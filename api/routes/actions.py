"""/actions, their updates and transitions, and /force-inbox."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from sqlmodel import Session
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from api.problems import list_responses, problem_responses
from api.response_cache import answered_from_cache
from api.toolkit import (
    ExpectedVersion,
    IdempotencyKey,
    IsoDate,
    ListOf,
    ListQuery,
    cached_list,
    created_response,
    list_response,
    resource_response,
)
from domain import clock
from domain.actions import inbox, policy
from domain.actions import queries as action_queries
from domain.actions import service as actions
from domain.actions.rules import ActionStatus, SourceType
from domain.actions.schemas import (
    ActionChange,
    ActionCreate,
    ActionDetail,
    ActionDetailForForce,
    ActionRead,
    ActionReadForForce,
    ActionUpdateCreate,
    ActionUpdateRead,
    TransitionRequest,
)
from domain.listing import Page, PageRequest

router = APIRouter(tags=["actions"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Code = Annotated[str | None, Query(max_length=40)]
OneAction = ActionDetail | ActionDetailForForce


def _detail_response(
    request: Request, db: DbSession, actor: CurrentActor, action_id: int, *, status_code: int = 200
) -> Response:
    shown = action_queries.detail(db, actor, action_id, today=clock.today())
    return resource_response(request, shown, version=shown.version, status_code=status_code)


@router.get(
    "/actions",
    response_model=ListOf[ActionRead] | ListOf[ActionReadForForce],
    responses=list_responses(),
)
@answered_from_cache(policy.visibility_class)
async def list_actions(
    request: Request,
    actor: CurrentActor,
    params: ListQuery,
    source_type: SourceType | None = None,
    source_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    owner_org: Code = None,
    status: ActionStatus | None = None,
    overdue: bool | None = None,
    due_before: IsoDate | None = None,
    due_after: IsoDate | None = None,
    area: Code = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in the title or ref.")] = None,
    outstanding: Annotated[
        bool | None, Query(description="`true`: neither done nor cancelled; `false`: closed.")
    ] = None,
    created_by: Annotated[
        str | None,
        Query(max_length=200, description="Who created it (an email)."),
    ] = None,
) -> Response:
    """Actions the caller may see; the Force sees only what it owns."""
    filters = action_queries.ActionFilters(
        source_type=source_type,
        source_id=source_id,
        owner_org=owner_org,
        status=status,
        overdue=overdue,
        due_before=due_before,
        due_after=due_after,
        area=area,
        q=q,
        outstanding=outstanding,
        created_by=created_by,
    )
    today = clock.today()

    def fetch(session: Session, page: PageRequest) -> Page[dict[str, Any]]:
        return action_queries.action_rows(session, actor, filters=filters, page=page, today=today)

    return await cached_list(
        request,
        params,
        fetch,
        action_queries.read_schema(actor),
        filename="actions",
        visibility=policy.visibility_class(actor),
    )


@router.post(
    "/actions", status_code=201, response_model=OneAction, responses=problem_responses(409)
)
def create_action(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    body: ActionCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    def create() -> tuple[OneAction, int, str]:
        with db.one_transaction():
            action = actions.create_action(db, actor, body, now=clock.now())
            assert action.id is not None
            shown = action_queries.detail(db, actor, action.id, today=clock.today())
        return shown, shown.version, f"/api/v1/actions/{action.id}"

    return created_response(request, db, actor, body, idempotency_key, create)


@router.get("/actions/{action_id}", response_model=OneAction, responses=problem_responses(404))
def get_action(request: Request, db: DbSession, actor: CurrentActor, action_id: Id) -> Response:
    """One action with its `history`; ETag is its version."""
    return _detail_response(request, db, actor, action_id)


@router.patch(
    "/actions/{action_id}",
    response_model=OneAction,
    responses=problem_responses(404, 409, 412, 428),
)
def change_action(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    action_id: Id,
    body: ActionChange,
    version: ExpectedVersion,
) -> Response:
    with db.one_transaction():
        actions.change_action(db, actor, action_id, body, expected_version=version, now=clock.now())
        return _detail_response(request, db, actor, action_id)


@router.post(
    "/actions/{action_id}/transitions",
    response_model=OneAction,
    responses=problem_responses(404, 409, 412, 428),
)
def transition_action(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    action_id: Id,
    body: TransitionRequest,
    version: ExpectedVersion,
) -> Response:
    """Move the action along its lifecycle; cancelling and reopening need a `note`."""
    with db.one_transaction():
        actions.transition_action(
            db,
            actor,
            action_id,
            to=body.to,
            note=body.note,
            expected_version=version,
            now=clock.now(),
            today=clock.today(),
        )
        return _detail_response(request, db, actor, action_id)


@router.get(
    "/actions/{action_id}/updates",
    response_model=ListOf[ActionUpdateRead],
    responses=list_responses(404),
)
def list_updates(
    request: Request, db: DbSession, actor: CurrentActor, action_id: Id, params: ListQuery
) -> Response:
    return list_response(
        request,
        db,
        params,
        lambda session, page: action_queries.list_updates(session, actor, action_id, page=page),
        ActionUpdateRead,
        filename=f"action-{action_id}-updates",
    )


@router.post(
    "/actions/{action_id}/updates",
    status_code=201,
    response_model=ActionUpdateRead,
    responses=problem_responses(404, 409),
)
def add_update(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    action_id: Id,
    body: ActionUpdateCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Append a dated note; updates are never edited or deleted."""

    def create() -> tuple[ActionUpdateRead, int, str]:
        update = actions.add_update(db, actor, action_id, body, now=clock.now())
        return (
            ActionUpdateRead.model_validate(update),
            update.version,
            f"/api/v1/actions/{action_id}/updates",
        )

    return created_response(request, db, actor, body, idempotency_key, create)


@router.get(
    "/force-inbox",
    response_model=ListOf[inbox.InboxEntry],
    responses=list_responses(),
)
def force_inbox(
    request: Request, db: DbSession, actor: CurrentActor, params: ListQuery
) -> Response:
    """Everything the Force owes across sources: overdue first, then by due date."""
    today = clock.today()

    def fetch(session: DbSession, page: PageRequest) -> Page[inbox.InboxEntry]:
        return inbox.force_inbox(session, actor, today=today, limit=page.limit, cursor=page.cursor)

    return list_response(request, db, params, fetch, inbox.InboxEntry, filename="force-inbox")
