"""/actions/new and /actions/{id}/edit: the GOV.UK form for an action, with day, month and
year boxes for dates. Nothing is saved while anything is wrong; success redirects to the
action with a message (POST-redirect-GET)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts.rules import Actor
from domain.actions import policy, sources
from domain.actions import queries as action_queries
from domain.actions import service as actions
from domain.actions.rules import SourceType
from domain.actions.schemas import ActionChange, ActionCreate, ActionRead, ActionReadForForce
from domain.errors import Invalid, StaleVersion
from web.action_views import reference_options
from web.admin import form_version, stale_message
from web.dates import date_fields, read_date
from web.flash import set_flash
from web.forms import GENERAL, Form, FormValues, parse
from web.templating import render

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]

LABELS = {
    "title": "Title",
    "detail": "Detail",
    "private_note": "Internal note",
    "owner_org": "Owner organisation",
    "owner_name": "Owner name or role",
    "area": "Area",
    "due_on": "Due date",
    "public": "Public",
    "you_said_we_did": "You said, we did",
    "told_on": "Date told",
    "outcome": "Outcome",
}


def _action_data(
    values: dict[str, Any], form: Form, *, internal: bool, editing: bool
) -> tuple[dict[str, Any], dict[str, tuple[str, ...]]]:
    """The schema's input from the posted form; date and select problems go on `form`."""
    data: dict[str, Any] = {
        "title": values.get("title", ""),
        "detail": values.get("detail", ""),
        "owner_org": values.get("owner_org", ""),
        "owner_name": values.get("owner_name", ""),
        "area": values.get("area") or None,
        "public": values.get("public") == "yes",
        "you_said_we_did": values.get("you_said_we_did", ""),
    }
    if internal:
        data["private_note"] = values.get("private_note", "")
    if editing:
        data["outcome"] = values.get("outcome", "")
    elif values.get("source_type"):
        data["source_type"] = values.get("source_type")
        data["source_id"] = values.get("source_id") or None
    if not str(data["title"]).strip():
        form.add("title", "Enter a title for the action")
    if not data["owner_org"]:
        form.add("owner_org", "Select the organisation that owns the action")
    faults: dict[str, tuple[str, ...]] = {}
    for name, required in (("due_on", True), ("told_on", False)):
        reading = read_date(values, name, LABELS[name], required=required)
        if reading.error:
            form.add(name, reading.error)
            faults[name] = reading.faults
        else:
            data[name] = reading.value
    return data, faults


def _source_named(db: Session, form: Form) -> sources.SourceInfo | None:
    """The record a new action is raised from, named for the form (None if there is none)."""
    kind, ident = str(form.value("source_type")), str(form.value("source_id"))
    if not kind or kind == SourceType.NONE.value or not ident.isdigit():
        return None
    return sources.resolve(db, {(kind, int(ident))}).get((kind, int(ident)))


def _form_page(
    request: Request,
    db: Session,
    actor: Actor,
    form: Form,
    *,
    action: ActionReadForForce | None = None,
    faults: dict[str, tuple[str, ...]] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "actions/form.html",
        {
            "form": form,
            "errors": form.error_summary,
            "action": action,
            "faults": faults or {},
            "internal": policy.sees_internal_notes(actor),
            "source": _source_named(db, form),
            **reference_options(db),
        },
        status_code=status_code,
    )


@router.get("/actions/new")
def new_action(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    source_type: Annotated[SourceType, Query()] = SourceType.NONE,
    source_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """A blank form; `?source_type=objective&source_id=5` raises the action from that source."""
    policy.check_can_edit(actor)
    values: dict[str, Any] = {}
    if source_type is not SourceType.NONE and source_id is not None:
        values = {"source_type": source_type.value, "source_id": str(source_id)}
    return _form_page(request, db, actor, Form(values=values, labels=LABELS))


@router.post("/actions/new")
def create_action(
    request: Request, db: DbSession, actor: CurrentActor, values: FormValues
) -> Response:
    policy.check_can_edit(actor)
    form = Form(values=values, labels=LABELS)
    data, faults = _action_data(
        values, form, internal=policy.sees_internal_notes(actor), editing=False
    )
    parsed = parse(ActionCreate, form, data)
    if parsed is None or form.errors:
        return _form_page(request, db, actor, form, faults=faults, status_code=422)
    try:
        action = actions.create_action(db, actor, parsed, now=clock.now())
    except Invalid as exc:
        db.rollback()
        form.add_invalid(exc)
        return _form_page(request, db, actor, form, faults=faults, status_code=422)
    response = RedirectResponse(f"/actions/{action.id}", status_code=303)
    set_flash(request, response, f"{action.ref} has been added")
    return response


def _current_values(shown: ActionReadForForce) -> dict[str, Any]:
    return {
        "title": shown.title,
        "detail": shown.detail,
        "private_note": shown.private_note if isinstance(shown, ActionRead) else "",
        "owner_org": shown.owner_org,
        "owner_name": shown.owner_name,
        "area": shown.area or "",
        "public": "yes" if shown.public else "",
        "you_said_we_did": shown.you_said_we_did,
        "outcome": shown.outcome,
        "version": shown.version,
        **date_fields("due_on", shown.due_on),
        **date_fields("told_on", shown.told_on),
    }


@router.get("/actions/{action_id}/edit")
def edit_action(request: Request, db: DbSession, actor: CurrentActor, action_id: Id) -> Response:
    shown = action_queries.detail(db, actor, action_id, today=clock.today())
    policy.check_can_edit(actor)
    form = Form(values=_current_values(shown), labels=LABELS)
    return _form_page(request, db, actor, form, action=shown)


@router.post("/actions/{action_id}/edit")
def change_action(
    request: Request, db: DbSession, actor: CurrentActor, action_id: Id, values: FormValues
) -> Response:
    shown = action_queries.detail(db, actor, action_id, today=clock.today())
    policy.check_can_edit(actor)
    version = form_version(values)
    form = Form(values=values, labels=LABELS)
    data, faults = _action_data(
        values, form, internal=policy.sees_internal_notes(actor), editing=True
    )
    parsed = parse(ActionChange, form, data)
    if parsed is None or form.errors:
        return _form_page(request, db, actor, form, action=shown, faults=faults, status_code=422)
    try:
        action = actions.change_action(
            db, actor, action_id, parsed, expected_version=version, now=clock.now()
        )
    except StaleVersion:
        db.rollback()
        fresh = action_queries.detail(db, actor, action_id, today=clock.today())
        again = Form(values=_current_values(fresh), labels=LABELS)
        again.add(GENERAL, stale_message("action"))
        return _form_page(request, db, actor, again, action=fresh, status_code=409)
    except Invalid as exc:
        db.rollback()
        form.add_invalid(exc)
        return _form_page(request, db, actor, form, action=shown, faults=faults, status_code=422)
    response = RedirectResponse(f"/actions/{action_id}", status_code=303)
    set_flash(request, response, f"Changes to {action.ref} saved")
    return response
