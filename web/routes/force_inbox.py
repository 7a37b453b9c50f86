"""/force-inbox: everything the Force owes, across sources, overdue first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.actions import inbox
from domain.listing import DEFAULT_LIMIT
from web import action_views as views
from web.templating import render

router = APIRouter()
KIND_LABELS = {"action": "Action"}


@router.get("/force-inbox")
def force_inbox(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    cursor: Annotated[str | None, Query(max_length=500, pattern=r"^[^\x00]*$")] = None,
) -> Response:
    today = clock.today()
    page = inbox.force_inbox(db, actor, today=today, limit=DEFAULT_LIMIT, cursor=cursor)
    return render(
        request,
        "pages/force_inbox.html",
        {
            "entries": page.items,
            "counts": inbox.inbox_counts(db, actor, today=today),
            "first_page": cursor is None,
            "next_cursor": page.next_cursor,
            "kind_labels": KIND_LABELS,
            "views": views,
        },
    )
