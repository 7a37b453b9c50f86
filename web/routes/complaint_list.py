"""/complaint-reviews: the reviews, soonest target first, with days left or days over as
tags, the age band and when the complainant is next due an update; the MOJ filter panel
(status, reviewer, age band, overdue) takes the API's names, so "Download CSV" is the same
query against /api/v1/complaint-reviews.

Only people who see cases (complaints reviewers and administrators) get the list; everyone
else gets a page saying why, in words, with a link to the statistics they may read. With
htmx the filter form and "Next page" swap the `results` block of the same template."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts.rules import Actor, Scope
from domain.complaints import policy
from domain.complaints import service as complaints
from domain.complaints.rules import AgeBand, ReviewStatus
from domain.listing import PageRequest
from web.action_views import VARY
from web.forms import Form
from web.routes import complaint_common as common
from web.templating import render

router = APIRouter()
Text = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")]
PAGE_SIZE = 25
FILTER_LABELS = {
    "status": "Status",
    "reviewer": "Reviewer",
    "age_band": "Age",
    "overdue": "Overdue",
}


def no_access(request: Request, actor: Actor) -> Response:
    """The list for someone who does not see cases: why, in words, and where to go instead."""
    return render(
        request,
        "complaints/no_access.html",
        {"reads_stats": actor.can(Scope.READ_COMPLAINT_STATS)},
        status_code=403,
    )


def _url(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urlencode(params)}" if params else path


@router.get("/complaint-reviews")
def list_reviews(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    status: Text = None,
    reviewer: Text = None,
    age_band: Text = None,
    overdue: Text = None,
    cursor: Annotated[str | None, Query(max_length=500, pattern=r"^[^\x00]*$")] = None,
) -> Response:
    if not policy.sees_cases(actor):
        return no_access(request, actor)
    today = clock.today()
    rules = common.rules_of(request)
    raw = {"status": status, "reviewer": reviewer, "age_band": age_band, "overdue": overdue}
    form = Form(values={k: (v or "").strip() for k, v in raw.items()}, labels=FILTER_LABELS)
    reviewers = [(str(ident), name) for ident, name in complaints.reviewer_choices(db)]
    chosen_status = None
    if form.value("status"):
        try:
            chosen_status = ReviewStatus(form.value("status"))
        except ValueError:
            form.add("status", "Choose a status that is in the list")
    chosen_band = None
    if form.value("age_band"):
        try:
            chosen_band = AgeBand(form.value("age_band"))
        except ValueError:
            form.add("age_band", "Choose an age that is in the list")
    chosen_reviewer = None
    if form.value("reviewer"):
        if form.value("reviewer") in dict(reviewers):
            chosen_reviewer = int(form.value("reviewer"))
        else:
            form.add("reviewer", "Choose a reviewer who is in the list")
    chosen_overdue = None
    if form.value("overdue"):
        if form.value("overdue") in ("true", "false"):
            chosen_overdue = form.value("overdue") == "true"
        else:
            form.add("overdue", "Overdue must be true or false")
    kept = {name: text for name, text in form.values.items() if text and name not in form.errors}
    names = {
        "status": dict(common.STATUS_OPTIONS),
        "reviewer": dict(reviewers),
        "age_band": dict(common.AGE_BAND_OPTIONS),
        "overdue": {"true": "Past the target date only", "false": "Not past the target date"},
    }
    context: dict[str, Any] = {
        "form": form,
        "errors": form.error_summary,
        "status_options": common.STATUS_OPTIONS,
        "reviewer_options": reviewers,
        "age_band_options": common.AGE_BAND_OPTIONS,
        "selected": [
            (
                FILTER_LABELS[name],
                names[name].get(value, value),
                _url("/complaint-reviews", {k: v for k, v in kept.items() if k != name}),
            )
            for name, value in kept.items()
        ],
        "common": common,
        "target": rules.describe_target(),
        "today": today,
    }
    if not form.errors:
        filters: dict[str, Any] = {
            "status": chosen_status,
            "reviewer_id": chosen_reviewer,
            "age_band": chosen_band,
            "overdue": chosen_overdue,
        }
        page = complaints.list_reviews(
            db,
            actor,
            **filters,
            page=PageRequest(limit=PAGE_SIZE, cursor=cursor),
            today=today,
            rules=rules,
        )
        context |= {
            "rows": page.items,
            "total": complaints.count_reviews(db, actor, **filters, today=today, rules=rules),
            "first_page": cursor is None,
            "first_url": _url("/complaint-reviews", kept),
            "next_url": _url("/complaint-reviews", {**kept, "cursor": page.next_cursor})
            if page.next_cursor
            else None,
            "csv_url": _url("/api/v1/complaint-reviews", {"format": "csv", **kept}),
        }
    return render(request, "complaints/list.html", context, block="results", headers=VARY)
