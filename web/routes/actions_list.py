"""/actions: the filtered, sorted, paged list. Filters take the API's names, so the
"Download CSV" link is the same query against /api/v1/actions.

With htmx the filter form, the sort links and "Next page" swap only the `results` block of
the same template; without JavaScript each is an ordinary GET."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts.rules import Actor
from domain.actions import policy
from domain.actions import queries as action_queries
from domain.actions.rules import ActionStatus, SourceType
from domain.listing import PageRequest
from web import action_views as views
from web.action_views import VARY, reference_options
from web.dates import parse_filter_date
from web.forms import Form
from web.templating import render

router = APIRouter()
Text = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")]
PAGE_SIZE = 25

FILTER_LABELS = {
    "status": "Status",
    "owner_org": "Owner",
    "area": "Area",
    "source_type": "Source",
    "overdue": "Overdue",
    "outstanding": "Not done or cancelled",
    "created_by": "Created by",
    "due_after": "Due on or after",
    "due_before": "Due before",
    "q": "Search",
}
SORT_NAMES = {
    "due_on": "due date, earliest first",
    "-due_on": "due date, latest first",
    "ref": "reference",
    "title": "title",
    "status": "status",
}


def _flag(value: str | None, name: str, form: Form) -> bool | None:
    if not value:
        return None
    if value in ("true", "false"):
        return value == "true"
    form.add(name, f"{FILTER_LABELS[name]} must be true or false")
    return None


def _choice(value: str | None, name: str, form: Form, choices: type[Any]) -> Any:
    if not value:
        return None
    try:
        return choices(value)
    except ValueError:
        form.add(name, f"Choose a {FILTER_LABELS[name].lower()} that is in the list")
        return None


def _filter_date(value: str | None, name: str, form: Form) -> date | None:
    if not value or not value.strip():
        return None
    try:
        return parse_filter_date(value)
    except ValueError:
        form.add(name, f"{FILTER_LABELS[name]} must be a real date, like 31/3/2024")
        return None


def _param(value: Any) -> str | None:
    """A filter as the API spells it in a query string (dates ISO, flags true/false)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _describe(
    name: str, value: Any, options: dict[str, list[tuple[str, str]]], actor: Actor
) -> str:
    """A chosen filter in words, for its "remove this filter" tag."""
    names = {
        "status": dict(views.STATUS_OPTIONS),
        "source_type": dict(views.SOURCE_OPTIONS),
        "owner_org": dict(options["org_options"]),
        "area": dict(options["area_options"]),
    }
    if name in names:
        return names[name].get(str(value), str(value))
    if name == "overdue":
        return "Overdue only" if value else "Not overdue"
    if name == "outstanding":
        return "Not done or cancelled" if value else "Done or cancelled"
    if name == "created_by":
        return "You" if value == actor.label else str(value)
    if isinstance(value, date):
        return value.strftime("%-d %B %Y")
    return f"“{value}”"


def _url(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urlencode(params)}" if params else path


@router.get("/actions")
def list_actions(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    status: Text = None,
    owner_org: Text = None,
    area: Text = None,
    source_type: Text = None,
    overdue: Text = None,
    outstanding: Text = None,
    created_by: Text = None,
    due_after: Text = None,
    due_before: Text = None,
    q: Text = None,
    sort: Text = None,
    cursor: Annotated[str | None, Query(max_length=500, pattern=r"^[^\x00]*$")] = None,
) -> Response:
    today = clock.today()
    raw = {
        "status": status,
        "owner_org": owner_org,
        "area": area,
        "source_type": source_type,
        "overdue": overdue,
        "outstanding": outstanding,
        "created_by": created_by,
        "due_after": due_after,
        "due_before": due_before,
        "q": q,
    }
    form = Form(values={k: (v or "").strip() for k, v in raw.items()}, labels=FILTER_LABELS)
    filters = action_queries.ActionFilters(
        status=_choice(status, "status", form, ActionStatus),
        owner_org=(owner_org or "").strip() or None,
        area=(area or "").strip() or None,
        source_type=_choice(source_type, "source_type", form, SourceType),
        overdue=_flag(overdue, "overdue", form),
        outstanding=_flag(outstanding, "outstanding", form),
        created_by=(created_by or "").strip() or None,
        due_after=_filter_date(due_after, "due_after", form),
        due_before=_filter_date(due_before, "due_before", form),
        q=(q or "").strip() or None,
        sort=sort if sort in action_queries.SORTS else None,
    )
    # The filters as the API spells them, dates in ISO form: the CSV link and every other
    # link on the page carry exactly these.
    kept = {
        name: text
        for name, value in vars(filters).items()
        if name in FILTER_LABELS and (text := _param(value)) is not None
    }
    options = reference_options(db)
    order = {"sort": filters.sort} if filters.sort else {}
    context: dict[str, Any] = {
        "form": form,
        "errors": form.error_summary,
        "filters": filters,
        "can_edit": policy.can_edit(actor),
        "status_options": views.STATUS_OPTIONS,
        "source_options": views.SOURCE_OPTIONS,
        "sort": filters.sort,
        "sort_name": SORT_NAMES.get(filters.sort or "", "when they were added"),
        "sort_url": lambda key: _url("/actions", {**kept, "sort": key}),
        "clear_url": "/actions",
        "selected": [
            (
                FILTER_LABELS[name],
                _describe(name, getattr(filters, name), options, actor),
                _url("/actions", {**{k: v for k, v in kept.items() if k != name}, **order}),
            )
            for name in kept
        ],
        "views": views,
        "actor_label": actor.label,
        **options,
    }
    if not form.errors:
        page = action_queries.list_actions(
            db,
            actor,
            filters=filters,
            page=PageRequest(limit=PAGE_SIZE, cursor=cursor),
            today=today,
        )
        context |= {
            "rows": page.items,
            "total": action_queries.count_actions(db, actor, filters, today=today),
            "first_page": cursor is None,
            "first_url": _url("/actions", {**kept, **order}),
            "next_url": _url("/actions", {**kept, **order, "cursor": page.next_cursor})
            if page.next_cursor
            else None,
            "csv_url": _url("/api/v1/actions", {"format": "csv", **kept}),
        }
    return render(request, "actions/list.html", context, block="results", headers=VARY)
