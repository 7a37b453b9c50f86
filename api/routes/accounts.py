"""/me, /users and /tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from api.problems import list_responses, problem_responses
from api.toolkit import (
    ExpectedVersion,
    IdempotencyKey,
    ListOf,
    ListQuery,
    created_response,
    list_response,
    resource_response,
)
from domain import clock
from domain.accounts import service as accounts
from domain.accounts.policy import require_signed_in
from domain.accounts.rules import Role
from domain.accounts.schemas import (
    MeRead,
    TokenCreate,
    TokenCreated,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
ONE_ERRORS = problem_responses(404)
CREATE_ERRORS = problem_responses(409)
CHANGE_ERRORS = problem_responses(404, 409, 412, 428)


@router.get("/me", response_model=MeRead, tags=["accounts"], responses=problem_responses())
def me(actor: CurrentActor) -> MeRead:
    require_signed_in(actor)
    return MeRead(
        kind=actor.kind.value,
        label=actor.label,
        role=actor.role,
        scopes=sorted(actor.scopes),
        user_id=actor.user_id,
        token_id=actor.token_id,
    )


@router.get(
    "/users", response_model=ListOf[UserRead], tags=["accounts"], responses=list_responses()
)
def list_users(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    params: ListQuery,
    role: Role | None = None,
    active: Annotated[bool | None, Query()] = None,
) -> Response:
    return list_response(
        request,
        db,
        params,
        lambda session, page: accounts.list_users(
            session, actor, page=page, role=role, active=active
        ),
        UserRead,
        filename="users",
    )


@router.post(
    "/users", status_code=201, response_model=UserRead, tags=["accounts"], responses=CREATE_ERRORS
)
def create_user(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    body: UserCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    def create() -> tuple[UserRead, int, str]:
        user = accounts.create_user(db, actor, body, now=clock.now())
        return UserRead.model_validate(user), user.version, f"/api/v1/users/{user.id}"

    return created_response(request, db, actor, body, idempotency_key, create)


@router.get("/users/{user_id}", response_model=UserRead, tags=["accounts"], responses=ONE_ERRORS)
def get_user(request: Request, db: DbSession, actor: CurrentActor, user_id: Id) -> Response:
    user = accounts.get_user(db, actor, user_id)
    return resource_response(request, UserRead.model_validate(user), version=user.version)


@router.patch(
    "/users/{user_id}", response_model=UserRead, tags=["accounts"], responses=CHANGE_ERRORS
)
def update_user(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    user_id: Id,
    body: UserUpdate,
    version: ExpectedVersion,
) -> Response:
    user = accounts.update_user(db, actor, user_id, body, expected_version=version, now=clock.now())
    return resource_response(request, UserRead.model_validate(user), version=user.version)


@router.get(
    "/tokens", response_model=ListOf[TokenRead], tags=["tokens"], responses=list_responses()
)
def list_tokens(
    request: Request, db: DbSession, actor: CurrentActor, params: ListQuery
) -> Response:
    return list_response(
        request,
        db,
        params,
        lambda session, page: accounts.list_tokens(session, actor, page=page),
        TokenRead,
        filename="tokens",
    )


@router.post(
    "/tokens",
    status_code=201,
    response_model=TokenCreated,
    tags=["tokens"],
    responses=CREATE_ERRORS,
)
def create_token(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    body: TokenCreate,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """The response carries the secret once; it is stored only as a hash."""

    def create() -> tuple[TokenCreated, int, str]:
        token, secret = accounts.create_token(db, actor, body, now=clock.now())
        read = TokenRead.model_validate(token)
        return (
            TokenCreated(**read.model_dump(), secret=secret),
            token.version,
            f"/api/v1/tokens/{token.id}",
        )

    return created_response(request, db, actor, body, idempotency_key, create)


@router.get("/tokens/{token_id}", response_model=TokenRead, tags=["tokens"], responses=ONE_ERRORS)
def get_token(request: Request, db: DbSession, actor: CurrentActor, token_id: Id) -> Response:
    token = accounts.get_token(db, actor, token_id)
    return resource_response(request, TokenRead.model_validate(token), version=token.version)


@router.delete(
    "/tokens/{token_id}", response_model=TokenRead, tags=["tokens"], responses=CHANGE_ERRORS
)
def revoke_token(
    request: Request, db: DbSession, actor: CurrentActor, token_id: Id, version: ExpectedVersion
) -> Response:
    """Revokes at once; the record stays for the audit trail."""
    token = accounts.revoke_token(db, actor, token_id, expected_version=version, now=clock.now())
    return resource_response(request, TokenRead.model_validate(token), version=token.version)
