"""/plans, /plans/{id} (overview), /plans/{id}/changes and /plans/{id}/not-assessed.

Read-only pages over domain.plan: counts by theme with a server-drawn chart and its table,
each objective's rating with the reason one click away, what changed since the previous
rating, and what is still to be rated. `?period=` chooses the reporting period; the period
form swaps the page's block with htmx and works as a plain GET without it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.listing import MAX_LIMIT, PageRequest
from domain.plan import policy
from domain.plan import service as plan
from web import plan_views as views
from web.action_views import VARY
from web.templating import render

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
PeriodQuery = Annotated[str | None, Query(max_length=20)]


@router.get("/plans")
def plans(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    found = plan.list_plans(db, actor, page=PageRequest(limit=MAX_LIMIT)).items
    return render(
        request, "plan/plans.html", {"plans": found, "today": clock.today(), "views": views}
    )


@router.get("/plans/{plan_id}")
def overview(
    request: Request, db: DbSession, actor: CurrentActor, plan_id: Id, period: PeriodQuery = None
) -> Response:
    report = views.plan_report(db, actor, plan_id, period)
    return render(
        request,
        "plan/overview.html",
        {
            "report": report,
            "chart": views.chart(report.themes),
            "summary": views.chart_summary(report),
            "today": clock.today(),
            "can_add_period": policy.can_write(actor),
            "views": views,
        },
        block="plan_overview",
        headers=VARY,
    )


@router.get("/plans/{plan_id}/changes")
def changes(
    request: Request, db: DbSession, actor: CurrentActor, plan_id: Id, period: PeriodQuery = None
) -> Response:
    report = views.plan_report(db, actor, plan_id, period)
    changed = [row for row in report.rows if row.standing.changed]
    return render(
        request,
        "plan/changes.html",
        {
            "report": report,
            "changed": changed,
            "previous": report.previous_period(),
            "views": views,
        },
        block="plan_changes",
        headers=VARY,
    )


@router.get("/plans/{plan_id}/not-assessed")
def not_assessed(
    request: Request, db: DbSession, actor: CurrentActor, plan_id: Id, period: PeriodQuery = None
) -> Response:
    report = views.plan_report(db, actor, plan_id, period, prefer="open")
    waiting = [row for row in report.rows if row.rating is None]
    return render(
        request,
        "plan/not_assessed.html",
        {
            "report": report,
            "waiting": waiting,
            "can_rate": policy.can_write(actor),
            "views": views,
        },
        block="plan_not_assessed",
        headers=VARY,
    )
