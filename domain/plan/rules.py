"""RAG rules (DOMAIN.md §1): every rating carries its reason; quarters start 1 April."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.errors import FieldError, Invalid


class Rating(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    BLUE = "blue"


RATING_LABELS = {
    Rating.GREEN: "Green",
    Rating.AMBER: "Amber",
    Rating.RED: "Red",
    Rating.BLUE: "Complete",
}
NOT_YET_RATED = "Not yet rated"

# Higher is better; blue (complete) is best.
RATING_RANK = {Rating.RED: 0, Rating.AMBER: 1, Rating.GREEN: 2, Rating.BLUE: 3}


class DeliveryStage(StrEnum):
    NOT_STARTED = "not_started"
    PLANNED = "planned"
    IN_DELIVERY = "in_delivery"
    DELIVERED = "delivered"


class Direction(StrEnum):
    IMPROVING = "improving"
    STABLE = "stable"
    DECLINING = "declining"
    NEW = "new"


class PlanStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ARCHIVED = "archived"


class PeriodStatus(StrEnum):
    OPEN = "open"
    PUBLISHED = "published"


MIN_RATIONALE_CHARS = 20
MIN_RATIONALE_WORDS = 4
PLACEHOLDERS = (
    "n/a",
    "na",
    "n.a.",
    "tbc",
    "tba",
    "tbd",
    "to be confirmed",
    "to be advised",
    "to be decided",
    "see above",
    "see below",
    "as above",
    "as before",
    "same as last",
    "no change",
    "none",
    "nothing to report",
    "-",
    "xxx",
    "test",
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower()).strip(" .!,;:")


def rationale_problem(text: str | None) -> str | None:
    """Why a rationale is not a real reason, or None if it is."""
    if text is None or not text.strip():
        return "enter the reason for this rating"
    normalised = _normalise(text)
    if any(normalised == p or normalised.startswith(p + " ") for p in PLACEHOLDERS):
        return (
            "give the actual reason for this rating, "
            "not a placeholder such as n/a, tbc or see above"
        )
    if len(text.strip()) < MIN_RATIONALE_CHARS or len(_WORD.findall(text)) < MIN_RATIONALE_WORDS:
        return (
            f"must be a real sentence of at least {MIN_RATIONALE_WORDS} words and "
            f"{MIN_RATIONALE_CHARS} characters explaining the rating"
        )
    return None


@dataclass(frozen=True)
class AssessmentDraft:
    rating: Rating
    rationale: str
    delivery_stage: DeliveryStage
    next_steps: str
    expected_date: date | None


def check_assessment(draft: AssessmentDraft, *, period_start: date) -> None:
    """Every rule for one rating, all reported at once, each naming its field."""
    errors: list[FieldError] = []
    problem = rationale_problem(draft.rationale)
    if problem:
        errors.append(FieldError(("rationale",), problem))
    if draft.rating in (Rating.AMBER, Rating.RED):
        label = RATING_LABELS[draft.rating].lower()
        if not draft.next_steps.strip():
            errors.append(
                FieldError(("next_steps",), f"say what happens next: {label} needs next steps")
            )
        if draft.expected_date is None:
            errors.append(
                FieldError(
                    ("expected_date",),
                    f"give the date it is expected back on track: {label} needs one",
                )
            )
        elif draft.expected_date <= period_start:
            errors.append(
                FieldError(("expected_date",), "must be after the start of the period being rated")
            )
    if draft.rating is Rating.BLUE and draft.delivery_stage is not DeliveryStage.DELIVERED:
        errors.append(
            FieldError(("delivery_stage",), "must be delivered when the rating is complete (blue)")
        )
    if errors:
        raise Invalid(errors)


def direction(previous: Rating | None, current: Rating) -> Direction:
    if previous is None:
        return Direction.NEW
    change = RATING_RANK[current] - RATING_RANK[previous]
    if change > 0:
        return Direction.IMPROVING
    if change < 0:
        return Direction.DECLINING
    return Direction.STABLE


# Reporting periods: UK financial-year quarters, the year starting 1 April.
_PERIOD_CODE = re.compile(r"^(\d{4})-(\d{2})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int  # the calendar year in which the financial year starts
    number: int  # 1..4

    @property
    def code(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}-Q{self.number}"

    @property
    def label(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d} Q{self.number}"

    @property
    def starts_on(self) -> date:
        month = 4 + 3 * (self.number - 1)
        return date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def ends_on(self) -> date:
        following = self.next()
        return date.fromordinal(following.starts_on.toordinal() - 1)

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )


def quarter_of(day: date) -> Quarter:
    """The financial-year quarter a date falls in: 1 April starts Q1."""
    months_since_april = (day.month - 4) % 12
    year = day.year if day.month >= 4 else day.year - 1
    return Quarter(year, months_since_april // 3 + 1)


def parse_period_code(code: str) -> Quarter:
    match = _PERIOD_CODE.match(code)
    if not match:
        raise Invalid([FieldError(("code",), "must look like 2023-24-Q3")])
    year, short, number = int(match[1]), int(match[2]), int(match[3])
    if (year + 1) % 100 != short:
        raise Invalid([FieldError(("code",), f"{year}-{short:02d} is not a financial year")])
    return Quarter(year, number)
