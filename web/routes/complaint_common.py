"""What the complaint review pages share: the words and tags for a case's state (words first,
colour second: "12 days left", "3 days over", "On hold"), the age bands, the review rules the
settings choose, and the way a form's change is answered (an htmx block, or
POST-redirect-GET)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from sqlmodel import Session

from domain.accounts.rules import Actor
from domain.complaints import policy
from domain.complaints import service as complaints
from domain.complaints.rules import (
    AGE_BAND_LABELS,
    OUTCOME_LABELS,
    STATUS_LABELS,
    AgeBand,
    ContactMethod,
    ReviewOutcome,
    ReviewRules,
    ReviewStatus,
)
from domain.errors import FieldError, Invalid
from web.admin import Tag

STATUS_TAGS = {
    ReviewStatus.RECEIVED: Tag("Received", "blue"),
    ReviewStatus.VALIDITY_CHECK: Tag("Validity check", "turquoise"),
    ReviewStatus.INVALID: Tag("Invalid", "grey"),
    ReviewStatus.FORWARDED_TO_IOPC: Tag("Forwarded to the IOPC", "purple"),
    ReviewStatus.IN_REVIEW: Tag("In review", "blue"),
    ReviewStatus.ON_HOLD: Tag("On hold", "yellow"),
    ReviewStatus.DECIDED: Tag("Decided", "teal"),
    ReviewStatus.CLOSED: Tag("Closed", "grey"),
    ReviewStatus.WITHDRAWN: Tag("Withdrawn", "grey"),
}
RUNNING = (ReviewStatus.RECEIVED, ReviewStatus.VALIDITY_CHECK, ReviewStatus.IN_REVIEW)
ON_HOLD = Tag("On hold", "yellow")
LATE = Tag("Late application", "orange")
UPDATE_OVERDUE = Tag("Update overdue", "red")
PERSONAL_DATA = Tag("Personal data", "pink")
RESPONDED = Tag("Force responded", "green")
AWAITING = Tag("Awaiting the Force", "yellow")
UPHELD = Tag("Upheld", "red")

STATUS_OPTIONS = [(s.value, STATUS_LABELS[s]) for s in ReviewStatus]
AGE_BAND_OPTIONS = [(band.value, label) for band, label in AGE_BAND_LABELS.items()]
OUTCOME_OPTIONS = [(o.value, OUTCOME_LABELS[o]) for o in ReviewOutcome]
METHOD_OPTIONS = [(m.value, m.value.capitalize()) for m in ContactMethod]
METHOD_LABELS = dict(METHOD_OPTIONS)


def rules_of(request: Request) -> ReviewRules:
    """The review rules the deployment's settings choose (target rule, days, retention)."""
    return ReviewRules.from_settings(request.app.state.settings)


def status_tag(status: str) -> Tag:
    try:
        return STATUS_TAGS[ReviewStatus(status)]
    except ValueError:
        return Tag(status, "grey")


def status_label(status: str | None) -> str:
    if status is None:
        return ""
    try:
        return STATUS_LABELS[ReviewStatus(status)]
    except ValueError:
        return status


def outcome_label(outcome: str | None) -> str:
    if not outcome:
        return ""
    try:
        return OUTCOME_LABELS[ReviewOutcome(outcome)]
    except ValueError:
        return outcome


def age_band_label(band: str | None) -> str:
    if not band:
        return ""
    try:
        return AGE_BAND_LABELS[AgeBand(band)]
    except ValueError:
        return band


def plural(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def days_tag(status: str, days_left: int | None) -> Tag | None:
    """How the case stands against its target, in words: "12 days left", "3 days over",
    "Due today", "On hold". None once the case is decided or ended."""
    try:
        current = ReviewStatus(status)
    except ValueError:
        return None
    if current is ReviewStatus.ON_HOLD:
        return ON_HOLD
    if current not in RUNNING or days_left is None:
        return None
    if days_left < 0:
        return Tag(f"{plural(-days_left, 'day')} over", "red")
    if days_left == 0:
        return Tag("Due today", "orange")
    return Tag(f"{plural(days_left, 'day')} left", "yellow" if days_left <= 7 else "green")


def target_words(rules: ReviewRules) -> str:
    """The completion target in words, as the KPIs and the case page say it."""
    return f"{rules.describe_target()} from the day the application was received"


@dataclass(frozen=True)
class DueThisWeek:
    """Home's "Reviews due this week" panel."""

    rows: list[Any]
    today: date


def due_this_week(db: Session, actor: Actor, request: Request, today: date) -> DueThisWeek | None:
    """Open reviews due within 7 days or overdue; None for people who do not see cases."""
    if not policy.sees_cases(actor):
        return None
    rows = complaints.due_this_week(db, actor, today=today, rules=rules_of(request))
    return DueThisWeek(rows=list(rows), today=today)


def schema_faults(exc: ValidationError) -> Invalid:
    """A schema's objections as the domain's, in the house's words, so each form puts them on
    its own fields the way it puts the services' objections."""
    faults = []
    for error in exc.errors():
        limit = (error.get("ctx") or {}).get("max_length")
        if error["type"] == "string_too_long" and isinstance(limit, int):
            message = f"must be {limit:,} characters or fewer"
        else:
            message = "is not valid"
        faults.append(FieldError(tuple(error["loc"]), message))
    return Invalid(faults)
