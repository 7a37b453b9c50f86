"""/actions: the filtered, sorted, paged list. Filters take the API's names, so the
"Download CSV" link is the same query against /api/v1/actions.

With htmx the filter form, the sort links and "Next page" swap only the `results` block of
the same template; without JavaScript each is an ordinary GET.

The force liaison's list is what the Force owes: with no query at all it opens on the
Force's open actions. Every filter in force, a default included, is a tag that removes it;
an empty value (`?q=`) says "no filter" where removing the last one would otherwise bring
the defaults back."""

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
from web.action_views import VARY
from web.dates import date_example
from web.forms import Form, filter_date
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
FLAGS = ("overdue", "outstanding")  # their tags say it all: "Overdue only"
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


def _param(value: Any) -> str | None:
    """A filter as the API spells it in a query string (dates ISO, flags true/false)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _describe(name: str, value: Any, names: dict[str, dict[str, str]]) -> str:
    """A chosen filter in words, for its "remove this filter" tag."""
    if name in names:
        return names[name].get(str(value), str(value))
    if name == "overdue":
        return "Overdue only" if value else "Not overdue"
    if name == "outstanding":
        return "Not done or cancelled" if value else "Done or cancelled"
    if isinstance(value, date):
        return value.strftime("%-d %B %Y")
    return f"“{value}”"


def _url(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urlencode(params)}" if params else path


NO_FILTER = {"q": ""}  # an explicit "no filter": keeps a role's defaults from coming back


def _defaults(actor: Actor, org_options: list[tuple[str, str]]) -> dict[str, str]:
    """The force liaison starts on what the Force owes: its organisation's open actions."""
    if not policy.force_only(actor):
        return {}
    owners = [code for code, _ in org_options]
    return {**({"owner_org": owners[0]} if len(owners) == 1 else {}), "outstanding": "true"}


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
    options = views.reference_options(db, actor)
    defaults = _defaults(actor, options["org_options"])
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
    if not request.url.query:
        raw |= defaults
    form = Form(values={k: (v or "").strip() for k, v in raw.items()}, labels=FILTER_LABELS)
    filters = action_queries.ActionFilters(
        status=_choice(raw["status"], "status", form, ActionStatus),
        owner_org=form.values["owner_org"] or None,
        area=form.values["area"] or None,
        source_type=_choice(raw["source_type"], "source_type", form, SourceType),
        overdue=_flag(raw["overdue"], "overdue", form),
        outstanding=_flag(raw["outstanding"], "outstanding", form),
        created_by=form.values["created_by"] or None,
        due_after=filter_date(form, "due_after", FILTER_LABELS["due_after"], raw["due_after"]),
        due_before=filter_date(form, "due_before", FILTER_LABELS["due_before"], raw["due_before"]),
        q=form.values["q"] or None,
        sort=sort if sort in action_queries.SORTS else None,
    )
    # The filters as the API spells them, dates in ISO form: the CSV link and every other
    # link on the page carry exactly these.
    kept = {
        name: text
        for name, value in vars(filters).items()
        if name in FILTER_LABELS and (text := _param(value)) is not None
    }
    order = {"sort": filters.sort} if filters.sort else {}
    short = views.short_names(db)
    people = action_queries.display_names(db, {filters.created_by} if filters.created_by else set())
    names = {
        "status": dict(views.STATUS_OPTIONS),
        "source_type": dict(views.source_options()),
        "owner_org": {code: short.get(code, name) for code, name in options["org_options"]},
        "area": dict(options["area_options"]),
        "created_by": {**people, actor.label: "You"},
    }

    def link(params: dict[str, str]) -> str:
        """The list with these parameters; with none, never the defaults put back on."""
        return _url("/actions", params or (NO_FILTER if defaults else {}))

    force = policy.force_only(actor)
    context: dict[str, Any] = {
        "form": form,
        "errors": form.error_summary,
        "filters": filters,
        "can_edit": policy.can_edit(actor),
        "heading": "Actions the Force owes" if force else "Actions",
        "intro": (
            "What the Force owes the OPCC, from boards, escalations, Community Days, complaint "
            "reviews and the Plan. It opens on the actions still to do: remove a filter to "
            "see the rest."
            if force
            else "Everything the OPCC tracks, from boards, escalations, Community Days, "
            "complaint reviews and the Plan, in one list."
        ),
        "status_options": views.STATUS_OPTIONS,
        "source_options": views.source_options(),
        "sort": filters.sort,
        "sort_name": SORT_NAMES.get(filters.sort or "", "when they were added"),
        "sort_url": lambda key: _url("/actions", {**kept, "sort": key}),
        "clear_url": link({}),
        "selected": [
            (
                "" if name in FLAGS else FILTER_LABELS[name],
                _describe(name, getattr(filters, name), names),
                link({**{k: v for k, v in kept.items() if k != name}, **order}),
            )
            for name in kept
        ],
        "views": views,
        "short_names": short,
        "actor_label": actor.label,
        "after_example": date_example(separator="/"),
        "before_example": date_example(30, separator="/"),
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
            "first_url": link({**kept, **order}),
            "next_url": _url("/actions", {**kept, **order, "cursor": page.next_cursor})
            if page.next_cursor
            else None,
            "csv_url": _url("/api/v1/actions", {"format": "csv", **kept}),
        }
    return render(request, "actions/list.html", context, block="results", headers=VARY)
