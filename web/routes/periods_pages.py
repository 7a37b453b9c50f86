"""/periods: the reporting periods with their status, a form to add one (the next quarter
in one click, or any by its code), and publishing with a confirmation step
(/periods/{code}/publish) that names the objectives still without a rating. Publishing
freezes a period's ratings; only administrators and OPCC staff may
(domain.plan.policy.can_publish). Afterwards the same address shows the period as
published and offers to add the quarter after it. Each form is shown only to a role whose
submission the route would accept, by the same policy function."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts.rules import Actor
from domain.errors import Conflict, Invalid, StaleVersion
from domain.plan import policy, standing
from domain.plan import service as plan
from domain.plan.rules import PeriodStatus, Quarter, parse_period_code, quarter_of
from domain.plan.tables import ReportingPeriod
from web import plan_views as views
from web.admin import form_version, stale_message
from web.flash import set_flash
from web.forms import GENERAL, Form, FormValues
from web.templating import render

router = APIRouter()
PeriodCode = Annotated[str, Path(max_length=20, pattern=r"^\d{4}-\d{2}-Q[1-4]$")]
LABELS = {"code": "Period code"}


def _to_add(actor: Actor, periods: list[ReportingPeriod], following: Quarter) -> Quarter | None:
    """`following`, offered as a one-click addition, unless it exists or the role may not
    add periods."""
    if not policy.can_write(actor) or following.code in {p.code for p in periods}:
        return None
    return following


def _periods_page(
    request: Request,
    db: Session,
    actor: Actor,
    *,
    form: Form | None = None,
    status_code: int = 200,
) -> Response:
    form = form or Form(labels=LABELS)
    periods = views.all_periods(db, actor)
    following = parse_period_code(periods[-1].code).next() if periods else quarter_of(clock.today())
    return render(
        request,
        "plan/periods.html",
        {
            "periods": list(reversed(periods)),
            "can_add": policy.can_write(actor),
            "next_quarter": _to_add(actor, periods, following),
            "example": following.next(),  # the code form is for any period but `following`
            "can_publish": policy.can_publish(actor),
            "active_plan": views.active_plan(db, actor),
            "form": form,
            "errors": form.error_summary,
            "views": views,
        },
        status_code=status_code,
    )


@router.get("/periods")
def periods(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    return _periods_page(request, db, actor)


@router.post("/periods")
def add_period(
    request: Request, db: DbSession, actor: CurrentActor, values: FormValues
) -> Response:
    policy.check_can_write(actor)
    form = Form(values=values, labels=LABELS)
    code = str(values.get("code", "")).strip()
    if not code:
        form.add("code", "Enter the period code, like 2023-24-Q3")
        return _periods_page(request, db, actor, form=form, status_code=422)
    try:
        period = plan.create_period(db, actor, code, now=clock.now())
    except Invalid as exc:
        db.rollback()
        form.add_invalid(exc)
        return _periods_page(request, db, actor, form=form, status_code=422)
    response = RedirectResponse("/periods", status_code=303)
    set_flash(
        request,
        response,
        f"{views.period_label(period.code)} has been added "
        f"({period.starts_on:%-d %B %Y} to {period.ends_on:%-d %B %Y})",
    )
    return response


def _publish_page(
    request: Request,
    db: Session,
    actor: Actor,
    period: ReportingPeriod,
    *,
    form: Form | None = None,
    status_code: int = 200,
) -> Response:
    """Before publishing: what it leaves out. After: the quarter to add next."""
    form = form or Form()
    published = period.status == PeriodStatus.PUBLISHED
    following = parse_period_code(period.code).next()
    return render(
        request,
        "plan/publish.html",
        {
            "period": period,
            "unrated": [] if published else standing.unrated_in(db, actor, period),
            "next_quarter": _to_add(actor, views.all_periods(db, actor), following)
            if published
            else None,
            "form": form,
            "errors": form.error_summary,
            "views": views,
        },
        status_code=status_code,
    )


@router.get("/periods/{code}/publish")
def confirm_publish(
    request: Request, db: DbSession, actor: CurrentActor, code: PeriodCode
) -> Response:
    policy.check_can_publish(actor)
    return _publish_page(request, db, actor, plan.get_period(db, actor, code))


@router.post("/periods/{code}/publish")
def publish(
    request: Request, db: DbSession, actor: CurrentActor, code: PeriodCode, values: FormValues
) -> Response:
    policy.check_can_publish(actor)
    version = form_version(values)
    label = views.period_label(code)
    try:
        plan.publish_period(db, actor, code, expected_version=version, now=clock.now())
    except (Conflict, StaleVersion):
        # Publishing twice usually shows as a stale version: the first publish changed it.
        db.rollback()
        period = plan.get_period(db, actor, code)
        form = Form()
        if period.status == PeriodStatus.PUBLISHED:
            form.add(GENERAL, f"{label} is already published, so nothing was changed")
        else:
            form.add(GENERAL, stale_message("period"))
        return _publish_page(request, db, actor, period, form=form, status_code=409)
    response = RedirectResponse(f"/periods/{code}/publish", status_code=303)
    set_flash(request, response, f"{label} has been published. Its ratings are now frozen")
    return response
