"""Sign in, sign out, and set a new password with a reset link (GOV.UK patterns). Public
routes: listed in web/router.py."""

from __future__ import annotations

import hmac
import os
import secrets
from datetime import timedelta
from functools import cache, partial
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import RedirectResponse, Response

from api.auth import (
    ANON_CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentActor,
    DbSession,
    database,
    submitted_csrf_token,
)
from domain import clock
from domain.accounts import passwords, sessions
from domain.accounts.rules import (
    MIN_PASSWORD_LENGTH,
    ResetLinkState,
    SignInLimits,
)
from domain.errors import Conflict, Forbidden, Invalid, RateLimited, Unauthenticated
from web.flash import set_flash
from web.forms import Form, FormValues
from web.templating import render

router = APIRouter()
public_router = APIRouter()


def _secure(request: Request) -> bool:
    return not request.app.state.settings.is_development


def _safe_next(value: object) -> str:
    """Only local paths, so the form cannot be used to bounce people elsewhere."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
        return value
    return "/"


def _with_anonymous_csrf(request: Request, response: Response, token: str) -> Response:
    """Forms for people not signed in: the token in the form must match this cookie."""
    response.set_cookie(
        ANON_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        max_age=3600,
    )
    return response


def _check_anonymous_csrf(request: Request, submitted: str) -> str:
    expected = request.cookies.get(ANON_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(submitted, expected):
        raise Forbidden("the form has expired or did not come from this site; reload and try again")
    return expected


def _sign_in_page(request: Request, form: Form, token: str, *, status_code: int = 200) -> Response:
    response = render(
        request,
        "pages/sign_in.html",
        {
            "form": form,
            "errors": form.error_summary,
            "csrf_token": token,
            "next": _safe_next(request.query_params.get("next") or form.value("next")),
        },
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )
    return _with_anonymous_csrf(request, response, token)


@public_router.get("/sign-in", include_in_schema=False)
def sign_in_page(request: Request) -> Response:
    token = request.cookies.get(ANON_CSRF_COOKIE) or secrets.token_urlsafe(32)
    return _sign_in_page(request, Form(), token)


# Sign-ins hash passwords (argon2: a fifth of a second of CPU and 64 MiB each), so only a
# few run at once and in worker threads; a burst queues here instead of filling the thread
# pool every other request needs, or blocking the event loop.
_PASSWORD_CHECKS = max(2, os.cpu_count() or 2)


@cache
def _limiter() -> anyio.CapacityLimiter:
    """Made on first use: an anyio limiter needs a running event loop."""
    return anyio.CapacityLimiter(_PASSWORD_CHECKS)


@public_router.post("/sign-in", include_in_schema=False)
async def sign_in(
    request: Request,
    values: FormValues,
    submitted: Annotated[str, Depends(submitted_csrf_token)],
) -> Response:
    """Async only to hand the work to a bounded set of threads (see _PASSWORD_CHECKS)."""
    attempt = partial(_sign_in, request, values, submitted)
    return await anyio.to_thread.run_sync(attempt, limiter=_limiter())


def _sign_in(request: Request, values: dict[str, Any], submitted: str) -> Response:
    expected = _check_anonymous_csrf(request, submitted)
    form = Form(values={"email": values.get("email", ""), "next": values.get("next", "")})
    email = str(values.get("email", "")).strip()
    password = str(values.get("password", ""))
    if not email:
        form.add("email", "Enter your email address")
    if not password:
        form.add("password", "Enter your password")
    if form.errors:
        return _sign_in_page(request, form, expected, status_code=422)
    settings = request.app.state.settings
    try:
        signed_in = sessions.sign_in(
            database(request),
            email=email,
            password=password,
            ip=request.client.host if request.client else "unknown",
            now=clock.now(),
            limits=SignInLimits(
                per_account=settings.sign_in_limit_per_account,
                per_ip=settings.sign_in_limit_per_ip,
                per_account_all_addresses=settings.sign_in_limit_per_account_all_addresses,
                window=timedelta(minutes=settings.sign_in_window_minutes),
            ),
            session_length=timedelta(hours=settings.session_hours),
            replacing=request.cookies.get(SESSION_COOKIE),
        )
    except Unauthenticated as exc:
        form.add("email", exc.detail)
        return _sign_in_page(request, form, expected, status_code=401)
    except RateLimited as exc:
        form.add("email", exc.detail)
        response = _sign_in_page(request, form, expected, status_code=429)
        response.headers["Retry-After"] = str(exc.retry_after_seconds)
        return response
    response = RedirectResponse(_safe_next(values.get("next")), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed_in.cookie_secret,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    response.delete_cookie(ANON_CSRF_COOKIE)
    return response


@router.post("/sign-out", include_in_schema=False)
def sign_out(request: Request, db: DbSession, actor: CurrentActor, values: FormValues) -> Response:
    everywhere = values.get("everywhere") == "yes"
    cookie = request.cookies.get(SESSION_COOKIE, "")
    sessions.sign_out(db, actor, cookie, everywhere=everywhere, now=clock.now())
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    set_flash(
        request,
        response,
        "You have signed out on every device" if everywhere else "You have signed out",
    )
    return response


ResetCode = Annotated[str, Path(max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
RESET_LABELS = {"password": "New password", "confirmation": "Confirm new password"}


def _reset_page(
    request: Request,
    link: passwords.ResetLink,
    form: Form,
    *,
    status_code: int = 200,
) -> Response:
    """The form while the link works; otherwise a page that says why not and what to do
    (an answer, not an error: the person followed the link they were given)."""
    usable = link.state is ResetLinkState.USABLE
    token = request.cookies.get(ANON_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(
        request,
        "admin/reset_password.html",
        {
            "link": link,
            "usable": usable,
            "state": link.state.value,
            "form": form,
            "errors": form.error_summary,
            "csrf_token": token,
            "min_length": MIN_PASSWORD_LENGTH,
        },
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )
    return _with_anonymous_csrf(request, response, token) if usable else response


@public_router.get("/reset-password/{code}", include_in_schema=False)
def reset_password_page(request: Request, db: DbSession, code: ResetCode) -> Response:
    """`code` is the link's secret: whoever holds the link may use it."""
    link = passwords.find_reset_link(db, code, now=clock.now())
    return _reset_page(request, link, Form(labels=RESET_LABELS))


@public_router.post("/reset-password/{code}", include_in_schema=False)
def reset_password(
    request: Request,
    db: DbSession,
    code: ResetCode,
    values: FormValues,
    submitted: Annotated[str, Depends(submitted_csrf_token)],
) -> Response:
    """Every fault of the new password at once; a link that stopped working meanwhile (used
    in another tab, expired) shows why. Passwords are never sent back to the page."""
    _check_anonymous_csrf(request, submitted)
    form = Form(labels=RESET_LABELS)
    now = clock.now()
    try:
        passwords.reset_password(
            db,
            code,
            password=str(values.get("password", "")),
            confirmation=str(values.get("confirmation", "")),
            now=now,
        )
    except Invalid as exc:
        db.rollback()
        form.add_invalid(exc)
        link = passwords.find_reset_link(db, code, now=now)
        return _reset_page(request, link, form, status_code=422)
    except Conflict:
        db.rollback()
        return _reset_page(request, passwords.find_reset_link(db, code, now=now), form)
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(ANON_CSRF_COOKIE)
    set_flash(request, response, "Your password has been changed. Sign in with your new password")
    return response
