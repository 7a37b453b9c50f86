"""The statutory and local rules of complaint reviews (COMPLAINTS.md): the application
window, target and acknowledgement dates, keeping the complainant informed, holds, age
bands, the lifecycle, the decision's checks and the KPI definitions. Pure functions: the
clock and the configuration are passed in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

import holidays

from domain.errors import FieldError, Invalid, InvalidTransition

if TYPE_CHECKING:
    from domain.config import Settings

APPLICATION_WINDOW_DAYS = 28
DUE_THIS_WEEK_DAYS = 7
SMALL_NUMBER_LIMIT = 5

TargetRule = Literal["calendar", "working"]
Group = Literal["month", "quarter"]


class ReviewStatus(StrEnum):
    RECEIVED = "received"
    VALIDITY_CHECK = "validity_check"
    INVALID = "invalid"
    FORWARDED_TO_IOPC = "forwarded_to_iopc"
    IN_REVIEW = "in_review"
    ON_HOLD = "on_hold"
    DECIDED = "decided"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


STATUS_LABELS = {
    ReviewStatus.RECEIVED: "Received",
    ReviewStatus.VALIDITY_CHECK: "Validity check",
    ReviewStatus.INVALID: "Invalid",
    ReviewStatus.FORWARDED_TO_IOPC: "Forwarded to the IOPC",
    ReviewStatus.IN_REVIEW: "In review",
    ReviewStatus.ON_HOLD: "On hold",
    ReviewStatus.DECIDED: "Decided",
    ReviewStatus.CLOSED: "Closed",
    ReviewStatus.WITHDRAWN: "Withdrawn",
}

# Decided stays open until closed: the letter and the Force's responses are outstanding.
OPEN_STATUSES = frozenset(
    {
        ReviewStatus.RECEIVED,
        ReviewStatus.VALIDITY_CHECK,
        ReviewStatus.IN_REVIEW,
        ReviewStatus.ON_HOLD,
        ReviewStatus.DECIDED,
    }
)

# Work still to do before the decision (what "due" and "overdue" are about).
IN_PROGRESS_STATUSES = OPEN_STATUSES - {ReviewStatus.DECIDED}
# Every way a case ends; each dates closed_on (from which the retention period runs).
TERMINAL_STATUSES = frozenset(ReviewStatus) - OPEN_STATUSES

ALLOWED: dict[ReviewStatus, frozenset[ReviewStatus]] = {
    ReviewStatus.RECEIVED: frozenset({ReviewStatus.VALIDITY_CHECK, ReviewStatus.WITHDRAWN}),
    ReviewStatus.VALIDITY_CHECK: frozenset(
        {
            ReviewStatus.INVALID,
            ReviewStatus.FORWARDED_TO_IOPC,
            ReviewStatus.IN_REVIEW,
            ReviewStatus.WITHDRAWN,
        }
    ),
    # `decided` is reached only through the decision (decide_review), never a transition.
    ReviewStatus.IN_REVIEW: frozenset({ReviewStatus.ON_HOLD, ReviewStatus.WITHDRAWN}),
    ReviewStatus.ON_HOLD: frozenset({ReviewStatus.IN_REVIEW, ReviewStatus.WITHDRAWN}),
    ReviewStatus.DECIDED: frozenset({ReviewStatus.CLOSED}),
    ReviewStatus.INVALID: frozenset(),
    ReviewStatus.FORWARDED_TO_IOPC: frozenset(),
    ReviewStatus.CLOSED: frozenset(),
    ReviewStatus.WITHDRAWN: frozenset(),
}

# Putting a case on hold and withdrawing it must say why; the reason is the note.
NEEDS_NOTE = frozenset({ReviewStatus.ON_HOLD, ReviewStatus.WITHDRAWN})


class ReviewOutcome(StrEnum):
    UPHELD = "upheld"
    NOT_UPHELD = "not_upheld"
    NOT_UPHELD_POINTS_FED_BACK = "not_upheld_points_fed_back"
    INSUFFICIENT_INFORMATION = "insufficient_information"
    OUT_OF_TIME = "out_of_time"
    PASSED_TO_IOPC = "passed_to_iopc"
    WITHDRAWN = "withdrawn"


OUTCOME_LABELS = {
    ReviewOutcome.UPHELD: "Upheld",
    ReviewOutcome.NOT_UPHELD: "Not upheld",
    ReviewOutcome.NOT_UPHELD_POINTS_FED_BACK: "Not upheld, with points fed back to the Force",
    ReviewOutcome.INSUFFICIENT_INFORMATION: "Insufficient information",
    ReviewOutcome.OUT_OF_TIME: "Out of time",
    ReviewOutcome.PASSED_TO_IOPC: "Passed to the IOPC",
    ReviewOutcome.WITHDRAWN: "Withdrawn",
}

# Decisions that do not count as completed reviews in the KPIs.
NOT_COMPLETED_OUTCOMES = frozenset({ReviewOutcome.WITHDRAWN, ReviewOutcome.PASSED_TO_IOPC})


class AgeBand(StrEnum):
    DAYS_0_14 = "0-14"
    DAYS_15_21 = "15-21"
    DAYS_22_28 = "22-28"
    OVER_28 = "over_28"


AGE_BAND_LABELS = {
    AgeBand.DAYS_0_14: "0 to 14 days",
    AgeBand.DAYS_15_21: "15 to 21 days",
    AgeBand.DAYS_22_28: "22 to 28 days",
    AgeBand.OVER_28: "Over 28 days",
}

# Upper bound (inclusive) of each band but the last, in days open.
AGE_BAND_LIMITS: tuple[tuple[AgeBand, int], ...] = (
    (AgeBand.DAYS_0_14, 14),
    (AgeBand.DAYS_15_21, 21),
    (AgeBand.DAYS_22_28, 28),
)


class ContactMethod(StrEnum):
    LETTER = "letter"
    EMAIL = "email"
    PHONE = "phone"


@dataclass(frozen=True)
class ReviewRules:
    """The OPCC's choices where the law leaves one (COMPLAINTS.md "Time"), from settings."""

    target_rule: TargetRule = "calendar"
    target_days: int = 28
    acknowledgement_working_days: int = 5
    update_interval_days: int = 28
    recommendation_response_days: int = 28
    retention_years: int = 6

    @classmethod
    def from_settings(cls, settings: Settings) -> ReviewRules:
        return cls(
            target_rule=settings.complaint_target_rule,
            target_days=settings.complaint_target_days,
            acknowledgement_working_days=settings.complaint_acknowledgement_working_days,
            update_interval_days=settings.complaint_update_interval_days,
            recommendation_response_days=settings.complaint_recommendation_response_days,
            retention_years=settings.personal_data_retention_years,
        )

    def describe_target(self) -> str:
        """KPIs always say which rule they used: "28 calendar days" or "28 working days"."""
        return f"{self.target_days} {self.target_rule} days"


