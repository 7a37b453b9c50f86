"""/admin/pre-election-periods: the date ranges in which public communication pauses (the
public "you said, we did" feed shows nothing dated on or after a period's start while it is
in force). Listed, added, changed and deleted (after a confirmation page) by administrators;
every rule (ends before it starts, overlaps another) is domain.engagement's."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from sqlmodel import Session
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts.rules import Actor
from domain.engagement import service as engagement
from domain.engagement.schemas import PreElectionPeriodChange, PreElectionPeriodCreate
from domain.errors import Invalid, StaleVersion
from web.admin import form_version, require_admin, stale_message
from web.dates import date_fields, read_date
from web.forms import GENERAL, Form, FormValues
from web.routes import engagement_common as common
from web.templating import render

router = APIRouter(prefix="/admin/pre-election-periods", dependencies=[Depends(require_admin)])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
LABELS = {"label": "Name", "starts_on": "Start date", "ends_on": "End date"}
HOME = "/admin/pre-election-periods"


@router.get("")
def list_periods(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    return render(
        request,
        "admin/pre_election_periods.html",
        {"periods": engagement.list_periods(db, actor, today=clock.today()), "common": common},
    )


def _form_page(
    request: Request,
    form: Form,
    *,
    period: Any = None,
    faults: dict[str, tuple[str, ...]] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/pre_election_period_form.html",
        {"form": form, "errors": form.error_summary, "period": period, "faults": faults or {}},
        status_code=status_code,
    )


def _data(values: dict[str, Any], form: Form) -> tuple[dict[str, Any], dict[str, tuple[str, ...]]]:
    faults: dict[str, tuple[str, ...]] = {}
    label = str(values.get("label", "") or "").strip()
    if not label:
        form.add("label", "Enter a name for the period, like PCC election 2024")
    starts = read_date(values, "starts_on", LABELS["starts_on"])
    if starts.error:
        form.add("starts_on", starts.error)
        faults["starts_on"] = starts.faults
    ends = read_date(values, "ends_on", LABELS["ends_on"], required=False)
    if ends.error:
        form.add("ends_on", ends.error)
        faults["ends_on"] = ends.faults
    return {"label": label, "starts_on": starts.value, "ends_on": ends.value}, faults


def _save(db: Session, form: Form, call: Any) -> tuple[Any, int]:
    try:
        return call(), 200
    except StaleVersion:
        db.rollback()
        form.add(GENERAL, stale_message("period"))
        return None, 409
    except Invalid as exc:
        db.rollback()
        common.add_service_errors(form, exc, labels=LABELS)
        return None, 422


@router.get("/new")
def new_period(request: Request) -> Response:
    return _form_page(request, Form(labels=LABELS))


@router.post("/new")
def create_period(
    request: Request, db: DbSession, actor: CurrentActor, values: FormValues
) -> Response:
    form = Form(values=values, labels=LABELS)
    data, faults = _data(values, form)
    status_code = 422
    parsed = common.validated(PreElectionPeriodCreate, data, form, labels=LABELS)
    if parsed is not None and not form.errors:
        made, status_code = _save(
            db, form, lambda: engagement.create_period(db, actor, parsed, now=clock.now())
        )
        if made is not None:
            return common.redirect_with(request, HOME, f"{parsed.label} added")
    common.order_errors(form, list(LABELS))
    return _form_page(request, form, faults=faults, status_code=status_code)


def _current_values(period: Any) -> dict[str, Any]:
    return {
        "label": period.label,
        "version": str(period.version),
        **date_fields("starts_on", period.starts_on),
        **date_fields("ends_on", period.ends_on),
    }


@router.get("/{period_id}/edit")
def edit_period(request: Request, db: DbSession, actor: CurrentActor, period_id: Id) -> Response:
    period = engagement.get_period(db, actor, period_id, today=clock.today())
    return _form_page(request, Form(values=_current_values(period), labels=LABELS), period=period)


@router.post("/{period_id}/edit")
def change_period(
    request: Request, db: DbSession, actor: CurrentActor, period_id: Id, values: FormValues
) -> Response:
    period = engagement.get_period(db, actor, period_id, today=clock.today())
    version = form_version(values)
    form = Form(values=values, labels=LABELS)
    data, faults = _data(values, form)
    status_code = 422
    parsed = common.validated(PreElectionPeriodChange, data, form, labels=LABELS)
    if parsed is not None and not form.errors:
        changed, status_code = _save(
            db,
            form,
            lambda: engagement.change_period(
                db, actor, period_id, parsed, expected_version=version, now=clock.now()
            ),
        )
        if changed is not None:
            return common.redirect_with(request, HOME, f"Changes to {parsed.label} saved")
        if status_code == 409:
            period = engagement.get_period(db, actor, period_id, today=clock.today())
            fresh = Form(values=_current_values(period), labels=LABELS)
            fresh.errors = form.errors
            form = fresh
    common.order_errors(form, list(LABELS))
    return _form_page(request, form, period=period, faults=faults, status_code=status_code)


def _delete_page(
    request: Request, actor: Actor, period: Any, form: Form, status_code: int = 200
) -> Response:
    return render(
        request,
        "admin/pre_election_period_delete.html",
        {"period": period, "form": form, "errors": form.error_summary, "common": common},
        status_code=status_code,
    )


@router.get("/{period_id}/delete")
def confirm_delete(request: Request, db: DbSession, actor: CurrentActor, period_id: Id) -> Response:
    period = engagement.get_period(db, actor, period_id, today=clock.today())
    return _delete_page(request, actor, period, Form(values={"version": str(period.version)}))


@router.post("/{period_id}/delete")
def delete_period(
    request: Request, db: DbSession, actor: CurrentActor, period_id: Id, values: FormValues
) -> Response:
    period = engagement.get_period(db, actor, period_id, today=clock.today())
    version = form_version(values)
    form = Form(values=values)

    def remove() -> bool:
        engagement.delete_period(db, actor, period_id, expected_version=version, now=clock.now())
        return True

    done, status_code = _save(db, form, remove)
    if done is not None:
        return common.redirect_with(request, HOME, f"{period.label} deleted")
    fresh = engagement.get_period(db, actor, period_id, today=clock.today())
    again = Form(values={"version": str(fresh.version)})
    again.errors = form.errors
    return _delete_page(request, actor, fresh, again, status_code=status_code)
