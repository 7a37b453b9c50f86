"""Use cases for users and tokens; sign-in lives in sessions.py."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, or_, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from domain import sync
from domain.accounts.policy import require
from domain.accounts.rules import (
    TOKEN_USE_GRAIN,
    Actor,
    Role,
    Scope,
    password_faults,
    scopes_beyond_role,
    token_actor,
)
from domain.accounts.schemas import TokenCreate, UserCreate, UserUpdate
from domain.accounts.tables import ApiToken, User, WebSession
from domain.audit import service as audit
from domain.audit.tables import AuditEvent
from domain.errors import Conflict, Invalid, NotFound, invalid
from domain.listing import Page, PageRequest, paginate
from domain.versioning import apply_changes, check_version

_hasher = PasswordHasher()
TOKEN_PREFIX = "ovs_"  # noqa: S105


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def get_user(db: Session, actor: Actor, user_id: int) -> User:
    require(actor, Scope.ADMIN)
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return user


def find_user_by_email(db: Session, email: str) -> User | None:
    return db.exec(select(User).where(User.email == email.strip().lower())).first()


def list_users(
    db: Session,
    actor: Actor,
    *,
    page: PageRequest,
    role: Role | None = None,
    active: bool | None = None,
) -> Page[User]:
    require(actor, Scope.ADMIN)
    stmt = select(User)
    if role is not None:
        stmt = stmt.where(User.role == role.value)
    if active is not None:
        stmt = stmt.where(User.active == active)
    return paginate(db, stmt, id_column=User.id, stamp_column=User.updated_at, page=page)


USER_FIELDS = ["email", "display_name", "role", "active"]
"""What a user's creation event records (never the password)."""


def add_user(
    db: Session, *, email: str, display_name: str, role: Role, password_hash: str, now: datetime
) -> User:
    """The new row, flushed so it has its id; the caller audits and commits."""
    if find_user_by_email(db, email) is not None:
        raise invalid("email", "a user with this email address already exists")
    user = User(
        email=email,
        display_name=display_name,
        role=role.value,
        password_hash=password_hash,
        active=True,
        created_at=now,
        updated_at=now,
    )
    db.add(user)
    db.flush()
    return user


def create_user(db: Session, actor: Actor, data: UserCreate, *, now: datetime) -> User:
    require(actor, Scope.ADMIN)
    user = add_user(
        db,
        email=data.email,
        display_name=data.display_name,
        role=data.role,
        password_hash=hash_password(data.password),
        now=now,
    )
    audit.created(db, actor, user, entity="user", fields=USER_FIELDS, at=now)
    db.commit()
    return user


def _active_admins(db: Session) -> int:
    stmt = (
        select(func.count())
        .select_from(User)
        .where(
            User.role == Role.ADMIN.value,
            User.active == True,  # noqa: E712
        )
    )
    return int(db.exec(stmt).one())


def _lock_admins(db: Session) -> None:
    """Changes that could remove an administrator queue on the admins' rows (always in id
    order, before the user's own row), so two admins demoting each other at once cannot
    both see the other one still there and leave none (PostgreSQL; SQLite's writers queue
    anyway)."""
    db.exec(
        select(User.id)
        .where(User.role == Role.ADMIN.value, User.active == True)  # noqa: E712
        .order_by(col(User.id))
        .with_for_update()
    ).all()


def update_user(
    db: Session,
    actor: Actor,
    user_id: int,
    data: UserUpdate,
    *,
    expected_version: int,
    now: datetime,
) -> User:
    """Change name, role or active flag. Deactivation ends the user's sessions at once."""
    require(actor, Scope.ADMIN)
    if data.role is not None or data.active is False:
        _lock_admins(db)
    user = db.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    check_version(user, expected_version)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "role" in changes:
        changes["role"] = changes["role"].value
    loses_admin = (
        user.role == Role.ADMIN.value
        and user.active
        and (changes.get("role", user.role) != Role.ADMIN.value or changes.get("active") is False)
    )
    if loses_admin and _active_admins(db) <= 1:
        raise Conflict("this is the last active administrator; make another one first")
    diff = apply_changes(user, changes, now=now)
    if diff:
        if "active" in diff and not user.active:
            end_sessions_of(db, user.id or 0)
        audit.record(
            db, actor, entity="user", entity_id=user_id, action="update", changes=diff, at=now
        )
    db.commit()
    return user


def set_password(db: Session, actor: Actor, user_id: int, password: str, *, now: datetime) -> User:
    """For the command line (`create-user --password-stdin`); the admin pages give people a
    reset link instead, so no administrator ever knows anyone's password."""
    require(actor, Scope.ADMIN)
    user = db.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    faults = password_faults(password, email=user.email)
    if faults:
        raise Invalid(faults)
    user.password_hash = hash_password(password)
    user.updated_at = now
    user.version += 1
    end_sessions_of(db, user_id)
    audit.record(
        db,
        actor,
        entity="user",
        entity_id=user_id,
        action="set_password",
        changes={"password_hash": {"before": None, "after": None}},
        at=now,
    )
    db.commit()
    return user