DEFAULT_RULES = ReviewRules()


# Lifecycle -----------------------------------------------------------------------------------


def check_transition(current: ReviewStatus, target: ReviewStatus, note: str | None) -> None:
    """The table above; holds and withdrawals must give their reason so the file explains
    why the clock stopped or the case ended."""
    if target is ReviewStatus.DECIDED:
        raise InvalidTransition("record the decision to decide a review, not a status change")
    if target not in ALLOWED[current]:
        raise InvalidTransition(
            f"a review that is {STATUS_LABELS[current].lower()} cannot become "
            f"{STATUS_LABELS[target].lower()}"
        )
    if target in NEEDS_NOTE and not (note and note.strip()):
        what = "putting the review on hold" if target is ReviewStatus.ON_HOLD else "withdrawal"
        raise Invalid([FieldError(("note",), f"give the reason for {what}")])


def is_open(status: ReviewStatus | str) -> bool:
    return ReviewStatus(status) in OPEN_STATUSES


# Dates ---------------------------------------------------------------------------------------


def application_deadline(outcome_sent_on: date) -> date:
    """The last day to apply: the 28-day window starts the day after the outcome was sent,
    so day 28 of the window is outcome_sent_on + 28."""
    return outcome_sent_on + timedelta(days=APPLICATION_WINDOW_DAYS)


