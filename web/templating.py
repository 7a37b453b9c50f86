"""Jinja2 with block rendering: htmx asks for a named block, everyone else the page."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup, escape
from starlette.responses import Response

from domain.accounts.rules import ROLE_LABELS, ActorKind
from domain.config import PROJECT_ROOT
from web.action_views import due_tags
from web.admin import Tag
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
# Read once per process: checking every template's (and every import's) modification time
# on every render cost a twentieth of a page's time (README, "Performance"). Restart the
# server to see a template change.
templates.env.auto_reload = False


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


def _tag(tag: Tag | None, extra: str = "") -> Markup:
    """A status tag (nothing for None). A function, not a macro: tables show one or two on
    every row, and a Jinja macro call costs many times a Python call (so does
    Markup.format: an f-string over escaped parts is the same markup at a fifth of it)."""
    if tag is None:
        return Markup("")
    classes = f"{tag.classes} {extra}" if extra else tag.classes
    return Markup(f'<strong class="{escape(classes)}">{escape(tag.text)}</strong>')  # noqa: S704 (escaped)


def _due(on: date, overdue: bool, due_soon: bool, short: bool = False) -> Markup:
    """A due date with its Overdue / Due soon tag; `short` ("4 Nov 2026") for tables."""
    shown = on.strftime("%-d %b %Y") if short else _day(on)
    tags = "".join(f" {_tag(t)}" for t in due_tags(overdue, due_soon))
    return Markup(f"{escape(shown)}{tags}")  # noqa: S704 (escaped, and tags are markup)


GOVUK_MACROS = {
    "input": "govukInput",
    "select": "govukSelect",
    "checkboxes": "govukCheckboxes",
    "radios": "govukRadios",
}
_RENDERED_LIMIT = 4096
_rendered: dict[tuple[str, Hashable], Markup] = {}


def _frozen(value: Any) -> Hashable:
    """A component's parameters as a key: Markup apart from str (it is not escaped) and
    True apart from 1, since either would render differently."""
    if isinstance(value, dict):
        return ("dict", *((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return ("list", *(_frozen(item) for item in value))
    return (type(value), value)


def _govuk(component: str, params: dict[str, Any]) -> Markup:
    """GOV.UK Frontend's own macro for `component`, rendered once per distinct set of
    parameters. A filter form's selects and inputs are the same on every visit, and the
    macros, many nested calls each, were a fifth of the Actions list's time (README,
    "Performance"); the markup is still GOV.UK's, not a copy of it."""
    key = (component, _frozen(params))
    try:
        found = _rendered.get(key)
    except TypeError:  # a parameter that cannot be a key: render it every time
        return _govuk_markup(component, params)
    if found is None:
        found = _govuk_markup(component, params)
        if len(_rendered) >= _RENDERED_LIMIT:  # a crude bound: typed search words vary
            _rendered.clear()
        _rendered[key] = found
    return found


def _govuk_markup(component: str, params: dict[str, Any]) -> Markup:
    """A template macro returns Markup already: its own escaping made it."""
    path = f"govuk_frontend_jinja/components/{component}/macro.html"
    macro = getattr(templates.env.get_template(path).module, GOVUK_MACROS[component])
    rendered: Markup = macro(params)
    return rendered


templates.env.globals["date_example"] = date_example
templates.env.globals["tag"] = _tag
templates.env.globals["due"] = _due
templates.env.globals["govuk"] = _govuk
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
