"""/escalations/{id}: the escalation, the MOJ timeline of its history and the Force's
responses, and the forms for who may use them: the force response (the force liaison, while
the response is awaited), and for OPCC staff the discussion, the follow-up and the outcome.

The forms post with htmx and get back the `escalation_detail` block of the same template
(refreshed, with the message or the errors in it); without JavaScript they
POST-redirect-GET. Every rule is domain.board's: a form is only offered to roles that may
submit it, in the state where it applies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from sqlmodel import Session
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts.rules import Actor, Scope
from domain.actions import policy as actions_policy
from domain.actions import queries as action_queries
from domain.actions.rules import SourceType
from domain.board import policy
from domain.board import service as board
from domain.board.rules import EscalationStatus
from domain.board.schemas import EscalationDetail, EscalationTransition, ForceResponseCreate
from domain.errors import Conflict, FieldError, Forbidden, Invalid, StaleVersion
from web import action_views
from web.action_views import VARY
from web.admin import form_version, stale_message
from web.dates import read_date
from web.forms import GENERAL, Form, FormValues, parse
from web.routes import board_common as common
from web.templating import is_htmx, render

router = APIRouter()
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
CameFrom = Annotated[str | None, Query(alias="from", max_length=20, pattern=r"^[^\x00]*$")]
BACK_TO_LIST = ("/escalations", "Back to escalations")
BACK_TO_INBOX = ("/force-inbox", "Back to the Force inbox")  # opened from the inbox (?from=inbox)
MAX_LINKS = 10

RESPONSE_LABELS = {"response": "Response", "links": "Links"}
DISCUSS_LABELS = {"note": "Discussion", "pcc_response": "PCC response"}
FOLLOW_UP_LABELS = {
    "follow_up_note": "What is asked for now",
    "response_due": "New response due date",
    "target_meeting_id": "Board",
}
CLOSE_LABELS = {"outcome": "Outcome", "close_pcc_response": "PCC response", "close_note": "Note"}


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    title: str
    byline: str
    text: str
    links: tuple[str, ...] = ()


STEP_TITLES = {
    EscalationStatus.AWAITING_RESPONSE: "Escalated to the Force",
    EscalationStatus.RESPONSE_RECEIVED: "Force response received",
    EscalationStatus.DISCUSSED: "Discussed at the board",
    EscalationStatus.FOLLOW_UP: "Follow-up requested",
    EscalationStatus.CLOSED: "Closed",
}


def timeline(shown: EscalationDetail) -> list[TimelineItem]:
    """History steps and force responses, newest first (same moment: the order made)."""
    items: list[tuple[datetime, int, TimelineItem]] = []
    for order, step in enumerate(shown.history):
        if step.from_ is None:
            title = "Escalated to the Force"
        elif step.from_ is EscalationStatus.FOLLOW_UP:
            title = "Awaiting the Force again"
        else:
            title = STEP_TITLES.get(step.to, common.escalation_label(step.to))
        if step.to is EscalationStatus.RESPONSE_RECEIVED:
            continue  # the response itself is on the timeline, with its words
        items.append((step.at, order, TimelineItem(step.at, title, step.actor, step.note)))
    for order, answer in enumerate(shown.force_responses, start=len(shown.history)):
        items.append(
            (
                answer.responded_at,
                order,
                TimelineItem(
                    answer.responded_at,
                    "Force response",
                    answer.responded_by,
                    answer.response,
                    tuple(answer.links),
                ),
            )
        )
    items.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return [item for _, _, item in items]


def _escalation_actions(db: Session, actor: Actor, escalation_id: int) -> list[Any] | None:
    if not actor.can(Scope.READ_ACTIONS):
        return None
    filters = action_queries.ActionFilters(
        source_type=SourceType.ESCALATION, source_id=escalation_id
    )
    return common.every(
        lambda page: action_queries.list_actions(
            db, actor, filters=filters, page=page, today=clock.today()
        )
    )


def _raised_from(db: Session, actor: Actor, shown: EscalationDetail) -> tuple[str, str] | None:
    """(link, words) for the exception report item or monitoring item it came from."""
    if shown.exception_item_id is not None:
        reports = common.every(lambda page: board.list_reports(db, actor, page=page))
        for report in reports:
            if any(item.id == shown.exception_item_id for item in report.items):
                return (
                    f"/exception-reports/{report.id}#item-{shown.exception_item_id}",
                    f"{report.title} ({report.reported_on.strftime('%-d %B %Y')})",
                )
    if shown.monitoring_item_id is not None:
        return (f"/monitoring-items#monitoring-{shown.monitoring_item_id}", "A monitoring item")
    return None


def _escalation_page(
    request: Request,
    db: Session,
    actor: Actor,
    escalation_id: int,
    *,
    forms: dict[str, Form] | None = None,
    faults: tuple[str, ...] = (),
    notice: str | None = None,
    status_code: int = 200,
    back: tuple[str, str] = BACK_TO_LIST,
) -> Response:
    today = clock.today()
    shown = board.get_escalation(db, actor, escalation_id, today=today)
    status = EscalationStatus(shown.status)
    writes = policy.can_write(actor)
    forms = {
        "respond": Form(labels=RESPONSE_LABELS),
        "discussed": Form(labels=DISCUSS_LABELS),
        "follow_up": Form(labels=FOLLOW_UP_LABELS),
        "closed": Form(labels=CLOSE_LABELS),
        **(forms or {}),
    }
    meeting = (
        board.get_meeting(db, actor, shown.target_meeting_id, today=today)
        if shown.target_meeting_id
        else None
    )
    errors = [e for form in forms.values() for e in form.error_summary]
    return render(
        request,
        "board/escalation.html",
        {
            "escalation": shown,
            "back": back,
            "meeting": meeting,
            "raised_from": _raised_from(db, actor, shown),
            "timeline": timeline(shown),
            "actions": _escalation_actions(db, actor, escalation_id),
            "can_add_action": actions_policy.can_edit(actor),
            "show_respond": policy.can_respond(actor)
            and status is EscalationStatus.AWAITING_RESPONSE,
            "show_discussed": writes and status is EscalationStatus.RESPONSE_RECEIVED,
            "show_follow_up": writes and status is EscalationStatus.DISCUSSED,
            "show_close": writes and status is EscalationStatus.DISCUSSED,
            "may_respond": policy.can_respond(actor),
            "may_write": writes,
            "meeting_options": common.meeting_options(db, actor) if writes else [],
            "forms": forms,
            "errors": errors,
            "faults": faults,
            "notice": notice,
            "common": common,
            "views": action_views,
        },
        block="escalation_detail",
        status_code=status_code,
        headers=VARY,
    )


@router.get("/escalations/{escalation_id}")
def show_escalation(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    escalation_id: Id,
    came_from: CameFrom = None,
) -> Response:
    back = BACK_TO_INBOX if came_from == "inbox" else BACK_TO_LIST
    return _escalation_page(request, db, actor, escalation_id, back=back)


def _done(
    request: Request, db: Session, actor: Actor, escalation_id: int, message: str
) -> Response:
    if is_htmx(request):
        return _escalation_page(request, db, actor, escalation_id, notice=message)
    return common.redirect_with(request, f"/escalations/{escalation_id}", message)


def _links(raw: Any, form: Form) -> list[str]:
    links = common.lines(raw)
    for number, link in enumerate(links, start=1):
        if not link.startswith(("https://", "http://")) or any(c.isspace() for c in link):
            form.add(
                "links",
                f"Link {number} must be a web address starting with https://, one on each line",
            )
            break
        if len(link) > 500:
            form.add("links", f"Link {number} must be 500 characters or fewer")
            break
    if len(links) > MAX_LINKS:
        form.add("links", f"Give no more than {MAX_LINKS} links")
    return links


@router.post("/escalations/{escalation_id}/force-response")
def add_force_response(
    request: Request, db: DbSession, actor: CurrentActor, escalation_id: Id, values: FormValues
) -> Response:
    board.get_escalation(db, actor, escalation_id, today=clock.today())
    policy.check_can_respond(actor)
    form = Form(values=values, labels=RESPONSE_LABELS)
    response_text = str(values.get("response", "")).strip()
    if not response_text:
        form.add("response", "Enter the Force's response")
    links = _links(values.get("links"), form)
    parsed = parse(ForceResponseCreate, form, {"response": response_text, "links": links})
    status_code = 422
    if parsed is not None and not form.errors:
        escalation, status_code = common.attempt(
            db,
            form,
            lambda: board.add_force_response(db, actor, escalation_id, parsed, now=clock.now()),
        )
        if escalation is not None:
            return _done(request, db, actor, escalation_id, "The Force's response has been sent")
    return _escalation_page(
        request, db, actor, escalation_id, forms={"respond": form}, status_code=status_code
    )


def _transition_data(
    target: str, values: dict[str, Any], form: Form, db: Session, actor: Actor
) -> tuple[dict[str, Any], tuple[str, ...]]:
    faults: tuple[str, ...] = ()
    if target == "discussed":
        data: dict[str, Any] = {
            "to": target,
            "note": str(values.get("note", "")).strip(),
            "pcc_response": str(values.get("pcc_response", "")).strip() or None,
        }
        if not data["note"]:
            form.add("note", "Enter what the board discussed")
        return data, faults
    if target == "follow_up":
        due = read_date(values, "response_due", FOLLOW_UP_LABELS["response_due"])
        if due.error:
            form.add("response_due", due.error)
            faults = due.faults
        meeting = str(values.get("target_meeting_id", "")).strip()
        if meeting and meeting not in dict(common.meeting_options(db, actor)):
            form.add("target_meeting_id", "Select a board from the list")
        data = {
            "to": target,
            "note": str(values.get("follow_up_note", "")).strip(),
            "response_due": due.value,
            "target_meeting_id": int(meeting) if meeting.isdigit() else None,
        }
        if not data["note"]:
            form.add("follow_up_note", "Enter what the Force is asked for now")
        return data, faults
    data = {
        "to": target,
        "outcome": str(values.get("outcome", "")).strip(),
        "pcc_response": str(values.get("close_pcc_response", "")).strip() or None,
        "note": str(values.get("close_note", "")).strip(),
    }
    if not data["outcome"]:
        form.add("outcome", "Enter the outcome")
    return data, faults


FIELD_NAMES = {
    "follow_up": {"note": "follow_up_note"},
    "closed": {"pcc_response": "close_pcc_response", "note": "close_note"},
}
MESSAGES = {
    "discussed": "The discussion has been recorded",
    "follow_up": "The follow-up has been sent to the Force",
    "closed": "The escalation is closed",
}


@router.post("/escalations/{escalation_id}/transitions")
def change_status(
    request: Request, db: DbSession, actor: CurrentActor, escalation_id: Id, values: FormValues
) -> Response:
    board.get_escalation(db, actor, escalation_id, today=clock.today())
    policy.check_can_write(actor)
    version = form_version(values)
    target = str(values.get("to", ""))
    labels = {
        "discussed": DISCUSS_LABELS,
        "follow_up": FOLLOW_UP_LABELS,
        "closed": CLOSE_LABELS,
    }.get(target, DISCUSS_LABELS)
    key = target if target in MESSAGES else "discussed"
    form = Form(values=values, labels=labels)
    if target not in MESSAGES:
        form.add(GENERAL, "Choose what to record: the discussion, a follow-up or the outcome")
        return _escalation_page(
            request, db, actor, escalation_id, forms={key: form}, status_code=422
        )
    data, faults = _transition_data(target, values, form, db, actor)
    status_code = 422
    renamed = FIELD_NAMES.get(target, {})
    check = Form(values=data, labels=labels)
    parsed = parse(EscalationTransition, check, data)  # every field's problem, in one answer
    for name, message in check.errors.items():
        form.add(renamed.get(name, name), message)
    if parsed is not None and not form.errors:
        try:
            board.transition_escalation(
                db,
                actor,
                escalation_id,
                parsed,
                expected_version=version,
                now=clock.now(),
            )
        except StaleVersion:
            db.rollback()
            form = Form(labels=labels)
            form.add(GENERAL, stale_message("escalation"))
            status_code = 409
        except Invalid as exc:
            db.rollback()
            form.add_invalid(
                Invalid(
                    [
                        FieldError((renamed.get(str(e.loc[-1]), str(e.loc[-1])),), e.msg)
                        if e.loc
                        else e
                        for e in exc.errors
                    ]
                )
            )
        except Forbidden as exc:
            db.rollback()
            form.add(GENERAL, common.sentence(exc.detail))
            status_code = 403
        except Conflict as exc:
            db.rollback()
            form.add(GENERAL, common.sentence(exc.detail))
            status_code = 409
        else:
            return _done(request, db, actor, escalation_id, MESSAGES[target])
    return _escalation_page(
        request,
        db,
        actor,
        escalation_id,
        forms={key: form},
        faults=faults,
        status_code=status_code,
    )