def end_sessions_of(db: Session, user_id: int) -> None:
    for web_session in db.exec(select(WebSession).where(WebSession.user_id == user_id)).all():
        db.delete(web_session)


def hash_secret(secret: str) -> str:
    """Token secrets carry 256 bits of randomness, so a plain SHA-256 is the right lookup key."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    db: Session, actor: Actor, data: TokenCreate, *, now: datetime
) -> tuple[ApiToken, str]:
    """Returns the token and its secret; the secret is never stored or shown again."""
    require(actor, Scope.ADMIN)
    scopes = frozenset(data.scopes)
    beyond = scopes_beyond_role(data.role, scopes)
    if beyond:
        names = ", ".join(sorted(s.value for s in beyond))
        raise invalid("scopes", f"the {data.role.value} role cannot have {names}")
    if data.user_id is not None:
        owner = db.get(User, data.user_id)
        if owner is None:
            raise invalid("user_id", f"no user with id {data.user_id}")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=data.name,
        role=data.role.value,
        scopes=sorted(s.value for s in scopes),
        user_id=data.user_id,
        secret_hash=hash_secret(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        expires_at=now + timedelta(days=data.expires_in_days) if data.expires_in_days else None,
        created_at=now,
        updated_at=now,
    )
    audit.created(
        db,
        actor,
        token,
        entity="token",
        fields=["name", "role", "scopes", "user_id", "prefix", "expires_at"],
        at=now,
    )
    db.commit()
    return token, secret


def get_token(db: Session, actor: Actor, token_id: int) -> ApiToken:
    require(actor, Scope.ADMIN)
    token = db.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no token with id {token_id}")
    return token


def list_tokens(db: Session, actor: Actor, *, page: PageRequest) -> Page[ApiToken]:
    require(actor, Scope.ADMIN)
    return paginate(
        db, select(ApiToken), id_column=ApiToken.id, stamp_column=ApiToken.updated_at, page=page
    )


def revoke_token(
    db: Session, actor: Actor, token_id: int, *, expected_version: int, now: datetime
) -> ApiToken:
    require(actor, Scope.ADMIN)
    token = db.get(ApiToken, token_id, with_for_update=True)
    if token is None:
        raise NotFound(f"no token with id {token_id}")
    check_version(token, expected_version)
    if token.revoked_at is not None:
        raise Conflict("this token is already revoked")
    diff = apply_changes(token, {"revoked_at": now}, now=now)
    audit.record(
        db, actor, entity="token", entity_id=token_id, action="revoke", changes=diff, at=now
    )
    db.commit()
    return token


def actor_for_token(db: Session, secret: str, *, now: datetime) -> Actor | None:
    """The Actor a bearer secret stands for, or None if unknown, revoked, expired or orphaned."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    found = select(ApiToken).where(ApiToken.secret_hash == hash_secret(secret))
    # Fresh from the row: the last-use stamp is written past the session's identity map.
    token = db.exec(found.execution_options(populate_existing=True)).first()
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.user_id is not None:
        owner = db.get(User, token.user_id)
        if owner is None or not owner.active:
            return None
    assert token.id is not None
    actor = token_actor(
        token_id=token.id,
        label=f"token:{token.name}",
        role=Role(token.role),
        scopes=frozenset(Scope(s) for s in token.scopes if s in Scope._value2member_map_),
        user_id=token.user_id,
    )
    _note_use(db, token.id, token.last_used_at, now=now)
    return actor


def _note_use(db: Session, token_id: int, last_used_at: datetime | None, *, now: datetime) -> None:
    """Stamp the token's last use, at most once per TOKEN_USE_GRAIN, so its page can say
    when an integration last called. Best effort: on SQLite the read this request began
    cannot always become a write while another writer is busy; that use then goes
    unrecorded and a later one records it. A plain UPDATE on the connection: not a change
    to the token (its version and `updated_at` stay), nor one that makes cached answers
    stale (domain.sync)."""
    if last_used_at is not None and now - last_used_at < TOKEN_USE_GRAIN:
        return
    stamp = (
        update(ApiToken)
        .where(col(ApiToken.id) == token_id)
        .values(last_used_at=now)
        .execution_options(**sync.NOT_A_CHANGE)
    )
    try:
        db.connection().execute(stamp)
        db.commit()
    except OperationalError:
        db.rollback()


@dataclass(frozen=True)
class AdminSummary:
    active_users: int
    active_tokens: int
    audit_events_today: int


def admin_summary(db: Session, actor: Actor, *, now: datetime) -> AdminSummary:
    """Counts for the admin's Home page, in three aggregate queries."""
    require(actor, Scope.ADMIN)
    count = func.count()
    users = db.exec(select(count).select_from(User).where(User.active == True)).one()  # noqa: E712
    tokens = db.exec(
        select(count)
        .select_from(ApiToken)
        .where(
            col(ApiToken.revoked_at).is_(None),
            or_(col(ApiToken.expires_at).is_(None), col(ApiToken.expires_at) > now),
        )
    ).one()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    events = db.exec(select(count).select_from(AuditEvent).where(AuditEvent.at >= midnight)).one()
    return AdminSummary(int(users), int(tokens), int(events))
