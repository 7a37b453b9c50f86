"""The escalation lifecycle and the date rules around boards: pure functions, clock passed in."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from domain.errors import InvalidTransition

DUE_SOON_DAYS = 7


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"


class Recommendation(StrEnum):
    ESCALATE = "escalate"
    MONITOR = "monitor"
    NO_ACTION = "no_action"


class EscalationStatus(StrEnum):
    AWAITING_RESPONSE = "awaiting_response"
    RESPONSE_RECEIVED = "response_received"
    DISCUSSED = "discussed"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"


STATUS_LABELS = {
    EscalationStatus.AWAITING_RESPONSE: "Awaiting response",
    EscalationStatus.RESPONSE_RECEIVED: "Response received",
    EscalationStatus.DISCUSSED: "Discussed",
    EscalationStatus.FOLLOW_UP: "Follow-up",
    EscalationStatus.CLOSED: "Closed",
}

RECOMMENDATION_LABELS = {
    Recommendation.ESCALATE: "Escalate to the board",
    Recommendation.MONITOR: "Continue monitoring",
    Recommendation.NO_ACTION: "No action",
}

ALLOWED: dict[EscalationStatus, frozenset[EscalationStatus]] = {
    # Only a force response makes this step (add_force_response), never POST /transitions.
    EscalationStatus.AWAITING_RESPONSE: frozenset({EscalationStatus.RESPONSE_RECEIVED}),
    EscalationStatus.RESPONSE_RECEIVED: frozenset({EscalationStatus.DISCUSSED}),
    EscalationStatus.DISCUSSED: frozenset({EscalationStatus.FOLLOW_UP, EscalationStatus.CLOSED}),
    # Automatic, in the same change as the follow-up: back to waiting with a new due date.
    EscalationStatus.FOLLOW_UP: frozenset({EscalationStatus.AWAITING_RESPONSE}),
    EscalationStatus.CLOSED: frozenset(),
}

# What POST /escalations/{id}/transitions accepts as `to`.
TRANSITION_TARGETS = frozenset({"discussed", "follow_up", "closed"})


def check_transition(current: EscalationStatus, to: EscalationStatus) -> None:
    if to not in ALLOWED[current]:
        raise InvalidTransition(
            f"an escalation that is {STATUS_LABELS[current].lower()} cannot become "
            f"{STATUS_LABELS[to].lower()}"
        )


def path_to(current: EscalationStatus, to: EscalationStatus) -> list[EscalationStatus]:
    """The statuses an escalation passes through when moved to `to` (checked): a follow-up
    returns it to awaiting_response in the same change."""
    check_transition(current, to)
    if to is EscalationStatus.FOLLOW_UP:
        check_transition(to, EscalationStatus.AWAITING_RESPONSE)
        return [to, EscalationStatus.AWAITING_RESPONSE]
    return [to]


def is_overdue(status: EscalationStatus | str, response_due: date, today: date) -> bool:
    """Derived, never stored: the Force's response is awaited and its due date has passed."""
    return status == EscalationStatus.AWAITING_RESPONSE and response_due < today


def is_due_soon(status: EscalationStatus | str, response_due: date, today: date) -> bool:
    return (
        status == EscalationStatus.AWAITING_RESPONSE
        and today <= response_due <= today + timedelta(days=DUE_SOON_DAYS)
    )


def review_overdue(next_review: date, today: date, closed: bool) -> bool:
    """A monitoring item still open whose review date has passed."""
    return not closed and next_review < today
