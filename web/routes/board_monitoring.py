"""/monitoring-items: what the board keeps under watch rather than escalates, next review
first with overdue reviews tagged; and /monitoring-items/{id}/escalate, the form that
escalates one to the Force later (the link is kept both ways by domain.board)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.board import policy
from domain.board import service as board
from domain.board.schemas import MonitoringRead
from domain.listing import DEFAULT_LIMIT, PageRequest
from web.forms import Form, FormValues
from web.routes import board_common as common
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


def _escalate_place(item: MonitoringRead) -> common.EscalateForm:
    return common.EscalateForm(
        action=f"/monitoring-items/{item.id}/escalate",
        back="/monitoring-items",
        back_text="Back to monitoring items",
        caption="Monitoring items",
        about=item.title,
    )


@router.get("/monitoring-items/{monitoring_item_id}/escalate")
def escalate_form(
    request: Request, db: DbSession, actor: CurrentActor, monitoring_item_id: Id
) -> Response:
    item = board.get_monitoring(db, actor, monitoring_item_id, today=clock.today())
    policy.check_can_write(actor)
    form = Form(values={"request": item.reason}, labels=common.ESCALATE_LABELS)
    return common.escalate_page(request, db, actor, _escalate_place(item), form)


@router.post("/monitoring-items/{monitoring_item_id}/escalate")
def escalate(
    request: Request, db: DbSession, actor: CurrentActor, monitoring_item_id: Id, values: FormValues
) -> Response:
    item = board.get_monitoring(db, actor, monitoring_item_id, today=clock.today())
    policy.check_can_write(actor)
    return common.escalate(
        request,
        db,
        actor,
        _escalate_place(item),
        values,
        lambda parsed: board.escalate_monitoring(
            db, actor, monitoring_item_id, parsed, now=clock.now()
        ),
    )
