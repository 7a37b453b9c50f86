"""/board-meetings: the list (next meeting highlighted, filter by kind), the meeting form
(/board-meetings/new and /board-meetings/{id}/edit), and the meeting page: agenda, each
escalation with the Force's and the PCC's responses, the actions captured there with their
status, and the inline "add an action" form.

The action form posts with htmx and gets back the `meeting_actions` block of the same
template (the new row in the table, or the errors); without JavaScript it POST-redirect-GETs.
Every rule is the services': domain.board for meetings, domain.actions for actions."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from sqlmodel import Session
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts.policy import require
from domain.accounts.rules import Actor, Scope
from domain.actions import policy as actions_policy
from domain.actions import queries as action_queries
from domain.actions import service as actions
from domain.actions.rules import SourceType
from domain.actions.schemas import ActionCreate
from domain.board import service as board
from domain.board.rules import MeetingStatus
from domain.board.schemas import MeetingChange, MeetingCreate
from domain.errors import Invalid, StaleVersion
from domain.listing import DEFAULT_LIMIT, PageRequest
from web import action_views
from web.action_views import VARY, reference_options
from web.admin import form_version, stale_message
from web.dates import date_fields, read_date
from web.forms import GENERAL, Form, FormValues, parse
from web.routes import board_common as common
from web.templating import is_htmx, render

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")]

MEETING_LABELS = {
    "held_on": "Date",
    "kind": "Kind of meeting",
    "title": "Title",
    "status": "Status",
    "chair": "Chair",
    "attendees": "Attendees",
    "agenda": "Agenda",
    "summary": "Summary",
    "next_meeting_on": "Next meeting",
    "published": "Published",
}
ACTION_LABELS = {
    "about": "About",
    "title": "Action",
    "owner_org": "Owner organisation",
    "owner_name": "Owner name or role",
    "due_on": "Due date",
}
STATUS_OPTIONS = [("planned", "Planned"), ("held", "Held")]


# ---------------------------------------------------------------------------------------------
# The list


@router.get("/board-meetings")
def list_meetings(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    kind: Text = None,
    cursor: Annotated[str | None, Query(max_length=500, pattern=r"^[^\x00]*$")] = None,
) -> Response:
    require(actor, Scope.READ_BOARD)
    options = common.kind_options(db)
    chosen = (kind or "").strip()
    form = Form(values={"kind": chosen}, labels={"kind": "Kind of meeting"})
    if chosen and chosen not in dict(options):
        form.add("kind", "Choose a kind of meeting that is in the list")
    context: dict[str, Any] = {
        "form": form,
        "errors": form.error_summary,
        "kind_options": options,
        "kind_names": dict(options),
        "can_write": actor.can(Scope.WRITE_BOARD),
        "common": common,
        "section": "meetings",
        "next_meeting": board.next_meeting(db, actor, today=clock.today()),
        "first_page": cursor is None,
    }
    if not form.errors:
        page = board.list_meetings(
            db,
            actor,
            kind=chosen or None,
            page=PageRequest(limit=DEFAULT_LIMIT, cursor=cursor, newest_first=True),
        )
        kept = {"kind": chosen} if chosen else {}
        context |= {
            "meetings": page.items,
            "first_url": "/board-meetings" + (f"?{urlencode(kept)}" if kept else ""),
            "next_url": "/board-meetings?" + urlencode({**kept, "cursor": page.next_cursor})
            if page.next_cursor
            else None,
        }
    return render(request, "board/meetings.html", context, block="results", headers=VARY)


# ---------------------------------------------------------------------------------------------
# The meeting form


def _meeting_data(
    values: dict[str, Any], form: Form
) -> tuple[dict[str, Any], dict[str, tuple[str, ...]]]:
    data: dict[str, Any] = {
        "kind": str(values.get("kind", "")),
        "title": str(values.get("title", "")).strip(),
        "status": str(values.get("status", "")),
        "chair": str(values.get("chair", "")).strip(),
        "attendees": common.lines(values.get("attendees")),
        "agenda": common.lines(values.get("agenda")),
        "summary": str(values.get("summary", "")).strip(),
        "published": values.get("published") == "yes",
    }
    faults: dict[str, tuple[str, ...]] = {}
    held = read_date(values, "held_on", MEETING_LABELS["held_on"])
    if held.error:
        form.add("held_on", held.error)
        faults["held_on"] = held.faults
    else:
        data["held_on"] = held.value
    if not data["kind"]:
        form.add("kind", "Select the kind of meeting")
    if not data["title"]:
        form.add("title", "Enter a title for the meeting")
    if data["status"] not in {s.value for s in MeetingStatus}:
        form.add("status", "Select whether the meeting is planned or held")
    following = read_date(values, "next_meeting_on", "Next meeting", required=False)
    if following.error:
        form.add("next_meeting_on", following.error)
        faults["next_meeting_on"] = following.faults
    else:
        data["next_meeting_on"] = following.value
    for name in ("attendees", "agenda"):
        if len(data[name]) > common.MAX_LINES:
            form.add(name, f"{MEETING_LABELS[name]} must be {common.MAX_LINES} lines or fewer")
    return data, faults


def _meeting_form(
    request: Request,
    db: Session,
    form: Form,
    *,
    meeting: Any = None,
    faults: dict[str, tuple[str, ...]] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "board/meeting_form.html",
        {
            "form": form,
            "errors": form.error_summary,
            "meeting": meeting,
            "faults": faults or {},
            "kind_options": common.kind_options(db),
            "status_options": STATUS_OPTIONS,
        },
        status_code=status_code,
    )


def _ordered(form: Form) -> None:
    """Errors in the order of the form's fields, so the summary reads top to bottom."""
    form.errors = {
        **{name: form.errors[name] for name in MEETING_LABELS if name in form.errors},
        **{name: msg for name, msg in form.errors.items() if name not in MEETING_LABELS},
    }


