"""/actions/{id}: the action page (summary, MOJ timeline of status changes and updates)
and its two forms, add an update and change status.

The forms post with htmx and get back the `action_detail` block of the same template
(refreshed, with the message or the errors in it); without JavaScript they
POST-redirect-GET. Every rule is the service's: the page only offers what
`service.abilities` says this person may do. Opened from the Force inbox (`?from=inbox`),
the page and its forms lead back there."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts.rules import Actor
from domain.actions import queries as action_queries
from domain.actions import service as actions
from domain.actions.rules import STATUS_LABELS, ActionStatus
from domain.actions.schemas import ActionRead, ActionUpdateCreate, ActionUpdateRead
from domain.errors import Forbidden, Invalid, InvalidTransition, StaleVersion
from domain.listing import MAX_LIMIT, PageRequest
from domain.reference import service as reference
from domain.reference.service import AREAS
from web import action_views as views
from web.action_views import VARY
from web.admin import form_version, stale_message
from web.flash import set_flash
from web.forms import GENERAL, Form, FormValues, parse
from web.templating import is_htmx, render

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
CameFrom = Annotated[str | None, Query(alias="from", max_length=2000)]
INBOX = "inbox"
UPDATE_LABELS = {"body": "Update", "evidence_url": "Evidence link", "internal": "Internal note"}
STATUS_FORM_LABELS = {"to": "New status", "note": "Reason or note"}


def _all_updates(db: Session, actor: Actor, action_id: int) -> list[ActionUpdateRead]:
    found: list[ActionUpdateRead] = []
    cursor: str | None = None
    while True:
        page = action_queries.list_updates(
            db, actor, action_id, page=PageRequest(limit=MAX_LIMIT, cursor=cursor)
        )
        found.extend(ActionUpdateRead.model_validate(u) for u in page.items)
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def _area_name(db: Session, code: str | None) -> str | None:
    if code is None:
        return None
    return {a.code: a.name for a in reference.active_records(db, AREAS)}.get(code, code)


def _here(action_id: int, came_from: str | None) -> str:
    """The action's own address, still leading back to the inbox if it was opened there.
    Only the one known word is kept, so no address can be smuggled in."""
    return f"/actions/{action_id}" + ("?from=inbox" if came_from == INBOX else "")


def _action_page(
    request: Request,
    db: Session,
    actor: Actor,
    action_id: int,
    *,
    came_from: str | None = None,
    update_form: Form | None = None,
    status_form: Form | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    shown = action_queries.detail(db, actor, action_id, today=clock.today())
    can = action_queries.abilities(db, actor, shown)
    updates = _all_updates(db, actor, action_id)
    names = action_queries.display_names(
        db, {shown.created_by} | {h.actor for h in shown.history} | {u.author for u in updates}
    )
    update_form = update_form or Form(labels=UPDATE_LABELS)
    status_form = status_form or Form(labels=STATUS_FORM_LABELS)
    errors = update_form.error_summary + status_form.error_summary
    return render(
        request,
        "actions/show.html",
        {
            "action": shown,
            "private_note": shown.private_note if isinstance(shown, ActionRead) else None,
            "area_name": _area_name(db, shown.area),
            "added_by": names[shown.created_by],
            "can": can,
            "timeline": views.timeline(shown.history, updates, names),
            "moves": views.status_form(shown.status, can.moves, chooses=can.edit),
            "update_form": update_form,
            "status_form": status_form,
            "errors": errors,
            "notice": notice,
            "views": views,
            "here": _here(action_id, came_from),
            "from_inbox": came_from == INBOX,
        },
        block="action_detail",
        status_code=status_code,
        headers=VARY,
    )


@router.get("/actions/{action_id}")
def show_action(
    request: Request, db: DbSession, actor: CurrentActor, action_id: Id, came_from: CameFrom = None
) -> Response:
    return _action_page(request, db, actor, action_id, came_from=came_from)


def _done(
    request: Request,
    action_id: int,
    message: str,
    db: Session,
    actor: Actor,
    came_from: str | None,
) -> Response:
    """htmx gets the refreshed fragment with the message in it; everyone else a redirect."""
    if is_htmx(request):
        return _action_page(request, db, actor, action_id, came_from=came_from, notice=message)
    response = RedirectResponse(_here(action_id, came_from), status_code=303)
    set_flash(request, response, message)
    return response


def _sentence(detail: str) -> str:
    return detail[:1].upper() + detail[1:]


@router.post("/actions/{action_id}/updates")
def add_update(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    action_id: Id,
    values: FormValues,
    came_from: CameFrom = None,
) -> Response:
    form = Form(values=values, labels=UPDATE_LABELS)
    if not str(values.get("body", "")).strip():
        form.add("body", "Enter the update")
    evidence = str(values.get("evidence_url", "")).strip()
    if evidence and not evidence.startswith(("https://", "http://")):
        form.add("evidence_url", "Enter a link that starts with https://")
    data = parse(
        ActionUpdateCreate,
        form,
        {
            "body": values.get("body", ""),
            "evidence_url": evidence,
            "internal": values.get("internal") == "yes",
        },
    )
    status_code = 422
    if data is not None and not form.errors:
        try:
            actions.add_update(db, actor, action_id, data, now=clock.now())
            return _done(request, action_id, "Your update has been added", db, actor, came_from)
        except Forbidden as exc:
            db.rollback()
            form.add(GENERAL, _sentence(exc.detail))
            status_code = 403
        except Invalid as exc:
            db.rollback()
            form.add_invalid(exc)
    return _action_page(
        request,
        db,
        actor,
        action_id,
        came_from=came_from,
        update_form=form,
        status_code=status_code,
    )


@router.post("/actions/{action_id}/transitions")
def change_status(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    action_id: Id,
    values: FormValues,
    came_from: CameFrom = None,
) -> Response:
    version = form_version(values)
    form = Form(values=values, labels=STATUS_FORM_LABELS)
    target = str(values.get("to", ""))
    note = str(values.get("note", "")).strip()
    if target not in {s.value for s in ActionStatus}:
        form.add("to", "Select the new status")
    if len(note) > 5000:
        form.add("note", "Reason or note must be 5000 characters or fewer")
    status_code = 422
    if not form.errors:
        try:
            actions.transition_action(
                db,
                actor,
                action_id,
                to=target,
                note=note,
                expected_version=version,
                now=clock.now(),
                today=clock.today(),
            )
            label = STATUS_LABELS[ActionStatus(target)].lower()
            return _done(request, action_id, f"The action is now {label}", db, actor, came_from)
        except InvalidTransition:
            db.rollback()
            current = action_queries.get_action(db, actor, action_id).status
            form.add(
                GENERAL,
                f"This action cannot move from {views.status_label(current).lower()} "
                f"to {views.status_label(target).lower()}",
            )
            status_code = 409
        except StaleVersion:
            db.rollback()
            form = Form(values={"note": note}, labels=STATUS_FORM_LABELS)
            form.add(GENERAL, stale_message("action"))
            status_code = 409
        except Forbidden as exc:
            db.rollback()
            form.add(GENERAL, _sentence(exc.detail))
            status_code = 403
        except Invalid as exc:
            db.rollback()
            form.add_invalid(exc)
    return _action_page(
        request,
        db,
        actor,
        action_id,
        came_from=came_from,
        status_form=form,
        status_code=status_code,
    )
