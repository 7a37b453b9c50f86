"""Who is calling: the one dependency both surfaces use (bearer token or session cookie),
and the CSRF check that goes with cookie authentication."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from domain import clock
from domain.accounts import service as accounts
from domain.accounts import sessions
from domain.accounts.rules import ANONYMOUS, Actor
from domain.db import Database, UnitOfWork
from domain.errors import Forbidden, Unauthenticated

SESSION_COOKIE = "oversight_session"
ANON_CSRF_COOKIE = "oversight_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_db(request: Request) -> Iterator[UnitOfWork]:
    """A session per request; unsafe methods get a writing session (BEGIN IMMEDIATE on SQLite).
    Closed as soon as the handler returns (scope="function"), before the response is sent,
    so no path, an error included, holds a transaction or the SQLite write lock while a
    slow client reads. Streaming responses open their own session."""
    with database(request).session(writing=request.method not in SAFE_METHODS) as session:
        yield session


DbSession = Annotated[UnitOfWork, Depends(get_db, scope="function")]


def get_writing_db(request: Request) -> Iterator[UnitOfWork]:
    """For the few reads that write: a view of a complaint review is audited. A writing
    session takes SQLite's write lock first (waiting its turn), where a read that wrote
    later could find a newer snapshot and fail with "database is locked"."""
    with database(request).session(writing=True) as session:
        yield session


AuditedReadSession = Annotated[UnitOfWork, Depends(get_writing_db, scope="function")]


IDENTITY_STATE = "identity"
"""Where AuthenticateFirstMiddleware leaves (actor, csrf token) for current_actor to reuse."""


def resolve(
    db: Database, authorization: str | None, cookie: str | None
) -> tuple[Actor, str | None]:
    """Who the credentials name (ANONYMOUS when there are none); a bad token is refused."""
    now = clock.now()
    with db.session() as session:
        if authorization is not None:
            scheme, _, secret = authorization.partition(" ")
            actor = (
                accounts.actor_for_token(session, secret.strip(), now=now)
                if scheme.lower() == "bearer"
                else None
            )
            if actor is None:
                raise Unauthenticated("the bearer token is unknown, expired or revoked")
            return actor, None
        if cookie:
            resolved = sessions.resolve(session, cookie, now=now)
            if resolved is not None:
                return resolved.actor, resolved.csrf_token
    return ANONYMOUS, None


async def current_actor(request: Request) -> Actor:
    """Resolve once per request; cookie-authenticated unsafe requests must carry the CSRF token."""
    cached: Actor | None = getattr(request.state, "actor", None)
    if cached is not None:
        return cached
    identity: tuple[Actor, str | None] | None = getattr(request.state, IDENTITY_STATE, None)
    if identity is None:
        identity = await run_in_threadpool(
            resolve,
            database(request),
            request.headers.get("authorization"),
            request.cookies.get(SESSION_COOKIE),
        )
    actor, csrf_token = identity
    request.state.actor = actor
    request.state.csrf_token = csrf_token
    if csrf_token is not None and request.method not in SAFE_METHODS:
        await verify_csrf(request, csrf_token)
    return actor


async def submitted_csrf_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def verify_csrf(request: Request, expected: str) -> None:
    if not hmac.compare_digest(await submitted_csrf_token(request), expected):
        raise Forbidden("the form has expired or did not come from this site; reload and try again")


def identify_for_error_page(request: Request) -> None:
    """An error page for a path no route matched still shows who is signed in (no CSRF check:
    nothing is being changed). Runs in the thread pool, like every sync handler."""
    if getattr(request.state, "actor", None) is not None:
        return
    try:
        actor, csrf_token = resolve(database(request), None, request.cookies.get(SESSION_COOKIE))
    except Exception:  # the error page must render even if the database is down
        actor, csrf_token = ANONYMOUS, None
    request.state.actor = actor
    request.state.csrf_token = csrf_token


CurrentActor = Annotated[Actor, Depends(current_actor)]


async def require_actor(actor: CurrentActor) -> Actor:
    """Attached to every protected router at inclusion, so new routes are protected by default."""
    if not actor.is_authenticated:
        raise Unauthenticated("sign in or send a bearer token")
    return actor
