"""/exception-reports: the list, the new report form (up to three items on one page, blank
ones left out), and the report page: each item's KPI evidence, its figures in a table and a
small server-drawn chart of value against target and baseline, its recommendation, and for
OPCC staff the escalate / monitor forms (/exception-reports/{id}/items/{item}/escalate and
/monitor). Every rule is domain.board's."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts.rules import Actor
from domain.board import policy
from domain.board import service as board
from domain.board.rules import Recommendation
from domain.board.schemas import (
    ExceptionItemIn,
    ExceptionItemRead,
    ExceptionReportChange,
    ExceptionReportCreate,
    ExceptionReportRead,
    MonitorItem,
)
from domain.errors import Invalid, NotFound
from domain.listing import DEFAULT_LIMIT, PageRequest
from web.dates import read_date
from web.forms import GENERAL, Form, FormValues, parse
from web.routes import board_common as common
from web.templating import render

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
SLOTS = (1, 2, 3)
REPORT_LABELS = {
    "title": "Title",
    "reported_on": "Date of the report",
    "prepared_by": "Prepared by",
    "meeting_id": "Board",
}
ITEM_FIELDS = {
    "topic": "topic",
    "kpi_evidence": "KPI evidence",
    "value": "value",
    "target": "target",
    "baseline": "baseline",
    "unit": "unit",
    "period": "period",
    "recommendation": "recommendation",
    "reasoning": "reasoning",
}
MONITOR_LABELS = {"next_review_on": "Next review", "reason": "Reason"}


def _item_labels() -> dict[str, str]:
    return {
        f"item-{n}-{name}": f"Item {n} {label}"
        for n in SLOTS
        for name, label in ITEM_FIELDS.items()
    }


# ---------------------------------------------------------------------------------------------
# The list


@router.get("/exception-reports")
def list_reports(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    cursor: Annotated[str | None, Query(max_length=500, pattern=r"^[^\x00]*$")] = None,
) -> Response:
    policy.check_can_read(actor)
    page = board.list_reports(
        db, actor, page=PageRequest(limit=DEFAULT_LIMIT, cursor=cursor, newest_first=True)
    )
    meetings = {
        m.id: m for m in common.every(lambda p: board.list_meetings(db, actor, kind=None, page=p))
    }
    return render(
        request,
        "board/reports.html",
        {
            "reports": page.items,
            "meetings": meetings,
            "first_page": cursor is None,
            "next_cursor": page.next_cursor,
            "can_write": policy.can_write(actor),
            "section": "reports",
            "common": common,
        },
    )


# ---------------------------------------------------------------------------------------------
# The new report form


def _figure(raw: Any, name: str, label: str, form: Form) -> float | None:
    text = str(raw or "").strip().removesuffix("%").strip()
    if not text:
        return None
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        form.add(name, f"{label} must be a number, like 73.7")
        return None
    if not math.isfinite(number) or abs(number) > 1e12:
        form.add(name, f"{label} must be a number, like 73.7")
        return None
    return number


def _item(values: dict[str, Any], n: int, form: Form) -> dict[str, Any] | None:
    """Slot n as the schema's input; None when it was left blank."""
    raw = {name: str(values.get(f"item-{n}-{name}", "")).strip() for name in ITEM_FIELDS}
    if not any(raw.values()):
        return None
    prefix = f"item-{n}-"
    data: dict[str, Any] = {
        "topic": raw["topic"],
        "kpi_evidence": raw["kpi_evidence"],
        "unit": raw["unit"],
        "period": raw["period"],
        "recommendation": raw["recommendation"],
        "reasoning": raw["reasoning"],
    }
    if not raw["topic"]:
        form.add(prefix + "topic", f"Select the topic of item {n}")
    if not raw["kpi_evidence"]:
        form.add(prefix + "kpi_evidence", f"Enter the KPI evidence for item {n}")
    for name in ("value", "target", "baseline"):
        label = f"Item {n} {ITEM_FIELDS[name]}"
        data[name] = _figure(raw[name], prefix + name, label.capitalize(), form)
    if raw["recommendation"] not in {r.value for r in Recommendation}:
        form.add(prefix + "recommendation", f"Select the recommendation for item {n}")
    if not raw["reasoning"]:
        form.add(prefix + "reasoning", f"Enter the reasoning for item {n}")
    try:
        ExceptionItemIn.model_validate(data)
    except ValidationError as exc:
        labels = {name: f"Item {n} {label}" for name, label in ITEM_FIELDS.items()}
        sub = Form(values=raw, labels=labels)
        sub.add_validation(exc)
        for name, message in sub.errors.items():
            form.add(prefix + name, message)
    return data


