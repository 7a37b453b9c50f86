"""/admin/audit: the accountability record, newest first, in words (domain.audit.log):
people and records by name with links, values as the pages say them. Filtered by kind of
record (a list of the kinds the log holds) and by who; signing in and out is left out
unless asked for, since it would bury the changes.

With htmx the filter form and the "Next page" link swap only the `results` block."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain.audit import log
from domain.audit.names import label_of
from domain.audit.schemas import AuditFilter
from web.admin import page_request, require_admin
from web.forms import Form
from web.templating import _day, _when, render

router = APIRouter(prefix="/admin/audit", dependencies=[Depends(require_admin)])
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL: a 400 page, not a 500


def shown(value: log.Shown | None) -> str:
    """A value from the log as the pages write it."""
    if isinstance(value, datetime):
        return _when(value)
    if isinstance(value, date):
        return _day(value)
    return value or ""


@router.get("")
def audit_log(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    entity: Annotated[str | None, Query(max_length=50, pattern=NO_NUL)] = None,
    entity_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    actor_label: Annotated[str | None, Query(alias="actor", max_length=200, pattern=NO_NUL)] = None,
    sign_ins: Annotated[str | None, Query(max_length=3, pattern=NO_NUL)] = None,
    cursor: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
) -> Response:
    filters = AuditFilter(
        entity=(entity or "").strip() or None,
        entity_id=entity_id,
        actor=(actor_label or "").strip() or None,
        sign_ins=sign_ins == "yes",
    )
    found = log.read_log(db, actor, filters=filters, page=page_request(cursor, newest_first=True))
    kept = {
        key: value
        for key, value in (
            ("entity", filters.entity),
            ("entity_id", filters.entity_id),
            ("actor", filters.actor),
            ("sign_ins", "yes" if filters.sign_ins else None),
        )
        if value is not None
    }
    next_url = (
        "/admin/audit?" + urlencode({**kept, "cursor": found.next_cursor})
        if found.next_cursor
        else None
    )
    values = {
        "entity": filters.entity or "",
        "actor": filters.actor or "",
        "sign_ins": "yes" if filters.sign_ins else "",
    }
    return render(
        request,
        "admin/audit.html",
        {
            "filters": filters,
            "form": Form(values=values),
            "entity_options": log.entity_choices(db, actor),
            "sign_in_options": [("yes", "Show signing in and out")],
            "entity_label": label_of(filters.entity) if filters.entity else None,
            "entries": found.entries,
            "shown": shown,
            "next_url": next_url,
            "first_page": cursor is None,
            "clear_url": "/admin/audit",
        },
        block="results",
        headers={"Vary": "HX-Request"},
    )