def is_late(outcome_sent_on: date, received_on: date) -> bool:
    """Late applications are flagged, never refused (special circumstances may apply)."""
    return received_on > application_deadline(outcome_sent_on)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays from the maintained `holidays` package, per year."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (start itself not counted): weekends and England
    and Wales bank holidays are skipped. n = 0 gives `start`."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    left = n
    while left:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def target_date(received_on: date, rules: ReviewRules) -> date:
    """The local completion target (the law sets none): received + 28 calendar days by
    default, or working days when the OPCC counts them that way."""
    if rules.target_rule == "working":
        return add_working_days(received_on, rules.target_days)
    return received_on + timedelta(days=rules.target_days)


def acknowledgement_due(received_on: date, rules: ReviewRules) -> date:
    return add_working_days(received_on, rules.acknowledgement_working_days)


def next_update_due(received_on: date, last_contact_on: date | None, rules: ReviewRules) -> date:
    """Reg 34: the complainant hears of progress at least every 4 weeks while the review is
    open, counted from the last recorded contact (or receipt, before any)."""
    since = received_on if last_contact_on is None else max(received_on, last_contact_on)
    return since + timedelta(days=rules.update_interval_days)


def update_overdue(status: ReviewStatus | str, next_due: date, today: date) -> bool:
    """Only an open case owes the complainant an update."""
    return is_open(status) and next_due < today


@dataclass(frozen=True)
class HoldSpan:
    started_on: date
    ended_on: date | None


def days_open(received_on: date, end_on: date, holds: Sequence[HoldSpan] = ()) -> int:
    """Elapsed calendar days from receipt to `end_on` (decision, or today while open).
    Holds are accepted so both counts take the same arguments; elapsed days ignore them."""
    return (end_on - received_on).days


def days_on_hold(holds: Sequence[HoldSpan], end_on: date) -> int:
    """Days inside hold spans up to `end_on`; a span still open runs to `end_on`."""
    total = 0
    for hold in holds:
        stop = end_on if hold.ended_on is None else min(hold.ended_on, end_on)
        total += max(0, (stop - hold.started_on).days)
    return total


def days_open_without_holds(received_on: date, end_on: date, holds: Sequence[HoldSpan]) -> int:
    """Elapsed days with the paused clock taken out (KPIs report both, labelled)."""
    return days_open(received_on, end_on) - days_on_hold(holds, end_on)


def days_left(target_on: date, today: date) -> int:
    """Days to the target date; negative means days over."""
    return (target_on - today).days


def age_band(days: int) -> AgeBand:
    """The band of a case open `days` days: 0–14, 15–21, 22–28, over 28 (a negative count,
    a case dated ahead, sits in the first band)."""
    for band, limit in AGE_BAND_LIMITS:
        if days <= limit:
            return band
    return AgeBand.OVER_28


# Checks --------------------------------------------------------------------------------------


def date_faults(*, outcome_sent_on: date, received_on: date, today: date) -> list[FieldError]:
    faults: list[FieldError] = []
    if received_on > today:
        faults.append(FieldError(("received_on",), "cannot be in the future"))
    if outcome_sent_on > today:
        faults.append(FieldError(("outcome_sent_on",), "cannot be in the future"))
    if received_on < outcome_sent_on:
        faults.append(FieldError(("received_on",), "cannot be before the outcome was sent"))
    return faults


def check_dates(*, outcome_sent_on: date, received_on: date, today: date) -> None:
    """An application cannot arrive before the outcome it asks to review, nor in the future."""
    faults = date_faults(outcome_sent_on=outcome_sent_on, received_on=received_on, today=today)
    if faults:
        raise Invalid(faults)


