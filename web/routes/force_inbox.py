"""/force-inbox: everything the Force owes, across sources, overdue first. Each entry opens
with `?from=inbox`, so its page leads back here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.actions import inbox
from domain.actions.inbox import InboxEntry
from domain.board.rules import EscalationStatus
from domain.listing import DEFAULT_LIMIT
from web import action_views as views
from web.admin import Tag
from web.routes.board_common import ESCALATION_TAGS
from web.templating import render

router = APIRouter()
KIND_LABELS = {"action": "Action", "escalation": "Escalation"}


def status_tag(entry: InboxEntry) -> Tag:
    """The entry's status as the tag its own list shows it with."""
    if entry.kind == "action":
        return views.status_tag(entry.status)
    if entry.kind == "escalation":
        return ESCALATION_TAGS[EscalationStatus(entry.status)]
    return Tag(views.status_label(entry.status), "grey")


def opened_from_inbox(url: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}from=inbox"


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
        "actions/force_inbox.html",
        {
            "entries": page.items,
            "counts": inbox.inbox_counts(db, actor, today=today),
            "first_page": cursor is None,
            "next_cursor": page.next_cursor,
            "kind_labels": KIND_LABELS,
            "status_tag": status_tag,
            "opened_from_inbox": opened_from_inbox,
            "views": views,
        },
    )
