"""The action lifecycle and the date rules around it: pure functions, clock passed in."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from domain.errors import InvalidTransition, invalid

DUE_SOON_DAYS = 7
EARLIEST_DUE_DATE = date(2000, 1, 1)


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


STATUS_LABELS = {
    ActionStatus.OPEN: "Open",
    ActionStatus.IN_PROGRESS: "In progress",
    ActionStatus.DONE: "Done",
    ActionStatus.CANCELLED: "Cancelled",
}


class SourceType(StrEnum):
    BOARD_MEETING = "board_meeting"
    ESCALATION = "escalation"
    ENGAGEMENT = "engagement"
    COMPLAINT_REVIEW = "complaint_review"
    OBJECTIVE = "objective"
    NONE = "none"


ALLOWED: dict[ActionStatus, frozenset[ActionStatus]] = {
    ActionStatus.OPEN: frozenset(
        {ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.CANCELLED}
    ),
    ActionStatus.IN_PROGRESS: frozenset({ActionStatus.DONE, ActionStatus.CANCELLED}),
    ActionStatus.DONE: frozenset({ActionStatus.IN_PROGRESS}),
    ActionStatus.CANCELLED: frozenset(),
}

# Cancelling and reopening must say why; the reason is the transition's note.
NEEDS_REASON: frozenset[tuple[ActionStatus, ActionStatus]] = frozenset(
    {
        (ActionStatus.OPEN, ActionStatus.CANCELLED),
        (ActionStatus.IN_PROGRESS, ActionStatus.CANCELLED),
        (ActionStatus.DONE, ActionStatus.IN_PROGRESS),
    }
)

CLOSED = frozenset({ActionStatus.DONE, ActionStatus.CANCELLED})


def check_transition(current: ActionStatus, target: ActionStatus, note: str | None) -> None:
    if target not in ALLOWED[current]:
        raise InvalidTransition(
            f"an action that is {STATUS_LABELS[current].lower()} cannot become "
            f"{STATUS_LABELS[target].lower()}"
        )
    if (current, target) in NEEDS_REASON and not (note and note.strip()):
        verb = "reopening" if current is ActionStatus.DONE else "cancelling"
        raise invalid("note", f"give the reason for {verb} the action")


def is_overdue(status: ActionStatus, due_on: date | None, today: date) -> bool:
    """Derived, never stored: open work whose due date has passed."""
    return status not in CLOSED and due_on is not None and due_on < today


def is_due_soon(status: ActionStatus, due_on: date | None, today: date) -> bool:
    return (
        status not in CLOSED
        and due_on is not None
        and today <= due_on <= today + timedelta(days=DUE_SOON_DAYS)
    )


def check_due_date(due_on: date | None) -> None:
    if due_on is not None and due_on < EARLIEST_DUE_DATE:
        raise invalid("due_on", "must be a date from 2000 onwards")
