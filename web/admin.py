"""What every admin page shares: the admin-only gate, the record version a form carries,
the page cursor, the words on status tags, and the cookie a new secret is shown with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import HTTPException, Request
from starlette.responses import Response

from api.auth import CurrentActor
from domain.accounts.policy import require
from domain.accounts.rules import SECRET_REVEAL_LIFETIME, Actor, Scope
from domain.listing import DEFAULT_LIMIT, PageRequest


async def require_admin(actor: CurrentActor) -> Actor:
    """Attached to every admin router, so pages that call no service (blank forms) are
    refused too; the services check the same scope again."""
    require(actor, Scope.ADMIN)
    return actor


def form_version(values: dict[str, Any]) -> int:
    """The record version a form was rendered with (its hidden `version` field)."""
    raw = values.get("version", "")
    try:
        version = int(raw) if isinstance(raw, str) else 0
    except ValueError:
        version = 0
    if version < 1:
        raise HTTPException(428, "this change needs the record's version; reload the page")
    return version


def page_request(cursor: str | None, *, newest_first: bool = False) -> PageRequest:
    return PageRequest(limit=DEFAULT_LIMIT, cursor=cursor or None, newest_first=newest_first)


def stale_message(what: str) -> str:
    return (
        f"Someone else changed this {what} while you were looking at it. Nothing was saved. "
        "Check the current details and make your change again"
    )


@dataclass(frozen=True)
class Tag:
    """A status tag: always words, colour only as a second signal."""

    text: str
    colour: str

    @property
    def classes(self) -> str:
        return f"govuk-tag govuk-tag--{self.colour}"


ACTIVE = Tag("Active", "green")
INACTIVE = Tag("Inactive", "grey")
REVOKED = Tag("Revoked", "red")
EXPIRED = Tag("Expired", "grey")


def active_tag(active: bool) -> Tag:
    return ACTIVE if active else INACTIVE


def token_tag(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> Tag:
    if revoked_at is not None:
        return REVOKED
    if expires_at is not None and expires_at <= now:
        return EXPIRED
    return ACTIVE


REVEAL_COOKIE = "oversight_reveal"


def hold_reveal_key(request: Request, response: Response, path: str, key: str) -> None:
    """The key to a new secret (domain.accounts.reveals) rides in a cookie that only the
    page at `path` receives: never in an address, so never in history or a server log."""
    response.set_cookie(
        REVEAL_COOKIE,
        key,
        max_age=int(SECRET_REVEAL_LIFETIME.total_seconds()),
        path=path,
        httponly=True,
        samesite="strict",
        secure=not request.app.state.settings.is_development,
    )


def reveal_key(request: Request) -> str | None:
    return request.cookies.get(REVEAL_COOKIE)


def drop_reveal_key(request: Request, response: Response, path: str) -> None:
    response.delete_cookie(
        REVEAL_COOKIE,
        path=path,
        httponly=True,
        samesite="strict",
        secure=not request.app.state.settings.is_development,
    )


def sentence(message: str) -> str:
    """A domain message ("this token is already revoked") as a sentence on the page."""
    return message[:1].upper() + message[1:]
