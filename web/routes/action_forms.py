"""/actions/new and /actions/{id}/edit: the GOV.UK form for an action, with day, month and
year boxes for dates and, for a new action, the record it was raised from. Every problem is
reported at once, the input kept; nothing is saved while anything is wrong. Success
redirects to the action with a message (POST-redirect-GET)."""

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
from web import action_views as views
from web.admin import form_version, stale_message
from web.dates import date_example, date_fields, read_date
from web.flash import set_flash
from web.forms import GENERAL, Form, FormValues, parse
from web.templating import render

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
MAX_ID = 2**31 - 1
Source = tuple[SourceType, int | None]

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
    "source": "Source",
}
# A code the service does not know, in the words of the field it came from.
NOT_IN_THE_LIST = {
    "owner_org": "Select an owner organisation from the list",
    "area": "Select an area from the list",
    "source": "Select a source from the list",
}


def _chosen_source(values: dict[str, Any], form: Form) -> Source | None:
    """The source select's choice ("objective:5"; empty for none). The API's two fields,
    `source_type` and `source_id`, are understood too. None (with the error on `form`) if
    it is not one the form could have offered."""
    if "source" in values:
        kind, _, ident = str(values.get("source") or "").strip().partition(":")
    else:
        kind = str(values.get("source_type") or "").strip()
        ident = str(values.get("source_id") or "").strip()
        form.values["source"] = views.source_value(kind, ident) if kind else ""
    if not kind or kind == SourceType.NONE.value:
        return SourceType.NONE, None
    if kind not in {t.value for t in sources.registered()} or not (
        ident.isascii() and ident.isdigit() and 1 <= int(ident) <= MAX_ID
    ):
        form.add("source", NOT_IN_THE_LIST["source"])
        return None
    return SourceType(kind), int(ident)


def _action_data(
    values: dict[str, Any], form: Form, *, internal: bool, editing: bool
) -> tuple[dict[str, Any], dict[str, tuple[str, ...]], Source | None]:
    """The schema's input from the posted form, the date boxes at fault and the source
    chosen; problems with dates, selects and the source go on `form`."""
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
    source = None
    if editing:
        data["outcome"] = values.get("outcome", "")
    else:
        source = _chosen_source(values, form)
        if source is not None:
            data["source_type"], data["source_id"] = source
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
    return data, faults, source


def _add_unknown(form: Form, exc: Invalid) -> None:
    """The service's "there is no … with code …", as the form's own field says it."""
    for error in exc.errors:
        name = str(error.loc[-1]) if error.loc else GENERAL
        field = "source" if name in ("source_type", "source_id") else name
        if field in NOT_IN_THE_LIST:
            form.add(field, NOT_IN_THE_LIST[field])
        else:
            form.add_invalid(Invalid([error]))


def _check_references(
    db: Session, actor: Actor, form: Form, data: dict[str, Any], source: Source | None
) -> None:
    """Check the owner, area and source exist even when other fields are wrong, so the
    person hears of every problem at once."""
    try:
        actions.check_references(
            db, actor, owner_org=data["owner_org"] or None, area=data["area"], source=source
        )
    except Invalid as exc:
        _add_unknown(form, exc)


def _kept_source(form: Form) -> tuple[SourceType, int] | None:
    kind, _, ident = str(form.value("source")).partition(":")
    if kind in {t.value for t in sources.registered()} and ident.isdigit():
        return SourceType(kind), int(ident)
    return None


def _form_page(
    request: Request,
    db: Session,
    actor: Actor,
    form: Form,
    *,
    action: ActionReadForForce | None = None,
    faults: dict[str, tuple[str, ...]] | None = None,
    raised_from: sources.SourceInfo | None = None,
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
            "source_groups": []
            if action
            else views.source_choices(db, actor, keep=_kept_source(form)),
            "raised_from": raised_from,
            "due_example": date_example(28),
            "told_example": date_example(-7),
            **views.reference_options(db, actor),
        },
        status_code=status_code,
    )


@router.get("/actions/new")
def new_action(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    source_type: Annotated[SourceType, Query()] = SourceType.NONE,
    source_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """A blank form; `?source_type=objective&source_id=5` raises the action from that source."""
    policy.check_can_edit(actor)
    form = Form(labels=LABELS)
    raised_from = None
    if source_type is not SourceType.NONE and source_id is not None:
        found = sources.resolve(db, {(source_type.value, source_id)})
        raised_from = found.get((source_type.value, source_id))
        if raised_from is not None and sources.may_follow(actor, source_type):
            form.values["source"] = views.source_value(source_type.value, source_id)
        else:
            raised_from = None
    return _form_page(request, db, actor, form, raised_from=raised_from)


@router.post("/actions/new")
def create_action(
    request: Request, db: DbSession, actor: CurrentActor, values: FormValues
) -> Response:
    policy.check_can_edit(actor)
    form = Form(values=dict(values), labels=LABELS)
    data, faults, source = _action_data(
        values, form, internal=policy.sees_internal_notes(actor), editing=False
    )
    parsed = parse(ActionCreate, form, data)
    _check_references(db, actor, form, data, source)
    if parsed is None or form.errors:
        return _form_page(request, db, actor, form, faults=faults, status_code=422)
    try:
        action = actions.create_action(db, actor, parsed, now=clock.now())
    except Invalid as exc:
        db.rollback()
        _add_unknown(form, exc)
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
    form = Form(values=dict(values), labels=LABELS)
    data, faults, _ = _action_data(
        values, form, internal=policy.sees_internal_notes(actor), editing=True
    )
    parsed = parse(ActionChange, form, data)
    _check_references(db, actor, form, data, None)
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
        _add_unknown(form, exc)
        return _form_page(request, db, actor, form, action=shown, faults=faults, status_code=422)
    response = RedirectResponse(f"/actions/{action_id}", status_code=303)
    set_flash(request, response, f"Changes to {action.ref} saved")
    return response