@router.get("/board-meetings/new")
def new_meeting(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    require(actor, Scope.WRITE_BOARD)
    form = Form(values={"status": "planned", "kind": "cgb"}, labels=MEETING_LABELS)
    return _meeting_form(request, db, form)


@router.post("/board-meetings/new")
def create_meeting(
    request: Request, db: DbSession, actor: CurrentActor, values: FormValues
) -> Response:
    require(actor, Scope.WRITE_BOARD)
    form = Form(values=values, labels=MEETING_LABELS)
    data, faults = _meeting_data(values, form)
    parsed = parse(MeetingCreate, form, data)
    if parsed is not None and not form.errors:
        try:
            meeting = board.create_meeting(db, actor, parsed, now=clock.now())
        except Invalid as exc:
            db.rollback()
            form.add_invalid(exc)
        else:
            return common.redirect_with(
                request, f"/board-meetings/{meeting.id}", f"{meeting.title} has been added"
            )
    _ordered(form)
    return _meeting_form(request, db, form, faults=faults, status_code=422)


def _current_values(meeting: Any) -> dict[str, Any]:
    return {
        "kind": meeting.kind,
        "title": meeting.title,
        "status": str(meeting.status),
        "chair": meeting.chair,
        "attendees": "\n".join(meeting.attendees),
        "agenda": "\n".join(meeting.agenda),
        "summary": meeting.summary,
        "published": "yes" if meeting.published else "",
        "version": meeting.version,
        **date_fields("held_on", meeting.held_on),
        **date_fields("next_meeting_on", meeting.next_meeting_on),
    }


@router.get("/board-meetings/{meeting_id}/edit")
def edit_meeting(request: Request, db: DbSession, actor: CurrentActor, meeting_id: Id) -> Response:
    meeting = board.get_meeting(db, actor, meeting_id, today=clock.today())
    require(actor, Scope.WRITE_BOARD)
    form = Form(values=_current_values(meeting), labels=MEETING_LABELS)
    return _meeting_form(request, db, form, meeting=meeting)


@router.post("/board-meetings/{meeting_id}/edit")
def change_meeting(
    request: Request, db: DbSession, actor: CurrentActor, meeting_id: Id, values: FormValues
) -> Response:
    meeting = board.get_meeting(db, actor, meeting_id, today=clock.today())
    require(actor, Scope.WRITE_BOARD)
    version = form_version(values)
    form = Form(values=values, labels=MEETING_LABELS)
    data, faults = _meeting_data(values, form)
    parsed = parse(MeetingChange, form, data)
    if parsed is not None and not form.errors:
        try:
            board.change_meeting(
                db, actor, meeting_id, parsed, expected_version=version, now=clock.now()
            )
        except StaleVersion:
            db.rollback()
            fresh = board.get_meeting(db, actor, meeting_id, today=clock.today())
            again = Form(values=_current_values(fresh), labels=MEETING_LABELS)
            again.add(GENERAL, stale_message("meeting"))
            return _meeting_form(request, db, again, meeting=fresh, status_code=409)
        except Invalid as exc:
            db.rollback()
            form.add_invalid(exc)
        else:
            return common.redirect_with(
                request, f"/board-meetings/{meeting_id}", "Changes to the meeting saved"
            )
    _ordered(form)
    return _meeting_form(request, db, form, meeting=meeting, faults=faults, status_code=422)


# ---------------------------------------------------------------------------------------------
# The meeting page and its inline action form


def _meeting_actions(db: Session, actor: Actor, meeting: Any) -> list[Any]:
    """Actions captured at this meeting, and those raised from its escalations."""
    wanted = [(SourceType.BOARD_MEETING, meeting.id)] + [
        (SourceType.ESCALATION, e.id) for e in meeting.escalations
    ]
    found: list[Any] = []
    for source_type, source_id in wanted:
        filters = action_queries.ActionFilters(source_type=source_type, source_id=source_id)
        found += common.every(
            lambda page, f=filters: action_queries.list_actions(  # type: ignore[misc]
                db, actor, filters=f, page=page, today=clock.today()
            )
        )
    return sorted(found, key=lambda a: a.id)


def _meeting_page(
    request: Request,
    db: Session,
    actor: Actor,
    meeting_id: int,
    *,
    form: Form | None = None,
    faults: tuple[str, ...] = (),
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    today = clock.today()
    meeting = board.get_meeting(db, actor, meeting_id, today=today)
    escalations = [board.get_escalation(db, actor, e.id, today=today) for e in meeting.escalations]
    can_add = actions_policy.can_edit(actor)
    form = form or Form(values={"about": "meeting", "owner_org": "force"}, labels=ACTION_LABELS)
    actions = _meeting_actions(db, actor, meeting)
    return render(
        request,
        "board/meeting.html",
        {
            "meeting": meeting,
            "escalations": escalations,
            "kind_name": getattr(meeting, "kind_name", meeting.kind),
            "actions": actions,
            "short_names": action_views.short_names(db) if actions else {},
            "can_read_actions": actor.can(Scope.READ_ACTIONS),
            "can_add_action": can_add,
            "can_write": actor.can(Scope.WRITE_BOARD),
            "form": form,
            "errors": form.error_summary,
            "faults": faults,
            "notice": notice,
            "about_options": [("meeting", "The meeting itself")]
            + [(str(e.id), f"{e.ref}: {e.title}") for e in escalations],
            **(
                reference_options(db, actor) if can_add else {"org_options": [], "area_options": []}
            ),
            "common": common,
            "views": action_views,
        },
        block="meeting_actions",
        status_code=status_code,
        headers=VARY,
    )


@router.get("/board-meetings/{meeting_id}")
def show_meeting(request: Request, db: DbSession, actor: CurrentActor, meeting_id: Id) -> Response:
    return _meeting_page(request, db, actor, meeting_id)


@router.post("/board-meetings/{meeting_id}/actions")
def add_meeting_action(
    request: Request, db: DbSession, actor: CurrentActor, meeting_id: Id, values: FormValues
) -> Response:
    meeting = board.get_meeting(db, actor, meeting_id, today=clock.today())
    actions_policy.check_can_edit(actor)
    form = Form(values=values, labels=ACTION_LABELS)
    about = str(values.get("about", "meeting"))
    escalation_ids = {str(e.id) for e in meeting.escalations}
    if about == "meeting":
        source: dict[str, Any] = {
            "source_type": SourceType.BOARD_MEETING,
            "source_id": meeting_id,
        }
    elif about in escalation_ids:
        source = {"source_type": SourceType.ESCALATION, "source_id": int(about)}
    else:
        form.add("about", "Select what the action is about")
        # checked as if about the meeting, so the other fields' problems show at once too
        source = {"source_type": SourceType.BOARD_MEETING, "source_id": meeting_id}
    title = str(values.get("title", "")).strip()
    if not title:
        form.add("title", "Enter the action agreed")
    if not values.get("owner_org"):
        form.add("owner_org", "Select the organisation that owns the action")
    due = read_date(values, "due_on", ACTION_LABELS["due_on"])
    if due.error:
        form.add("due_on", due.error)
    data = {
        "title": title,
        "owner_org": str(values.get("owner_org", "")),
        "owner_name": str(values.get("owner_name", "")).strip(),
        "due_on": due.value,
        **source,
    }
    parsed = parse(ActionCreate, form, data)
    if parsed is not None and not form.errors:
        try:
            action = actions.create_action(db, actor, parsed, now=clock.now())
        except Invalid as exc:
            db.rollback()
            form.add_invalid(exc)
        else:
            message = f"{action.ref} has been added"
            if is_htmx(request):
                return _meeting_page(request, db, actor, meeting_id, notice=message)
            return common.redirect_with(request, f"/board-meetings/{meeting_id}#actions", message)
    form.errors = {
        **{name: form.errors[name] for name in ACTION_LABELS if name in form.errors},
        **{name: msg for name, msg in form.errors.items() if name not in ACTION_LABELS},
    }
    return _meeting_page(
        request,
        db,
        actor,
        meeting_id,
        form=form,
        faults=due.faults if due.error else (),
        status_code=422,
    )