def _report_form(
    request: Request,
    db: Session,
    actor: Actor,
    form: Form,
    *,
    faults: tuple[str, ...] = (),
    status_code: int = 200,
) -> Response:
    context = {
        "slots": SLOTS,
        "topic_options": common.topic_options(db),
        "meeting_options": common.meeting_options(db, actor),
        "recommendation_options": common.RECOMMENDATION_OPTIONS,
    }
    return common.form_page(
        request, "board/report_form.html", form, context, faults=faults, status_code=status_code
    )


@router.get("/exception-reports/new")
def new_report(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    policy.check_can_write(actor)
    form = Form(values={"prepared_by": "OPCC Performance and Assurance"}, labels=REPORT_LABELS)
    return _report_form(request, db, actor, form)


@router.post("/exception-reports/new")
def create_report(
    request: Request, db: DbSession, actor: CurrentActor, values: FormValues
) -> Response:
    policy.check_can_write(actor)
    form = Form(values=values, labels={**REPORT_LABELS, **_item_labels()})
    title = str(values.get("title", "")).strip()
    prepared_by = str(values.get("prepared_by", "")).strip()
    if not title:
        form.add("title", "Enter a title for the report")
    reported = read_date(values, "reported_on", REPORT_LABELS["reported_on"])
    if reported.error:
        form.add("reported_on", reported.error)
    if not prepared_by:
        form.add("prepared_by", "Enter the role of who prepared the report")
    meeting = str(values.get("meeting_id", "")).strip()
    if meeting and meeting not in dict(common.meeting_options(db, actor)):
        form.add("meeting_id", "Select a board from the list")
    items = [found for n in SLOTS if (found := _item(values, n, form)) is not None]
    if not items:
        form.add("item-1-topic", "Enter at least one item")
    data = {
        "title": title,
        "reported_on": reported.value,
        "prepared_by": prepared_by,
        "meeting_id": int(meeting) if meeting.isdigit() else None,
        "items": items,
    }
    # The report's own fields are checked whatever is wrong with its items: every problem at once.
    parse(ExceptionReportChange, form, {k: v for k, v in data.items() if k != "items"})
    parsed = parse(ExceptionReportCreate, form, data) if not form.errors else None
    if parsed is not None:
        try:
            report = board.create_report(db, actor, parsed, now=clock.now())
        except Invalid as exc:
            db.rollback()
            _add_item_errors(form, exc)
        else:
            return common.redirect_with(
                request, f"/exception-reports/{report.id}", f"{report.title} has been added"
            )
    return _report_form(
        request,
        db,
        actor,
        form,
        faults=reported.faults if reported.error else (),
        status_code=422,
    )


def _add_item_errors(form: Form, exc: Invalid) -> None:
    """A domain error on items[i].topic names the field of slot i+1 (blank slots aside)."""
    for error in exc.errors:
        loc = list(error.loc)
        if len(loc) >= 3 and loc[0] == "items" and isinstance(loc[1], int):
            filled = [
                n for n in SLOTS if any(form.values.get(f"item-{n}-{f}") for f in ITEM_FIELDS)
            ]
            n = filled[loc[1]] if loc[1] < len(filled) else 1
            label = f"Item {n} {ITEM_FIELDS.get(str(loc[2]), str(loc[2]))}"
            form.add(f"item-{n}-{loc[2]}", f"{label} {error.msg}")
        else:
            form.add_invalid(Invalid([error]))
    if not form.errors:
        form.add(GENERAL, "The report could not be saved")


# ---------------------------------------------------------------------------------------------
# The report page


def _report_and_item(
    db: Session, actor: Actor, report_id: int, item_id: int
) -> tuple[ExceptionReportRead, ExceptionItemRead]:
    report = board.get_report(db, actor, report_id)
    item = next((i for i in report.items if i.id == item_id), None)
    if item is None:
        raise NotFound(f"report {report_id} has no item {item_id}")
    return report, item


@router.get("/exception-reports/{report_id}")
def show_report(request: Request, db: DbSession, actor: CurrentActor, report_id: Id) -> Response:
    report = board.get_report(db, actor, report_id)
    meeting = (
        board.get_meeting(db, actor, report.meeting_id, today=clock.today())
        if report.meeting_id
        else None
    )
    escalations = {
        i.escalation_id: board.get_escalation(db, actor, i.escalation_id, today=clock.today())
        for i in report.items
        if i.escalation_id
    }
    return render(
        request,
        "board/report.html",
        {
            "report": report,
            "meeting": meeting,
            "escalations": escalations,
            "charts": {i.id: common.figure_chart(i) for i in report.items},
            "can_write": policy.can_write(actor),
            "common": common,
        },
    )


# ---------------------------------------------------------------------------------------------
# Escalate an item, or put it under monitoring


def _escalate_place(report: ExceptionReportRead, item: ExceptionItemRead) -> common.EscalateForm:
    return common.EscalateForm(
        action=f"/exception-reports/{report.id}/items/{item.id}/escalate",
        back=f"/exception-reports/{report.id}",
        back_text="Back to the exception report",
        caption=report.title,
        about=item.topic_name,
    )


@router.get("/exception-reports/{report_id}/items/{exception_item_id}/escalate")
def escalate_item_form(
    request: Request, db: DbSession, actor: CurrentActor, report_id: Id, exception_item_id: Id
) -> Response:
    report, item = _report_and_item(db, actor, report_id, exception_item_id)
    policy.check_can_write(actor)
    form = Form(
        values={"request": item.reasoning, "target_meeting_id": str(report.meeting_id or "")},
        labels=common.ESCALATE_LABELS,
    )
    return common.escalate_page(request, db, actor, _escalate_place(report, item), form)


@router.post("/exception-reports/{report_id}/items/{exception_item_id}/escalate")
def escalate_item(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    report_id: Id,
    exception_item_id: Id,
    values: FormValues,
) -> Response:
    report, item = _report_and_item(db, actor, report_id, exception_item_id)
    policy.check_can_write(actor)
    return common.escalate(
        request,
        db,
        actor,
        _escalate_place(report, item),
        values,
        lambda parsed: board.escalate_item(db, actor, exception_item_id, parsed, now=clock.now()),
    )


def _monitor_page(
    request: Request,
    report: ExceptionReportRead,
    item: ExceptionItemRead,
    form: Form,
    *,
    faults: tuple[str, ...] = (),
    status_code: int = 200,
) -> Response:
    context = {"report": report, "item": item}
    return common.form_page(
        request, "board/monitor_form.html", form, context, faults=faults, status_code=status_code
    )


@router.get("/exception-reports/{report_id}/items/{exception_item_id}/monitor")
def monitor_item_form(
    request: Request, db: DbSession, actor: CurrentActor, report_id: Id, exception_item_id: Id
) -> Response:
    report, item = _report_and_item(db, actor, report_id, exception_item_id)
    policy.check_can_write(actor)
    form = Form(values={"reason": item.reasoning}, labels=MONITOR_LABELS)
    return _monitor_page(request, report, item, form)


@router.post("/exception-reports/{report_id}/items/{exception_item_id}/monitor")
def monitor_item(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    report_id: Id,
    exception_item_id: Id,
    values: FormValues,
) -> Response:
    report, item = _report_and_item(db, actor, report_id, exception_item_id)
    policy.check_can_write(actor)
    form = Form(values=values, labels=MONITOR_LABELS)
    review = read_date(values, "next_review_on", MONITOR_LABELS["next_review_on"])
    if review.error:
        form.add("next_review_on", review.error)
    data = {"next_review_on": review.value, "reason": str(values.get("reason", "")).strip()}
    parsed = parse(MonitorItem, form, data)
    status_code = 422
    if parsed is not None and not form.errors:
        monitoring, status_code = common.attempt(
            db,
            form,
            lambda: board.monitor_item(db, actor, exception_item_id, parsed, now=clock.now()),
        )
        if monitoring is not None:
            return common.redirect_with(
                request, "/monitoring-items", f"{item.topic_name} is now under monitoring"
            )
    return _monitor_page(
        request,
        report,
        item,
        form,
        faults=review.faults if review.error else (),
        status_code=status_code,
    )
