"""/escalations: every escalation, filtered by status with the API's names; with
`?status=awaiting_response` it is the "awaiting the Force" view, soonest due first, overdue
tagged. The filter is a plain GET form (the heading changes with it, so it reloads the page)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.board import policy
from domain.board import service as board
from domain.board.rules import EscalationStatus
from domain.listing import DEFAULT_LIMIT, PageRequest
from web.forms import Form
from web.routes import board_common as common
from web.templating import render

router = APIRouter()
Text = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")]
STATUS_OPTIONS = [(s.value, common.ESCALATION_LABELS[s]) for s in EscalationStatus]


@router.get("/escalations")
def list_escalations(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    status: Text = None,
    cursor: Annotated[str | None, Query(max_length=500, pattern=r"^[^\x00]*$")] = None,
) -> Response:
    policy.check_can_read(actor)
    today = clock.today()
    chosen = (status or "").strip()
    form = Form(values={"status": chosen}, labels={"status": "Status"})
    wanted: EscalationStatus | None = None
    if chosen:
        try:
            wanted = EscalationStatus(chosen)
        except ValueError:
            form.add("status", "Choose a status that is in the list")
    awaiting = wanted is EscalationStatus.AWAITING_RESPONSE
    context: dict[str, Any] = {
        "form": form,
        "errors": form.error_summary,
        "status_options": STATUS_OPTIONS,
        "awaiting": awaiting,
        "section": "awaiting" if awaiting else "escalations",
        "first_page": cursor is None,
        "common": common,
    }
    if not form.errors:
        page = board.list_escalations(
            db,
            actor,
            status=wanted,
            due_before=None,
            meeting=None,
            page=PageRequest(limit=DEFAULT_LIMIT, cursor=cursor),
            today=today,
            sort="response_due" if awaiting else None,
        )
        kept = {"status": chosen} if chosen else {}
        meetings = {
            m.id: m
            for m in common.every(lambda p: board.list_meetings(db, actor, kind=None, page=p))
        }
        context |= {
            "escalations": page.items,
            "meetings": meetings,
            "first_url": "/escalations" + (f"?{urlencode(kept)}" if kept else ""),
            "next_url": "/escalations?" + urlencode({**kept, "cursor": page.next_cursor})
            if page.next_cursor
            else None,
            "csv_url": "/api/v1/escalations?" + urlencode({"format": "csv", **kept}),
        }
    return render(request, "board/escalations.html", context)