def decision_faults(
    outcome: ReviewOutcome,
    reasons: str,
    recommendations: Sequence[tuple[str, date]],
    no_recommendation_reason: str,
    *,
    decided_on: date,
    received_on: date,
    today: date,
) -> list[FieldError]:
    faults: list[FieldError] = []
    if not reasons.strip():
        faults.append(FieldError(("reasons",), "give the reasons for the decision"))
    if outcome is ReviewOutcome.UPHELD:
        if not recommendations and not no_recommendation_reason.strip():
            faults.append(
                FieldError(
                    ("recommendations",),
                    "an upheld review makes at least one recommendation or says why it makes none",
                )
            )
    elif recommendations:
        faults.append(
            FieldError(("recommendations",), "only an upheld review makes recommendations")
        )
    for n, (text, response_due) in enumerate(recommendations):
        if not text.strip():
            faults.append(FieldError(("recommendations", n, "text"), "write the recommendation"))
        if response_due < decided_on:
            faults.append(
                FieldError(
                    ("recommendations", n, "response_due"), "cannot be before the decision date"
                )
            )
    if decided_on > today:
        faults.append(FieldError(("decided_on",), "cannot be in the future"))
    if decided_on < received_on:
        faults.append(FieldError(("decided_on",), "cannot be before the application was received"))
    return faults


def check_decision(
    outcome: ReviewOutcome,
    reasons: str,
    recommendations: Sequence[tuple[str, date]],
    no_recommendation_reason: str,
    *,
    decided_on: date,
    received_on: date,
    today: date,
) -> None:
    """Every fault of a decision at once: reasons are required; an upheld review either makes
    recommendations (each with text and a due date on or after the decision) or says why it
    makes none; other outcomes make none; the decision date is real."""
    faults = decision_faults(
        outcome,
        reasons,
        recommendations,
        no_recommendation_reason,
        decided_on=decided_on,
        received_on=received_on,
        today=today,
    )
    if faults:
        raise Invalid(faults)


def check_can_close(
    *,
    letter_sent_on: date | None,
    outcome: ReviewOutcome | str | None,
    unanswered_recommendations: int,
) -> None:
    """A case closes once the complainant has the decision in writing and, when upheld, the
    Force has answered every recommendation (COMPLAINTS.md "The decision")."""
    faults: list[FieldError] = []
    if letter_sent_on is None:
        faults.append(
            FieldError(("letter_sent_on",), "record the date the decision letter was sent")
        )
    if outcome == ReviewOutcome.UPHELD and unanswered_recommendations > 0:
        faults.append(
            FieldError(
                ("recommendations",),
                f"the Force has not yet responded to {unanswered_recommendations} "
                "recommendation(s)",
            )
        )
    if faults:
        raise Invalid(faults)


# KPI definitions -----------------------------------------------------------------------------

MEDIAN = 0.5
P90 = 0.9


def permille(pct: float) -> int:
    """Percentiles as whole thousandths, so Python and SQL agree exactly (no float ranks)."""
    return round(pct * 1000)


def nearest_rank(values: Sequence[int], pct: float) -> int | None:
    """The nearest-rank percentile the KPI SQL computes: the value at 1-based rank
    ceil(pct·n) of the sorted values (so the median of four is the second). None if empty."""
    if not values:
        return None
    n = len(values)
    rank = max(1, -(-permille(pct) * n // 1000))  # ceil, in integers
    return sorted(values)[rank - 1]


def suppress(n: int) -> int | str:
    """Small-number suppression for anyone who may not see cases: 1–4 shows as "<5" so a
    count cannot point at a person. Zero is shown: a zero discloses no one."""
    return "<5" if 1 <= n < SMALL_NUMBER_LIMIT else n


def period_key(day: date, group: Group) -> str:
    """The KPI period of a day: "2024-03" by month, or the UK financial-year quarter
    "2023-24-Q4" (as plan period codes), April to March."""
    if group == "month":
        return f"{day.year:04d}-{day.month:02d}"
    start_year = day.year if day.month >= 4 else day.year - 1
    quarter = (day.month - 4) % 12 // 3 + 1
    return f"{start_year}-{(start_year + 1) % 100:02d}-Q{quarter}"


def period_keys(from_: date, to: date, group: Group) -> list[str]:
    """Every period key from `from_` to `to` inclusive, in order (empty periods included)."""
    keys: list[str] = []
    year, month = from_.year, from_.month
    while date(year, month, 1) <= to:
        key = period_key(date(year, month, 1), group)
        if not keys or keys[-1] != key:
            keys.append(key)
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return keys
