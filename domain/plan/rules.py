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
    """A rating someone proposes. `rating` or `delivery_stage` is None when none was chosen:
    the caller reports that, and the rules that need it are left out rather than guessed."""

    rating: Rating | None
    rationale: str
    delivery_stage: DeliveryStage | None
    next_steps: str
    expected_date: date | None
    correction_reason: str = ""


@dataclass(frozen=True)
class RatedPeriod:
    """What the rules need to know of the period being rated."""

    quarter: Quarter
    published: bool


MIN_CORRECTION_WORDS = 2


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _article(label: str) -> str:
    return "an" if label[:1] in "AEIOU" else "a"


def assessment_faults(draft: AssessmentDraft, period: RatedPeriod | None) -> list[FieldError]:
    """Every rule a rating breaks, each naming its field, all at once. `period` is None when
    the period is unknown (the caller reports that); the rules about it are then left out."""
    faults: list[FieldError] = []
    problem = rationale_problem(draft.rationale)
    if problem:
        faults.append(FieldError(("rationale",), problem))
    rating = draft.rating
    if rating is Rating.AMBER or rating is Rating.RED:
        label = RATING_LABELS[rating]
        needs = f"for {_article(label)} {label} rating"
        if not draft.next_steps.strip():
            faults.append(FieldError(("next_steps",), f"enter the next steps {needs}"))
        if draft.expected_date is None:
            faults.append(FieldError(("expected_date",), f"enter the expected date {needs}"))
        elif period is not None and draft.expected_date <= period.quarter.starts_on:
            faults.append(
                FieldError(
                    ("expected_date",),
                    f"must be after {_day(period.quarter.starts_on)}, "
                    f"when {period.quarter.label} starts",
                )
            )
    if rating is Rating.BLUE and draft.delivery_stage not in (None, DeliveryStage.DELIVERED):
        faults.append(
            FieldError(
                ("delivery_stage",), "select Delivered as the delivery stage for a Complete rating"
            )
        )
    if period is not None:
        reason = draft.correction_reason.strip()
        if period.published and not reason:
            faults.append(
                FieldError(
                    ("correction_reason",),
                    f"enter the reason for correcting this rating: {period.quarter.label} "
                    "is published",
                )
            )
        elif period.published and len(reason.split()) < MIN_CORRECTION_WORDS:
            faults.append(
                FieldError(
                    ("correction_reason",),
                    "must say in a few words why this rating is being corrected",
                )
            )
        if not period.published and reason:
            faults.append(
                FieldError(("correction_reason",), "is only for correcting a published period")
            )
    return faults


def check_assessment(draft: AssessmentDraft, period: RatedPeriod | None) -> None:
    """Raises Invalid naming every broken rule (assessment_faults) if there is any."""
    faults = assessment_faults(draft, period)
    if faults:
        raise Invalid(faults)


def plan_has_ended(ends_on: date, today: date) -> bool:
    """A plan ends at the close of its last day; its ratings stay readable."""
    return ends_on < today


def code_order(code: str) -> tuple[int, ...]:
    """Objective codes sort as numbers: 1.2 before 1.10."""
    return tuple(int(part) for part in code.split(".") if part.isdigit())


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
