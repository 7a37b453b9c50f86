"""A new secret shown once, after the redirect: forms that make a secret (an API token, a
password reset link) POST, redirect, and the page the browser lands on shows the secret
from here, once. Refreshing that page cannot make a second token, and cannot show the
secret again either.

The key that unlocks a secret is made here and handed to the administrator's browser alone
(the web keeps it in a short-lived cookie); the database holds only the key's hash and the
secret masked with a keystream drawn from the key (SHAKE-256; each key masks one secret,
once). So a copy of the database never gives a secret away, and a row is deleted as it is
shown, or is useless once SECRET_REVEAL_LIFETIME has passed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete
from sqlmodel import Session, col

from domain.accounts.policy import require
from domain.accounts.rules import SECRET_REVEAL_LIFETIME, Actor, Scope
from domain.accounts.tables import SecretReveal
from domain.errors import Forbidden

_CONTEXT = b"oversight secret reveal\x00"


class RevealKind(StrEnum):
    API_TOKEN = "api_token"  # noqa: S105
    PASSWORD_RESET = "password_reset"  # noqa: S105


def _row_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()


def _mask(data: bytes, key: bytes) -> bytes:
    stream = hashlib.shake_256(_CONTEXT + key).digest(len(data))
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def keep(
    db: Session, actor: Actor, *, kind: RevealKind, subject_id: int, secret: str, now: datetime
) -> str:
    """Hold `secret` for this administrator to see once; returns the key only their browser
    keeps. Clears out reveals nobody came back for."""
    require(actor, Scope.ADMIN)
    if actor.user_id is None:
        raise Forbidden("only a signed-in administrator can be shown a new secret")
    db.execute(delete(SecretReveal).where(col(SecretReveal.expires_at) <= now))
    key = secrets.token_bytes(32)
    db.add(
        SecretReveal(
            id=_row_id(key),
            kind=kind.value,
            subject_id=subject_id,
            shown_to=actor.user_id,
            masked=_encode(_mask(secret.encode(), key)),
            created_at=now,
            expires_at=now + SECRET_REVEAL_LIFETIME,
        )
    )
    db.commit()
    return _encode(key)


def take(
    db: Session,
    actor: Actor,
    *,
    kind: RevealKind,
    subject_id: int,
    key: str | None,
    now: datetime,
) -> str | None:
    """The secret, once: its row is deleted as it is read. None when there is nothing to
    show: already shown, expired, or not this administrator's."""
    require(actor, Scope.ADMIN)
    raw = _decode(key) if key else None
    if not raw:
        return None
    reveal = db.get(SecretReveal, _row_id(raw), with_for_update=True)
    if (
        reveal is None
        or reveal.kind != kind.value
        or reveal.subject_id != subject_id
        or reveal.shown_to != actor.user_id
    ):
        return None
    db.delete(reveal)
    db.commit()
    if reveal.expires_at <= now:
        return None
    masked = _decode(reveal.masked) or b""
    return _mask(masked, raw).decode()
