"""Signing in and out of the web app. State lives in the database so several app
instances behave as one: sessions, CSRF secrets and the sign-in rate-limit counters."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from domain.accounts.rules import Actor, Role, user_actor
from domain.accounts.service import find_user_by_email, verify_password
from domain.accounts.tables import SignInAttempt, User, WebSession
from domain.audit import service as audit
from domain.errors import RateLimited, Unauthenticated

GENERIC_FAILURE = "Enter a correct email address and password"
# Verifying against this when the email is unknown keeps failure timing uniform.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$qaq+iZGU799GvaFky2giBw$"
    "oXfq7xE0qHQzgwHF0E8vx4NFgvGw4WCa24kvEP2eU7Y"
)


@dataclass(frozen=True)
class SignInLimits:
    per_account: int
    per_ip: int
    window: timedelta


@dataclass(frozen=True)
class SignedIn:
    user: User
    cookie_secret: str
    csrf_token: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _failures(db: Session, column: Any, value: str, since: datetime) -> int:
    stmt = (
        select(func.count())
        .select_from(SignInAttempt)
        .where(column == value, SignInAttempt.at >= since)
    )
    return int(db.exec(stmt).one())


def sign_in(
    db: Session,
    *,
    email: str,
    password: str,
    ip: str,
    now: datetime,
    limits: SignInLimits,
    session_length: timedelta,
) -> SignedIn:
    """Checks the rate limit first, then the password; a new session id every time."""
    email = email.strip().lower()
    if not email.isprintable():
        email = ""  # no one's address (and NUL would break PostgreSQL); still counted per IP
    since = now - limits.window
    if (
        _failures(db, SignInAttempt.email, email, since) >= limits.per_account
        or _failures(db, SignInAttempt.ip, ip, since) >= limits.per_ip
    ):
        raise RateLimited(
            "Too many failed attempts to sign in. Wait 15 minutes and try again",
            retry_after_seconds=int(limits.window.total_seconds()),
        )
    user = find_user_by_email(db, email) if email else None
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not ok or not user.active:
        db.add(SignInAttempt(at=now, email=email[:254], ip=ip[:64]))
        db.commit()
        raise Unauthenticated(GENERIC_FAILURE)
    assert user.id is not None
    db.execute(delete(SignInAttempt).where(col(SignInAttempt.email) == email))
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
    actor = user_actor(user_id=user.id, label=user.email, role=Role(user.role))
    audit.record(db, actor, entity="user", entity_id=user.id, action="sign_in", changes={}, at=now)
    db.commit()
    return SignedIn(user=user, cookie_secret=cookie_secret, csrf_token=csrf_token)


@dataclass(frozen=True)
class ResolvedSession:
    actor: Actor
    user: User
    csrf_token: str


def resolve(db: Session, cookie_secret: str, *, now: datetime) -> ResolvedSession | None:
    web_session = db.get(WebSession, _hash(cookie_secret))
    if web_session is None or web_session.expires_at <= now:
        return None
    user = db.get(User, web_session.user_id)
    if user is None or not user.active or user.id is None:
        return None
    actor = user_actor(user_id=user.id, label=user.email, role=Role(user.role))
    return ResolvedSession(actor=actor, user=user, csrf_token=web_session.csrf_token)


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
