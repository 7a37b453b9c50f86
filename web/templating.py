"""Jinja2 with block rendering: htmx asks for a named block, everyone else the page."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.responses import Response

from domain.accounts.rules import ROLE_LABELS, ActorKind
from domain.config import PROJECT_ROOT
from web.dates import date_example
from web.flash import FLASH_COOKIE, read_flash
from web.nav import navigation_for

TEMPLATE_DIR = PROJECT_ROOT / "web" / "templates"
LONDON = ZoneInfo("Europe/London")

templates = Jinja2Blocks(directory=str(TEMPLATE_DIR))
templates.env.loader = ChoiceLoader(
    [
        FileSystemLoader(str(TEMPLATE_DIR)),
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}),
    ]
)
templates.env.autoescape = True


def _when(value: datetime | None) -> str:
    if value is None:
        return ""
    return (
        value.astimezone(LONDON)
        .strftime("%-d %B %Y at %-I:%M%p")
        .replace("AM", "am")
        .replace("PM", "pm")
    )


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return value.strftime("%-d %B %Y")


def _option_item(option: tuple[Any, str], current: str) -> dict[str, Any]:
    value, text = option
    return {"value": value, "text": text, "selected": str(value) == str(current)}


def _checkbox_item(option: tuple[Any, str], chosen: list[str]) -> dict[str, Any]:
    value, text = option
    return {"value": value, "text": text, "checked": str(value) in [str(c) for c in chosen]}


templates.env.globals["date_example"] = date_example
templates.env.filters["when"] = _when
templates.env.filters["day"] = _day
templates.env.filters["option_item"] = _option_item
templates.env.filters["checkbox_item"] = _checkbox_item


def is_htmx(request: Request) -> bool:
    """htmx swapping part of a page; a history restore (back button, cache miss) wants it all."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true" and headers.get("hx-history-restore-request") != "true"
    )


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The page, or just `block` of it when htmx asked (same template either way)."""
    actor = getattr(request.state, "actor", None)
    settings = request.app.state.settings
    block_name = block if block and is_htmx(request) else None
    full_context = {
        "request": request,
        "actor": actor,
        "org_name": settings.org_name,
        "navigation": navigation_for(actor, request.url.path),
        "csrf_token": getattr(request.state, "csrf_token", None) or "",
        "role_label": ROLE_LABELS.get(actor.role, "") if actor and actor.role else "",
        "person_name": (actor.name or actor.label)
        if actor is not None and actor.kind is ActorKind.USER
        else "",
        "flash": read_flash(request),
        **(context or {}),
    }
    response: Response = templates.TemplateResponse(
        request,
        template,
        full_context,
        status_code=status_code,
        headers=headers,
        block_name=block_name,
    )
    if FLASH_COOKIE in request.cookies and block_name is None:
        response.delete_cookie(FLASH_COOKIE)
    return response
