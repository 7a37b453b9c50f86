"""Who is calling: the one dependency both surfaces use (bearer token or session cookie),
and the CSRF check that goes with cookie authentication."""

from __future__ import annotations

import asyncio
import contextvars
import hmac
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Select, Table, bindparam, select

from domain import clock, sync
from domain.accounts import service as accounts
from domain.accounts import sessions
from domain.accounts.rules import (
    ANONYMOUS,
    TOKEN_USE_GRAIN,
    Actor,
    Role,
    Scope,
    token_actor,
)
from domain.accounts.tables import ApiToken, User
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
"""Where AuthenticateFirstMiddleware leaves the Identity for current_actor to reuse."""


@dataclass(frozen=True)
class Identity:
    actor: Actor
    csrf_token: str | None = None
    freshness: str | None = None
    """`domain.sync.generation`, read with the credentials for a safe API request (None when
    not read), so a cached answer costs no statement of its own (api/response_cache.py)."""


def _bearer_lookup() -> tuple[Any, Any]:
    """The token by its hash (a unique index) with its owner's `active`, and the same with
    the database's generation riding along: one statement either way."""
    tokens: Table = ApiToken.__table__  # type: ignore[attr-defined]
    users: Table = User.__table__  # type: ignore[attr-defined]
    lookup = (
        select(
            tokens.c.id,
            tokens.c.name,
            tokens.c.role,
            tokens.c.scopes,
            tokens.c.user_id,
            tokens.c.expires_at,
            tokens.c.revoked_at,
            tokens.c.last_used_at,
            users.c.active.label("owner_active"),
        )
        .select_from(tokens.outerjoin(users, users.c.id == tokens.c.user_id))
        .where(tokens.c.secret_hash == bindparam("secret_hash"))
    )
    return lookup, lookup.add_columns(*sync.generation_columns())


_BEARER, _BEARER_WITH_GENERATION = _bearer_lookup()


@dataclass(frozen=True)
class _Read:
    """A step of `_resolution`: read the first row of this statement."""

    statement: Select[Any]
    params: dict[str, Any]


@dataclass(frozen=True)
class _NoteTokenUse:
    """A step of `_resolution`: note a token's use (a write, so on a worker thread)."""

    secret: str
    now: datetime


_Resolution = Generator[_Read | _NoteTokenUse, Any, Identity]


def _bearer(secret: str, *, now: datetime, freshness: bool) -> Generator[Any, Any, Identity | None]:
    """The hot path's `accounts.actor_for_token`: the same rules (unknown, revoked, expired
    or with an inactive or missing owner: None), in one statement with no ORM objects and
    no transaction. A token whose last use is due to be noted (once per TOKEN_USE_GRAIN)
    goes through `actor_for_token` itself, which notes it."""
    if not secret.startswith(accounts.TOKEN_PREFIX):
        return None
    query = _BEARER_WITH_GENERATION if freshness else _BEARER
    secret_hash = accounts.hash_secret(secret)
    row = yield _Read(query, {"secret_hash": secret_hash})
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if row.user_id is not None and not row.owner_active:
        return None
    if _use_to_note(secret_hash, row.last_used_at, now):
        noted = yield _NoteTokenUse(secret, now)
        return None if noted is None else Identity(noted, None, _stamp(row, freshness))
    actor = token_actor(
        token_id=row.id,
        label=f"token:{row.name}",
        role=Role(row.role),
        scopes=frozenset(Scope(s) for s in row.scopes if s in Scope._value2member_map_),
        user_id=row.user_id,
    )
    return Identity(actor, None, _stamp(row, freshness))


_noted_at: dict[str, datetime] = {}
"""When this process last had a token's use noted: 32 requests at once with a token whose
use is due must not all queue for the write lock to note the same use."""


def _use_to_note(secret_hash: str, last_used_at: datetime | None, now: datetime) -> bool:
    if last_used_at is not None and now - last_used_at < TOKEN_USE_GRAIN:
        return False
    tried = _noted_at.get(secret_hash)
    if tried is not None and now - tried < TOKEN_USE_GRAIN:
        return False  # being noted, or noting it failed (best effort): a later use will
    _noted_at[secret_hash] = now
    return True


def _stamp(row: Any, freshness: bool) -> str | None:
    return sync.generation_of(row.generation, row.last_stamp) if freshness else None


