"""/engagements: the filtered list (kind, area, NPA, from, to; a count, pages and the CSV of
exactly those rows) and its month calendar (?view=calendar&month=2024-02); the engagement
page (/engagements/{id}): the visit, named contacts for OPCC people only, each issue with its
actions, their status and what the public were told; and closing the loop on one of its
actions (/engagements/{id}/actions/{action_id}/loop).

The filter form and "Next page" swap only the `results` block with htmx; without JavaScript
each is an ordinary GET. The loop form POST-redirect-GETs."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts.rules import Actor, Scope
from domain.engagement import policy, rules
from domain.engagement import service as engagement
from domain.engagement.rules import EngagementKind, LineOutcome
from domain.engagement.schemas import LoopClosing
from domain.errors import Invalid, NotFound, StaleVersion
from domain.listing import PageRequest
from web import action_views
from web.action_views import VARY
from web.admin import form_version, stale_message
from web.dates import date_fields, read_date
from web.forms import GENERAL, Form, FormValues, filter_date
from web.routes import engagement_common as common
from web.templating import render

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")]
Cursor = Annotated[str | None, Query(max_length=500, pattern=r"^[^\x00]*$")]
PAGE_SIZE = 25
FILTER_LABELS = {
    "kind": "Kind",
    "area": "Area",
    "npa": "Neighbourhood Policing Area",
    "from": "From",
    "to": "To",
}
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
WEEKDAYS = [
    ("Mon", "Monday"),
    ("Tue", "Tuesday"),
    ("Wed", "Wednesday"),
    ("Thu", "Thursday"),
    ("Fri", "Friday"),
    ("Sat", "Saturday"),
    ("Sun", "Sunday"),
]


def _url(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urlencode(params)}" if params else path


# ---------------------------------------------------------------------------------------------
# The list and the calendar


@dataclass(frozen=True)
class CalendarDay:
    day: date
    in_month: bool
    today: bool
    engagements: list[Any]


def _month(value: str | None, form: Form, today: date) -> date:
    if value:
        found = MONTH.match(value.strip())
        if found and 1 <= int(found.group(2)) <= 12 and 2000 <= int(found.group(1)) <= 2100:
            return date(int(found.group(1)), int(found.group(2)), 1)
        form.add("month", "Month must be a year and month, like 2024-02")
    return today.replace(day=1)


def _weeks(month: date, shown: list[Any], today: date) -> list[list[CalendarDay]]:
    by_day: dict[date, list[Any]] = {}
    for e in shown:
        by_day.setdefault(e.held_on, []).append(e)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month):
        weeks.append(
            [CalendarDay(d, d.month == month.month, d == today, by_day.get(d, [])) for d in week]
        )
    return weeks


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _calendar(request: Request, db: Session, actor: Actor, month_param: str | None) -> Response:
    today = clock.today()
    form = Form(values={"month": month_param or ""})
    month = _month(month_param, form, today)
    shown = engagement.calendar_month(db, actor, month=month)
    previous, following = _shift(month, -1), _shift(month, 1)
    return render(
        request,
        "engagement/calendar.html",
        {
            "form": form,
            "errors": form.error_summary,
            "month": month,
            "month_name": month.strftime("%B %Y"),
            "weeks": _weeks(month, shown, today),
            "count": len(shown),
            "weekdays": WEEKDAYS,
            "previous": (
                previous.strftime("%B %Y"),
                f"/engagements?view=calendar&month={previous:%Y-%m}",
            ),
            "following": (
                following.strftime("%B %Y"),
                f"/engagements?view=calendar&month={following:%Y-%m}",
            ),
            "this_month": f"/engagements?view=calendar&month={today:%Y-%m}",
            "can_write": policy.can_write(actor),
            "section": "calendar",
        },
        block="calendar",
        headers=VARY,
    )


@router.get("/engagements")
def list_engagements(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    kind: Text = None,
    area: Text = None,
    npa: Text = None,
    from_: Annotated[str | None, Query(alias="from", max_length=200, pattern=r"^[^\x00]*$")] = None,
    to: Text = None,
    view: Text = None,
    month: Text = None,
    cursor: Cursor = None,
) -> Response:
    policy.check_can_read(actor)
    if view == "calendar":
        return _calendar(request, db, actor, month)
    opts = common.options(db)
    raw = {"kind": kind, "area": area, "npa": npa, "from": from_, "to": to}
    form = Form(values={k: (v or "").strip() for k, v in raw.items()}, labels=FILTER_LABELS)
    chosen_kind: EngagementKind | None = None
    if form.values["kind"]:
        try:
            chosen_kind = EngagementKind(form.values["kind"])
        except ValueError:
            form.add("kind", "Choose a kind that is in the list")
    for name, choices in (("area", opts.areas), ("npa", opts.npas)):
        if form.values[name] and form.values[name] not in dict(choices):
            form.add(
                name, f"Choose {'an area' if name == 'area' else 'an NPA'} that is in the list"
            )
    start = filter_date(form, "from", FILTER_LABELS["from"], from_)
    end = filter_date(form, "to", FILTER_LABELS["to"], to)
    if start and end and start > end:
        form.add("to", "To must be on or after from")
    kept = {
        name: value
        for name, value in (
            ("kind", form.values["kind"]),
            ("area", form.values["area"]),
            ("npa", form.values["npa"]),
            ("from", start.isoformat() if start else ""),
            ("to", end.isoformat() if end else ""),
        )
        if value
    }
    names = {
        "kind": dict(common.KIND_OPTIONS),
        "area": dict(opts.areas),
        "npa": dict(opts.npas),
    }
    context: dict[str, Any] = {
        "form": form,
        "errors": form.error_summary,
        "can_write": policy.can_write(actor),
        "section": "list",
        "common": common,
        **opts.as_context(),
        "selected": [
            (
                FILTER_LABELS[name],
                names[name].get(value, value)
                if name in names
                else date.fromisoformat(value).strftime("%-d %B %Y"),
                _url("/engagements", {k: v for k, v in kept.items() if k != name}),
            )
            for name, value in kept.items()
        ],
    }
    if not form.errors:
        filters: dict[str, Any] = {
            "kind": chosen_kind,
            "area": kept.get("area"),
            "npa": kept.get("npa"),
            "from_": start,
            "to": end,
        }
        page = engagement.list_engagements(
            db, actor, **filters, page=PageRequest(limit=PAGE_SIZE, cursor=cursor)
        )
        context |= {
            "rows": page.items,
            "total": engagement.count_engagements(db, actor, **filters),
            "first_page": cursor is None,
            "first_url": _url("/engagements", kept),
            "next_url": _url("/engagements", {**kept, "cursor": page.next_cursor})
            if page.next_cursor
            else None,
            "csv_url": _url("/api/v1/engagements", {"format": "csv", **kept}),
        }
    return render(request, "engagement/list.html", context, block="results", headers=VARY)


# ---------------------------------------------------------------------------------------------
# The engagement page


@router.get("/engagements/{engagement_id}")
def show_engagement(
    request: Request, db: DbSession, actor: CurrentActor, engagement_id: Id
) -> Response:
    shown = engagement.get_engagement(db, actor, engagement_id, today=clock.today())
    return render(
        request,
        "engagement/show.html",
        {
            "shown": shown,
            "contacts": policy.sees_named_contacts(actor)
            and getattr(shown, "named_contacts", None) is not None,
            "can_write": policy.can_write(actor),
            "can_read_actions": actor.can(Scope.READ_ACTIONS),
            "common": common,
            "views": action_views,
        },
    )


# ---------------------------------------------------------------------------------------------
# Closing the loop on one action

LOOP_LABELS = {
    "told_on": "Date they were told",
    "line": "Public line",
    "outcome": "Outcome",
    "reason": "Why it is not being done",
}


def _action_of(shown: Any, action_id: int) -> tuple[Any, Any]:
    for issue in shown.issues:
        for action in issue.actions:
            if action.id == action_id:
                return issue, action
    raise NotFound(f"engagement {shown.id} has no action {action_id}")


def _loop_values(action: Any) -> dict[str, Any]:
    return {
        "line": action.line,
        "outcome": action.line_outcome.value if action.line_outcome else "",
        "reason": action.line_reason,
        "version": str(action.version),
        **date_fields("told_on", action.told_on),
    }


def _loop_page(
    request: Request,
    db: Session,
    actor: Actor,
    shown: Any,
    action_id: int,
    form: Form | None = None,
    *,
    faults: tuple[str, ...] = (),
    status_code: int = 200,
) -> Response:
    issue, action = _action_of(shown, action_id)
    form = form or Form(values=_loop_values(action), labels=LOOP_LABELS)
    return render(
        request,
        "engagement/loop.html",
        {
            "shown": shown,
            "issue": issue,
            "action": action,
            "form": form,
            "errors": form.error_summary,
            "faults": faults,
            "outcome_options": common.OUTCOME_OPTIONS,
            "common": common,
            "views": action_views,
        },
        status_code=status_code,
    )


@router.get("/engagements/{engagement_id}/actions/{action_id}/loop")
def loop_form(
    request: Request, db: DbSession, actor: CurrentActor, engagement_id: Id, action_id: Id
) -> Response:
    shown = engagement.get_engagement(db, actor, engagement_id, today=clock.today())
    policy.check_can_write(actor)
    return _loop_page(request, db, actor, shown, action_id)


@router.post("/engagements/{engagement_id}/actions/{action_id}/loop")
def close_the_loop(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    engagement_id: Id,
    action_id: Id,
    values: FormValues,
) -> Response:
    shown = engagement.get_engagement(db, actor, engagement_id, today=clock.today())
    policy.check_can_write(actor)
    _action_of(shown, action_id)
    version = form_version(values)
    form = Form(values=values, labels=LOOP_LABELS)
    told = read_date(values, "told_on", LOOP_LABELS["told_on"], required=False)
    if told.error:
        form.add("told_on", told.error)
    outcome = str(values.get("outcome", "") or "")
    if outcome and outcome not in {o.value for o in LineOutcome}:
        form.add("outcome", "Select whether it was done or is not being done")
    line = str(values.get("line", "") or "").strip()
    reason = str(values.get("reason", "") or "").strip() if outcome == LineOutcome.NOT_DOING else ""
    data = {"told_on": told.value, "line": line, "outcome": outcome or None, "reason": reason}
    status_code = 422
    if form.errors:
        # the rest of what is wrong too, so the summary lists everything at once
        _, action = _action_of(shown, action_id)
        faults = rules.line_faults(
            action_status=str(action.status),
            public=action.public,
            line=line,
            outcome=LineOutcome(outcome) if outcome in {o.value for o in LineOutcome} else None,
            reason=reason,
            told_on=told.value,
            today=clock.today(),
        )
        others = [f for f in faults if f.loc[:1] != ("told_on",) or not told.error]
        if others:
            common.add_service_errors(form, Invalid(others), labels=LOOP_LABELS)
    else:
        try:
            parsed = LoopClosing.model_validate(data)
        except ValidationError as exc:
            common.add_schema_errors(form, exc, labels=LOOP_LABELS)
        else:
            try:
                action = engagement.close_the_loop(
                    db,
                    actor,
                    action_id,
                    parsed,
                    expected_version=version,
                    now=clock.now(),
                    today=clock.today(),
                )
            except StaleVersion:
                db.rollback()
                fresh = engagement.get_engagement(db, actor, engagement_id, today=clock.today())
                _, current = _action_of(fresh, action_id)
                again = Form(values=_loop_values(current), labels=LOOP_LABELS)
                again.add(GENERAL, stale_message("action"))
                return _loop_page(request, db, actor, fresh, action_id, again, status_code=409)
            except Invalid as exc:
                db.rollback()
                common.add_service_errors(form, exc, labels=LOOP_LABELS)
            else:
                message = (
                    f"{action.ref}: the public line is saved"
                    if parsed.line
                    else f"{action.ref}: saved"
                )
                return common.redirect_with(
                    request, f"/engagements/{engagement_id}#action-{action_id}", message
                )
    common.order_errors(form, list(LOOP_LABELS))
    return _loop_page(
        request,
        db,
        actor,
        shown,
        action_id,
        form,
        faults=told.faults if told.error else (),
        status_code=status_code,
    )
