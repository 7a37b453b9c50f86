"""Signing in and out of the web app. State lives in the database so several app
instances behave as one: sessions, CSRF secrets and the sign-in rate-limit counters."""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, Table, bindparam, delete
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from domain.accounts.rules import Actor, Role, SignInLimits, sign_in_wait, user_actor
from domain.accounts.service import find_user_by_email, verify_password
from domain.accounts.tables import SignInAttempt, User, WebSession
from domain.audit import service as audit
from domain.db import Database
from domain.errors import RateLimited, Unauthenticated

GENERIC_FAILURE = "Enter a correct email address and password"
# Verifying against this when the email is unknown keeps failure timing uniform.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$qaq+iZGU799GvaFky2giBw$"
    "oXfq7xE0qHQzgwHF0E8vx4NFgvGw4WCa24kvEP2eU7Y"
)


@dataclass(frozen=True)
class SignedIn:
    user: User
    cookie_secret: str
    csrf_token: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _recent_failures(db: Session, limit: int, since: datetime, *where: Any) -> list[datetime]:
    """The newest `limit` failures matching `where` within the window, oldest first: all the
    sliding-window rule needs, however long an attack has gone on."""
    stmt = (
        select(SignInAttempt.at)
        .where(SignInAttempt.at >= since, *where)
        .order_by(col(SignInAttempt.at).desc())
        .limit(limit)
    )
    return sorted(db.exec(stmt).all())


def _refusal(wait: timedelta) -> RateLimited:
    seconds = math.ceil(wait.total_seconds())
    if seconds <= 60:
        when = "1 second" if seconds == 1 else f"{seconds} seconds"
    else:
        minutes = math.ceil(seconds / 60)
        when = "1 minute" if minutes == 1 else f"{minutes} minutes"
    return RateLimited(
        f"Too many failed attempts to sign in. Wait {when} and try again",
        retry_after_seconds=seconds,
    )


def sign_in(
    database: Database,
    *,
    email: str,
    password: str,
    ip: str,
    now: datetime,
    limits: SignInLimits,
    session_length: timedelta,
    replacing: str | None = None,
) -> SignedIn:
    """Check the limits, verify the password, start a new session (ending `replacing`, the
    session the browser already had, so a sign-in always rotates the session id).

    Two short transactions with the argon2 check between them: no lock is held while the
    password is hashed. The attempt is counted as a failure before the check and forgiven
    on success, so a burst of parallel guesses cannot outrun the limit."""
    email = email.strip().lower()
    if not email.isprintable():
        email = ""  # no one's address (and NUL would break PostgreSQL); still counted per IP
    email, ip = email[:254], ip[:64]
    since = now - limits.window
    with database.session(writing=True) as db:
        on_account = col(SignInAttempt.email) == email
        from_address = col(SignInAttempt.ip) == ip
        wait = sign_in_wait(
            pair=_recent_failures(db, limits.per_account, since, on_account, from_address),
            account=_recent_failures(db, limits.per_account_all_addresses, since, on_account),
            address=_recent_failures(db, limits.per_ip, since, from_address),
            now=now,
            limits=limits,
        )
        if wait is not None:
            raise _refusal(wait)
        db.add(SignInAttempt(at=now, email=email, ip=ip))
        user = find_user_by_email(db, email) if email else None
        db.commit()
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or user.id is None or not ok or not user.active:
        raise Unauthenticated(GENERIC_FAILURE)
    with database.session(writing=True) as db:
        current = db.get(User, user.id)
        if current is None or not current.active or current.password_hash != user.password_hash:
            raise Unauthenticated(GENERIC_FAILURE)  # changed while the password was checked
        db.execute(delete(SignInAttempt).where(on_account, from_address))
        if replacing:
            db.execute(delete(WebSession).where(col(WebSession.id) == _hash(replacing)))
        cookie_secret = secrets.token_urlsafe(32)
        csrf_token = secrets.token_urlsafe(32)
        db.add(
            WebSession(
                id=_hash(cookie_secret),
                user_id=user.id,
                csrf_token=csrf_token,
                created_at=now,
                expires_at=now + session_length,
            )
        )
        actor = user_actor(
            user_id=user.id, label=user.email, role=Role(user.role), name=user.display_name
        )
        audit.record(
            db, actor, entity="user", entity_id=user.id, action="sign_in", changes={}, at=now
        )
        db.commit()
    return SignedIn(user=current, cookie_secret=cookie_secret, csrf_token=csrf_token)


@dataclass(frozen=True)
class ResolvedSession:
    actor: Actor
    csrf_token: str


def _session_lookup() -> Select[Any]:
    sessions: Table = WebSession.__table__  # type: ignore[attr-defined]
    users: Table = User.__table__  # type: ignore[attr-defined]
    return (
        select_columns(
            sessions.c.csrf_token,
            sessions.c.expires_at,
            users.c.id,
            users.c.email,
            users.c.role,
            users.c.display_name,
            users.c.active,
        )
        .select_from(sessions.join(users, users.c.id == sessions.c.user_id))
        .where(sessions.c.id == bindparam("session_hash"))
    )


SESSION_LOOKUP = _session_lookup()
"""The session behind a cookie with its user: one statement (by the hash, the primary key),
as every page asks it. Run with `lookup_params`; read the row with `resolved`."""


def lookup_params(cookie_secret: str) -> dict[str, str]:
    return {"session_hash": _hash(cookie_secret)}


def resolved(row: Any, *, now: datetime) -> ResolvedSession | None:
    """The signed-in person from a SESSION_LOOKUP row; None once expired or inactive."""
    if row.expires_at <= now or not row.active:
        return None
    actor = user_actor(user_id=row.id, label=row.email, role=Role(row.role), name=row.display_name)
    return ResolvedSession(actor=actor, csrf_token=row.csrf_token)


def resolve(db: Session, cookie_secret: str, *, now: datetime) -> ResolvedSession | None:
    row = db.execute(SESSION_LOOKUP, lookup_params(cookie_secret)).first()
    return None if row is None else resolved(row, now=now)


def sign_out(
    db: Session, actor: Actor, cookie_secret: str, *, everywhere: bool, now: datetime
) -> None:
    web_session = db.get(WebSession, _hash(cookie_secret))
    if web_session is None:
        return
    if everywhere:
        db.execute(delete(WebSession).where(col(WebSession.user_id) == web_session.user_id))
    else:
        db.delete(web_session)
    audit.record(
        db,
        actor,
        entity="user",
        entity_id=web_session.user_id,
        action="sign_out_everywhere" if everywhere else "sign_out",
        changes={},
        at=now,
    )
    db.commit()