def _resolution(authorization: str | None, cookie: str | None, *, freshness: bool) -> _Resolution:
    """Who the credentials name (ANONYMOUS when there are none); a bad token is refused.
    With `freshness`, the database's generation is read as well, before any data. The
    rules, with the reads left to the caller (`resolve` on a thread, `resolve_on_loop`
    in a coroutine), so both follow one implementation."""
    now = clock.now()
    if authorization is not None:
        scheme, _, secret = authorization.partition(" ")
        found = None
        if scheme.lower() == "bearer":
            found = yield from _bearer(secret.strip(), now=now, freshness=freshness)
        if found is None:
            raise Unauthenticated("the bearer token is unknown, expired or revoked")
        return found
    if not cookie and not freshness:
        return Identity(ANONYMOUS)
    if not cookie:  # a public feed, or a caller with no credentials
        return Identity(ANONYMOUS, None, (yield from _generation()))
    query = _SESSION_WITH_GENERATION if freshness else sessions.SESSION_LOOKUP
    row = yield _Read(query, sessions.lookup_params(cookie))
    if row is None:  # no such session
        return Identity(ANONYMOUS, None, (yield from _generation()) if freshness else None)
    stamp = _stamp(row, freshness)
    resolved = sessions.resolved(row, now=now)
    if resolved is None:
        return Identity(ANONYMOUS, None, stamp)
    return Identity(resolved.actor, resolved.csrf_token, stamp)


_GENERATION = select(*sync.generation_columns())
_SESSION_WITH_GENERATION = sessions.SESSION_LOOKUP.add_columns(*sync.generation_columns())


def _generation() -> Generator[_Read, Any, str]:
    row = yield _Read(_GENERATION, {})
    return "0" if row is None else sync.generation_of(row.generation, row.last_stamp)


def _note_token_use(db: Database, step: _NoteTokenUse) -> Actor | None:
    with db.session() as session:
        return accounts.actor_for_token(session, step.secret, now=step.now)


def resolve(
    db: Database, authorization: str | None, cookie: str | None, *, freshness: bool = False
) -> Identity:
    """`_resolution` on this thread."""
    steps = _resolution(authorization, cookie, freshness=freshness)
    answer: Any = None
    try:
        while True:
            step = steps.send(answer)
            if isinstance(step, _Read):
                answer = db.read_row(step.statement, step.params)
            else:
                answer = _note_token_use(db, step)
    except StopIteration as done:
        identity: Identity = done.value
        return identity


async def resolve_on_loop(
    db: Database, authorization: str | None, cookie: str | None, *, freshness: bool = False
) -> Identity:
    """`_resolution` from a coroutine: its reads on the event loop where the database
    allows (`Database.read_row_on_loop`), the rare write on a worker thread."""
    steps = _resolution(authorization, cookie, freshness=freshness)
    answer: Any = None
    try:
        while True:
            step = steps.send(answer)
            if isinstance(step, _Read):
                answer = await db.read_row_on_loop(step.statement, step.params)
            else:
                answer = await asyncio.get_running_loop().run_in_executor(
                    None, contextvars.copy_context().run, _note_token_use, db, step
                )
    except StopIteration as done:
        identity: Identity = done.value
        return identity


def wants_freshness(request: Request) -> bool:
    """Safe API requests may be answered from the response cache, which needs the stamp."""
    return request.method in SAFE_METHODS and request.scope["path"].startswith("/api/")


async def current_actor(request: Request) -> Actor:
    """Resolve once per request (one statement, sent from the event loop on PostgreSQL);
    cookie-authenticated unsafe requests must carry the CSRF token."""
    cached: Actor | None = getattr(request.state, "actor", None)
    if cached is not None:
        return cached
    identity: Identity | None = getattr(request.state, IDENTITY_STATE, None)
    if identity is None:
        identity = await resolve_on_loop(
            database(request),
            request.headers.get("authorization"),
            request.cookies.get(SESSION_COOKIE),
            freshness=wants_freshness(request),
        )
    request.state.actor = identity.actor
    request.state.csrf_token = identity.csrf_token
    request.state.freshness = identity.freshness
    if identity.csrf_token is not None and request.method not in SAFE_METHODS:
        await verify_csrf(request, identity.csrf_token)
    return identity.actor


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
        identity = resolve(database(request), None, request.cookies.get(SESSION_COOKIE))
    except Exception:  # the error page must render even if the database is down
        identity = Identity(ANONYMOUS)
    request.state.actor = identity.actor
    request.state.csrf_token = identity.csrf_token


CurrentActor = Annotated[Actor, Depends(current_actor)]


async def require_actor(actor: CurrentActor) -> Actor:
    """Attached to every protected router at inclusion, so new routes are protected by default."""
    if not actor.is_authenticated:
        raise Unauthenticated("sign in or send a bearer token")
    return actor
