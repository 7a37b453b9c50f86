"""What the board pages share: the words and tags for meeting, escalation and item states
(words first, colour second), the pick-lists (board kinds, topics, meetings), reading lists
typed one item a line, running a change for a form, the escalate form (of an exception report
item or a monitoring item), and the geometry of the small value / target / baseline chart."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from domain.accounts.rules import Actor
from domain.board import service as board
from domain.board.rules import EscalationStatus, MeetingStatus, Recommendation
from domain.board.schemas import EscalateItem
from domain.board.tables import Escalation
from domain.errors import Conflict, Invalid
from domain.listing import MAX_LIMIT, Page, PageRequest
from domain.reference import service as reference
from domain.reference.service import BOARD_KINDS, TOPICS
from web.admin import Tag
from web.dates import read_date
from web.flash import set_flash
from web.forms import GENERAL, Form, parse
from web.templating import render

T = TypeVar("T")

MEETING_TAGS = {
    MeetingStatus.PLANNED: Tag("Planned", "blue"),
    MeetingStatus.HELD: Tag("Held", "green"),
}
PUBLISHED = Tag("Published", "green")
NOT_PUBLISHED = Tag("Not published", "grey")
NEXT_MEETING = Tag("Next meeting", "purple")
ESCALATION_LABELS = {
    EscalationStatus.AWAITING_RESPONSE: "Awaiting the Force",
    EscalationStatus.RESPONSE_RECEIVED: "Response received",
    EscalationStatus.DISCUSSED: "Discussed",
    EscalationStatus.FOLLOW_UP: "Follow-up requested",
    EscalationStatus.CLOSED: "Closed",
}
ESCALATION_TAGS = {
    EscalationStatus.AWAITING_RESPONSE: Tag("Awaiting the Force", "yellow"),
    EscalationStatus.RESPONSE_RECEIVED: Tag("Response received", "light-blue"),
    EscalationStatus.DISCUSSED: Tag("Discussed", "blue"),
    EscalationStatus.FOLLOW_UP: Tag("Follow-up requested", "orange"),
    EscalationStatus.CLOSED: Tag("Closed", "grey"),
}
RECOMMENDATION_LABELS = {
    Recommendation.ESCALATE: "Escalate",
    Recommendation.MONITOR: "Monitor",
    Recommendation.NO_ACTION: "No action",
}
RECOMMENDATION_TAGS = {
    Recommendation.ESCALATE: Tag("Escalate", "red"),
    Recommendation.MONITOR: Tag("Monitor", "yellow"),
    Recommendation.NO_ACTION: Tag("No action", "grey"),
}
RECOMMENDATION_OPTIONS = [(r.value, label) for r, label in RECOMMENDATION_LABELS.items()]
OVERDUE = Tag("Overdue", "red")
REVIEW_OVERDUE = Tag("Review overdue", "red")
CLOSED = Tag("Closed", "grey")
OPEN = Tag("Under monitoring", "blue")
MAX_LINES = 30
ESCALATE_LABELS = {
    "request": "Request to the Force",
    "response_due": "Response due",
    "target_meeting_id": "Board",
}


def meeting_tag(status: str) -> Tag:
    try:
        return MEETING_TAGS[MeetingStatus(status)]
    except ValueError:
        return Tag(status, "grey")


def escalation_tag(status: str) -> Tag:
    try:
        return ESCALATION_TAGS[EscalationStatus(status)]
    except ValueError:
        return Tag(status, "grey")


def escalation_label(status: str) -> str:
    try:
        return ESCALATION_LABELS[EscalationStatus(status)]
    except ValueError:
        return status


def recommendation_tag(value: str) -> Tag:
    try:
        return RECOMMENDATION_TAGS[Recommendation(value)]
    except ValueError:
        return Tag(value, "grey")


def every(fetch: Callable[[PageRequest], Page[T]]) -> list[T]:
    """All the pages of a keyset list, for pick-lists and small pages."""
    found: list[T] = []
    cursor: str | None = None
    while True:
        page = fetch(PageRequest(limit=MAX_LIMIT, cursor=cursor))
        found.extend(page.items)
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def kind_options(db: Session) -> list[tuple[str, str]]:
    return [(k.code, k.name) for k in reference.active_records(db, BOARD_KINDS)]


def topic_options(db: Session) -> list[tuple[str, str]]:
    return [(t.code, t.name) for t in reference.active_records(db, TOPICS)]


def meeting_label(meeting: Any) -> str:
    return f"{meeting.held_on.strftime('%-d %B %Y')}: {meeting.title}"


def meeting_options(db: Session, actor: Actor) -> list[tuple[str, str]]:
    """Meetings to choose as an escalation's target: planned ones first, soonest first."""
    meetings = every(lambda page: board.list_meetings(db, actor, kind=None, page=page))
    planned = sorted(
        (m for m in meetings if m.status == MeetingStatus.PLANNED), key=lambda m: m.held_on
    )
    held = sorted(
        (m for m in meetings if m.status != MeetingStatus.PLANNED),
        key=lambda m: m.held_on,
        reverse=True,
    )
    return [(str(m.id), meeting_label(m)) for m in planned + held]


def lines(raw: Any) -> list[str]:
    """A textarea typed one item a line, blank lines dropped."""
    return [line.strip() for line in str(raw or "").splitlines() if line.strip()]


def redirect_with(request: Request, url: str, message: str) -> Response:
    response = RedirectResponse(url, status_code=303)
    set_flash(request, response, message)
    return response


def sentence(detail: str) -> str:
    return detail[:1].upper() + detail[1:]


