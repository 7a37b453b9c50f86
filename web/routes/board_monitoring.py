"""/monitoring-items: what the board keeps under watch rather than escalates, next review
first with overdue reviews tagged; and /monitoring-items/{id}/escalate, the form that
escalates one to the Force later (the link is kept both ways by domain.board)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from sqlmodel import Session
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts.rules import Actor
from domain.board import policy
from domain.board import service as board
from domain.board.schemas import MonitoringRead
from domain.errors import Conflict, Invalid
from domain.listing import DEFAULT_LIMIT, PageRequest
from web.forms import GENERAL, Form, FormValues
from web.routes import board_common as common
from web.routes.board_reports import ESCALATE_LABELS, read_escalate
from web.templating import render

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/monitoring-items")
def list_monitoring(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    cursor: Annotated[str | None, Query(max_length=500, pattern=r"^[^\x00]*$")] = None,
) -> Response:
    policy.check_can_read(actor)
    page = board.list_monitoring(
        db, actor, page=PageRequest(limit=DEFAULT_LIMIT, cursor=cursor), today=clock.today()
    )
    items = sorted(page.items, key=lambda m: (m.closed, m.next_review_on, m.id))
    return render(
        request,
        "board/monitoring.html",
        {
            "items": items,
            "first_page": cursor is None,
            "next_cursor": page.next_cursor,
            "can_write": policy.can_write(actor),
            "section": "monitoring",
            "common": common,
        },
    )


def _escalate_page(
    request: Request,
    db: Session,
    actor: Actor,
    item: MonitoringRead,
    form: Form,
    *,
    faults: tuple[str, ...] = (),
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "board/escalate_form.html",
        {
            "form": form,
            "errors": form.error_summary,
            "faults": faults,
            "action": f"/monitoring-items/{item.id}/escalate",
            "back": "/monitoring-items",
            "back_text": "Back to monitoring items",
            "caption": "Monitoring items",
            "about": item.title,
            "meeting_options": common.meeting_options(db, actor),
        },
        status_code=status_code,
    )


@router.get("/monitoring-items/{monitoring_item_id}/escalate")
def escalate_form(
    request: Request, db: DbSession, actor: CurrentActor, monitoring_item_id: Id
) -> Response:
    item = board.get_monitoring(db, actor, monitoring_item_id, today=clock.today())
    policy.check_can_write(actor)
    form = Form(values={"request": item.reason}, labels=ESCALATE_LABELS)
    return _escalate_page(request, db, actor, item, form)


@router.post("/monitoring-items/{monitoring_item_id}/escalate")
def escalate(
    request: Request, db: DbSession, actor: CurrentActor, monitoring_item_id: Id, values: FormValues
) -> Response:
    item = board.get_monitoring(db, actor, monitoring_item_id, today=clock.today())
    policy.check_can_write(actor)
    form = Form(values=values, labels=ESCALATE_LABELS)
    parsed, faults = read_escalate(values, form, common.meeting_options(db, actor))
    status_code = 422
    if parsed is not None:
        try:
            escalation = board.escalate_monitoring(
                db, actor, monitoring_item_id, parsed, now=clock.now()
            )
        except Invalid as exc:
            db.rollback()
            form.add_invalid(exc)
        except Conflict as exc:
            db.rollback()
            form.add(GENERAL, common.sentence(exc.detail))
            status_code = 409
        else:
            return common.redirect_with(
                request,
                f"/escalations/{escalation.id}",
                f"{escalation.ref} has been sent to the Force",
            )
    return _escalate_page(request, db, actor, item, form, faults=faults, status_code=status_code)
