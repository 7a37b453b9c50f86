"""People set their own passwords: an administrator issues a one-time link (when adding a
user, or when someone has forgotten theirs) and the person chooses the password on the page
it opens. No administrator ever types or knows anyone's password.

A link works once, for PASSWORD_RESET_LIFETIME; only the hash of its secret is stored, as
for API tokens. Issuing a new link for someone cancels their earlier unused one. Issuing
and using a link are both audited."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from domain.accounts.policy import require
from domain.accounts.rules import (
    PASSWORD_RESET_LIFETIME,
    Actor,
    ResetLinkState,
    Role,
    Scope,
    password_faults,
    reset_link_state,
    user_actor,
)
from domain.accounts.schemas import UserInvite
from domain.accounts.service import (
    USER_FIELDS,
    add_user,
    end_sessions_of,
    hash_password,
    hash_secret,
)
from domain.accounts.tables import PasswordReset, User
from domain.audit import service as audit
from domain.errors import Conflict, Invalid, NotFound
from domain.versioning import snapshot

EXPIRY_FIELD = "password_reset_link_expires_at"


def _new_link(db: Session, user_id: int, *, now: datetime) -> tuple[str, datetime]:
    """A fresh link for the person, replacing any they have not used yet."""
    db.execute(
        delete(PasswordReset).where(
            col(PasswordReset.user_id) == user_id, col(PasswordReset.used_at).is_(None)
        )
    )
    secret = secrets.token_urlsafe(32)
    expires_at = now + PASSWORD_RESET_LIFETIME
    db.add(
        PasswordReset(
            user_id=user_id, secret_hash=hash_secret(secret), created_at=now, expires_at=expires_at
        )
    )
    return secret, expires_at


def invite_user(db: Session, actor: Actor, data: UserInvite, *, now: datetime) -> tuple[User, str]:
    """Add a user with no usable password and the link to set one (one creation event, which
    says until when the link works)."""
    require(actor, Scope.ADMIN)
    user = add_user(
        db,
        email=data.email,
        display_name=data.display_name,
        role=data.role,
        # Nobody knows this password: the person sets theirs with the link.
        password_hash=hash_password(secrets.token_urlsafe(32)),
        now=now,
    )
    assert user.id is not None
    secret, expires_at = _new_link(db, user.id, now=now)
    changes = {
        **snapshot(user, USER_FIELDS),
        EXPIRY_FIELD: {"before": None, "after": expires_at.isoformat()},
    }
    audit.record(
        db, actor, entity="user", entity_id=user.id, action="create", changes=changes, at=now
    )
    db.commit()
    return user, secret


def issue_reset_link(db: Session, actor: Actor, user_id: int, *, now: datetime) -> tuple[User, str]:
    """A new link for someone who cannot sign in. Their current password keeps working until
    they use it, so issuing one locks nobody out."""
    require(actor, Scope.ADMIN)
    user = db.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    if not user.active:
        raise Conflict("this user is deactivated: reactivate them before sending a reset link")
    secret, expires_at = _new_link(db, user_id, now=now)
    audit.record(
        db,
        actor,
        entity="user",
        entity_id=user_id,
        action="issue_password_reset",
        changes={EXPIRY_FIELD: {"before": None, "after": expires_at.isoformat()}},
        at=now,
    )
    db.commit()
    return user, secret


@dataclass(frozen=True)
class ResetLink:
    """What the link's page needs: whether it works, and whose password it sets."""

    state: ResetLinkState
    user: User | None
    expires_at: datetime | None


def _find(db: Session, secret: str, *, lock: bool) -> PasswordReset | None:
    stmt = select(PasswordReset).where(PasswordReset.secret_hash == hash_secret(secret))
    return db.exec(stmt.with_for_update() if lock else stmt).first()


def find_reset_link(db: Session, secret: str, *, now: datetime) -> ResetLink:
    """Anyone may ask: the secret itself is the credential."""
    found = _find(db, secret, lock=False)
    user = db.get(User, found.user_id) if found else None
    if found is None or user is None or not user.active:
        return ResetLink(ResetLinkState.NOT_VALID, None, None)
    state = reset_link_state(used_at=found.used_at, expires_at=found.expires_at, now=now)
    return ResetLink(state, user, found.expires_at)


def reset_password(
    db: Session, secret: str, *, password: str, confirmation: str, now: datetime
) -> User:
    """Set the person's new password with their link: the link is then used up, and every
    session they had ends. Raises Invalid naming every fault of the password at once, or
    Conflict when the link no longer works (used, expired, replaced)."""
    found = _find(db, secret, lock=True)
    user = db.get(User, found.user_id, with_for_update=True) if found else None
    if found is None or user is None or not user.active:
        raise Conflict("this link is not valid")
    state = reset_link_state(used_at=found.used_at, expires_at=found.expires_at, now=now)
    if state is not ResetLinkState.USABLE:
        raise Conflict(f"this link is {state.value.replace('_', ' ')}")
    faults = password_faults(password, email=user.email, confirmation=confirmation)
    if faults:
        raise Invalid(faults)
    assert user.id is not None
    user.password_hash = hash_password(password)
    user.updated_at = now
    user.version += 1
    found.used_at = now
    end_sessions_of(db, user.id)
    # The person acts for themselves: the event names them, as a sign-in does.
    actor = user_actor(user_id=user.id, label=user.email, role=Role(user.role))
    audit.record(
        db,
        actor,
        entity="user",
        entity_id=user.id,
        action="reset_password",
        changes={"password_hash": {"before": None, "after": None}},
        at=now,
    )
    db.commit()
    return user