def form_page(
    request: Request,
    template: str,
    form: Form,
    context: dict[str, Any],
    *,
    faults: tuple[str, ...] = (),
    status_code: int = 200,
) -> Response:
    """A form's page: the form, its error summary and the date fields at fault, and `context`."""
    return render(
        request,
        template,
        {"form": form, "errors": form.error_summary, "faults": faults, **context},
        status_code=status_code,
    )


def attempt(db: Session, form: Form, change: Callable[[], T]) -> tuple[T | None, int]:
    """Run a form's domain change: (its result, 200), or (None, the status to show the form
    again with) and the domain's objection on `form`: 422 when invalid, 409 on a conflict."""
    try:
        return change(), 200
    except Invalid as exc:
        db.rollback()
        form.add_invalid(exc)
        return None, 422
    except Conflict as exc:
        db.rollback()
        form.add(GENERAL, sentence(exc.detail))
        return None, 409


# ---------------------------------------------------------------------------------------------
# The escalate form, for an exception report item or a monitoring item.


@dataclass(frozen=True)
class EscalateForm:
    """Where an escalate form posts, the way back, its caption and what it escalates."""

    action: str
    back: str
    back_text: str
    caption: str
    about: str


def escalate_page(
    request: Request,
    db: Session,
    actor: Actor,
    place: EscalateForm,
    form: Form,
    *,
    faults: tuple[str, ...] = (),
    status_code: int = 200,
) -> Response:
    context = {
        "action": place.action,
        "back": place.back,
        "back_text": place.back_text,
        "caption": place.caption,
        "about": place.about,
        "meeting_options": meeting_options(db, actor),
    }
    return form_page(
        request, "board/escalate_form.html", form, context, faults=faults, status_code=status_code
    )


def read_escalate(
    values: dict[str, Any], form: Form, meeting_choices: list[tuple[str, str]]
) -> tuple[EscalateItem | None, tuple[str, ...]]:
    """The escalate form (request, due date, board) as the schema, every problem on `form`."""
    request_text = str(values.get("request", "")).strip()
    if not request_text:
        form.add("request", "Enter what the Force is asked for")
    due = read_date(values, "response_due", ESCALATE_LABELS["response_due"])
    if due.error:
        form.add("response_due", due.error)
    meeting = str(values.get("target_meeting_id", "")).strip()
    if meeting and meeting not in dict(meeting_choices):
        form.add("target_meeting_id", "Select a board from the list")
    data = {
        "request": request_text,
        "response_due": due.value,
        "target_meeting_id": int(meeting) if meeting.isdigit() else None,
    }
    parsed = parse(EscalateItem, form, data)  # every field's problem, in one answer
    return (parsed if not form.errors else None), (due.faults if due.error else ())


def escalate(
    request: Request,
    db: Session,
    actor: Actor,
    place: EscalateForm,
    values: dict[str, Any],
    send: Callable[[EscalateItem], Escalation],
) -> Response:
    """A posted escalate form: to the new escalation when `send` takes it, else the form again
    with the problems (422, or 409 when the domain refuses)."""
    form = Form(values=values, labels=ESCALATE_LABELS)
    parsed, faults = read_escalate(values, form, meeting_options(db, actor))
    status_code = 422
    if parsed is not None:
        escalation, status_code = attempt(db, form, lambda: send(parsed))
        if escalation is not None:
            return redirect_with(
                request,
                f"/escalations/{escalation.id}",
                f"{escalation.ref} has been sent to the Force",
            )
    return escalate_page(request, db, actor, place, form, faults=faults, status_code=status_code)


# ---------------------------------------------------------------------------------------------
# The figures chart: baseline, value now and target as three horizontal bars.

CHART_WIDTH = 320
BAR_HEIGHT = 22
ROW_HEIGHT = 52


@dataclass(frozen=True)
class FigureBar:
    label: str
    number: float
    text: str  # the number as written, with its unit
    key: str  # a colour class of the existing chart styles
    label_y: int
    bar_y: int
    width: float


@dataclass(frozen=True)
class FigureChart:
    width: int
    height: int
    bars: list[FigureBar]
    summary: str


def figure_text(number: float | None, unit: str) -> str:
    if number is None:
        return "Not given"
    shown = f"{number:g}"
    if not unit:
        return shown
    return f"{shown}{unit}" if unit == "%" else f"{shown} {unit}"


def figure_chart(item: Any) -> FigureChart | None:
    """None when the item has no figures; otherwise the bars, scaled to the largest."""
    figures = [
        ("Baseline", item.baseline, "none"),
        ("Now", item.value, "blue"),
        ("Target", item.target, "green"),
    ]
    given = [(label, number, key) for label, number, key in figures if number is not None]
    if not given:
        return None
    largest = max(abs(number) for _, number, _ in given) or 1.0
    usable = CHART_WIDTH - 2
    bars = []
    y = 0
    for label, number, key in given:
        bars.append(
            FigureBar(
                label,
                number,
                figure_text(number, item.unit),
                key,
                y + 16,
                y + 24,
                round(max(usable * abs(number) / largest, 1.0), 2),
            )
        )
        y += ROW_HEIGHT
    return FigureChart(CHART_WIDTH, y, bars, figure_summary(item))


def figure_summary(item: Any) -> str:
    parts = []
    if item.value is not None:
        parts.append(f"now {figure_text(item.value, item.unit)}")
    if item.target is not None:
        parts.append(f"against a target of {figure_text(item.target, item.unit)}")
    if item.baseline is not None:
        parts.append(f"from a baseline of {figure_text(item.baseline, item.unit)}")
    text = ", ".join(parts)
    if item.period:
        text += f" ({item.period})"
    return text[:1].upper() + text[1:] + "."
