"""/admin/audit: the accountability record, newest first, filtered by entity and actor.

With htmx the filter form and the "Next page" link swap only the `results` block."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain.audit import service as audit
from domain.audit.schemas import AuditFilter
from domain.audit.tables import AuditEvent
from domain.reference.service import KINDS
from web.admin import page_request, require_admin
from web.forms import Form
from web.templating import _when, render

router = APIRouter(prefix="/admin/audit", dependencies=[Depends(require_admin)])
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL: a 400 page, not a 500

ENTITY_PAGES = {
    "user": "/admin/users/{id}",
    **{kind.entity: f"/admin/reference/{kind.slug}/{{id}}" for kind in KINDS.values()},
}
ENTITY_EXAMPLES = ", ".join(["user", "token", *(kind.entity for kind in KINDS.values())])


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # None: the field had no value before (a creation)
    after: str


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    who: str
    action: str
    link: str | None
    changes: list[Change]


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value) or "(none)"
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            return _when(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def _before_after(change: Any) -> tuple[str | None, str]:
    if not isinstance(change, dict):
        return None, _shown(change)
    before = change.get("before")
    return (None if before is None else _shown(before)), _shown(change.get("after"))


def _row(event: AuditEvent) -> EventRow:
    page = ENTITY_PAGES.get(event.entity)
    return EventRow(
        event=event,
        who=event.actor_label,
        action=event.action.replace("_", " ").capitalize(),
        link=page.format(id=event.entity_id) if page else None,
        changes=[
            Change(field.replace("_", " ").capitalize(), *_before_after(change))
            for field, change in event.changes.items()
        ],
    )


@router.get("")
def audit_log(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    entity: Annotated[str | None, Query(max_length=50, pattern=NO_NUL)] = None,
    entity_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    actor_label: Annotated[str | None, Query(alias="actor", max_length=200, pattern=NO_NUL)] = None,
    cursor: Annotated[str | None, Query(max_length=200, pattern=NO_NUL)] = None,
) -> Response:
    filters = AuditFilter(
        entity=(entity or "").strip() or None,
        entity_id=entity_id,
        actor=(actor_label or "").strip() or None,
    )
    page = audit.list_events(
        db, actor, filters=filters, page=page_request(cursor, newest_first=True)
    )
    kept = {
        key: value
        for key, value in (
            ("entity", filters.entity),
            ("entity_id", filters.entity_id),
            ("actor", filters.actor),
        )
        if value is not None
    }
    next_url = (
        "/admin/audit?" + urlencode({**kept, "cursor": page.next_cursor})
        if page.next_cursor
        else None
    )
    return render(
        request,
        "admin/audit.html",
        {
            "filters": filters,
            "form": Form(values={"entity": filters.entity or "", "actor": filters.actor or ""}),
            "rows": [_row(event) for event in page.items],
            "next_url": next_url,
            "first_page": cursor is None,
            "entity_examples": ENTITY_EXAMPLES,
            "clear_url": "/admin/audit",
        },
        block="results",
        headers={"Vary": "HX-Request"},
    )
