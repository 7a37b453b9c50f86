"""The rules of community engagement (DOMAIN.md §4): what an engagement may record, when a
"you said, we did" line may be published, and the counts behind coverage. Pure functions,
clock passed in; each `*_faults` function returns every fault it finds so a service can
report them all at once, and each `check_*` raises them as one Invalid."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.errors import FieldError, Invalid

MAX_DAYS_AHEAD = 365


class EngagementKind(StrEnum):
    COMMUNITY_DAY = "community_day"
    STREET_STAND = "street_stand"
    PARISH_SURGERY = "parish_surgery"
    PUBLIC_MEETING = "public_meeting"
    BUSINESS_MEETING = "business_meeting"


KIND_LABELS = {
    EngagementKind.COMMUNITY_DAY: "Community Day",
    EngagementKind.STREET_STAND: "Street stand",
    EngagementKind.PARISH_SURGERY: "Parish council surgery",
    EngagementKind.PUBLIC_MEETING: "Public meeting",
    EngagementKind.BUSINESS_MEETING: "Business meeting",
}


class Lead(StrEnum):
    PCC = "pcc"
    DPCC = "dpcc"
    STAFF = "staff"


LEAD_LABELS = {
    Lead.PCC: "Police and Crime Commissioner",
    Lead.DPCC: "Deputy PCC",
    Lead.STAFF: "OPCC staff",
}


class LineOutcome(StrEnum):
    DONE = "done"
    NOT_DOING = "not_doing"


LINE_OUTCOME_LABELS = {
    LineOutcome.DONE: "Done",
    LineOutcome.NOT_DOING: "Not doing",
}

# The action status a line's outcome must match: a line never claims more than happened.
OUTCOME_STATUS = {
    LineOutcome.DONE: "done",
    LineOutcome.NOT_DOING: "cancelled",
}


def _raise(faults: list[FieldError]) -> None:
    if faults:
        raise Invalid(faults)


def long_date(day: date) -> str:
    """3 April 2024: how dates read in messages and titles."""
    return f"{day.day} {day:%B %Y}"


# Engagements ----------------------------------------------------------------------------------


def held_on_faults(held_on: date, today: date) -> list[FieldError]:
    """Visits are planned ahead, but a date more than a year out is a typing slip."""
    if held_on > today + timedelta(days=MAX_DAYS_AHEAD):
        return [FieldError(("held_on",), "cannot be more than a year from today")]
    return []


def check_held_on(held_on: date, today: date) -> None:
    _raise(held_on_faults(held_on, today))


def attendance_faults(
    kind: EngagementKind | str, invited: int | None, attended: int | None
) -> list[FieldError]:
    """Councils invited and attended belong to the Deputy's parish council surgeries only;
    a surgery cannot be attended by more councils than were invited."""
    faults: list[FieldError] = []
    if kind != EngagementKind.PARISH_SURGERY:
        for field, value in (("councils_invited", invited), ("councils_attended", attended)):
            if value is not None:
                faults.append(
                    FieldError((field,), "only a parish council surgery records councils")
                )
        return faults
    if attended is not None and invited is None:
        faults.append(FieldError(("councils_invited",), "give the councils invited too"))
    if invited is not None and attended is not None and attended > invited:
        faults.append(
            FieldError(("councils_attended",), "cannot be more than the councils invited")
        )
    return faults


def check_attendance(kind: EngagementKind | str, invited: int | None, attended: int | None) -> None:
    _raise(attendance_faults(kind, invited, attended))


def check_range(from_: date, to: date) -> None:
    """A report range reads forwards."""
    if from_ > to:
        raise Invalid([FieldError(("from",), "must be on or before to")])


# Pre-election periods -------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodSpan:
    """A pre-election period: `ends_on` is None until the election result is known."""

    starts_on: date
    ends_on: date | None


def in_force(span: PeriodSpan, today: date) -> bool:
    """Both ends count: public communication pauses from the first day to the last."""
    return span.starts_on <= today and (span.ends_on is None or today <= span.ends_on)


def check_period(starts_on: date, ends_on: date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise Invalid([FieldError(("ends_on",), "cannot be before the start date")])


def _overlaps(a: PeriodSpan, b: PeriodSpan) -> bool:
    """Closed ranges; an open end runs on for ever."""
    a_before_b_ends = b.ends_on is None or a.starts_on <= b.ends_on
    b_before_a_ends = a.ends_on is None or b.starts_on <= a.ends_on
    return a_before_b_ends and b_before_a_ends


def check_no_overlap(span: PeriodSpan, others: Sequence[PeriodSpan]) -> None:
    """Periods never overlap, so "the period in force" is always one period."""
    for other in sorted(others, key=lambda o: o.starts_on):
        if _overlaps(span, other):
            ends = "open-ended" if other.ends_on is None else f"to {long_date(other.ends_on)}"
            raise Invalid(
                [
                    FieldError(
                        ("starts_on",),
                        f"overlaps the pre-election period from {long_date(other.starts_on)} "
                        f"({ends})",
                    )
                ]
            )


def line_hidden(told_on: date, periods: Sequence[PeriodSpan], today: date) -> bool:
    """While a pre-election period is in force the public feed shows nothing dated on or
    after its start; older lines stay, and everything returns once the period ends."""
    return any(in_force(p, today) and p.starts_on <= told_on for p in periods)


# Closing the loop -----------------------------------------------------------------------------


def line_faults(
    *,
    action_status: str,
    public: bool,
    line: str,
    outcome: LineOutcome | None,
    reason: str,
    told_on: date | None,
    today: date,
) -> list[FieldError]:
    """Every reason a "you said, we did" line cannot be recorded as given."""
    faults: list[FieldError] = []
    has_line = bool(line.strip())
    if has_line and not public:
        faults.append(
            FieldError(
                ("line",), "the action is not public: mark it public before writing its public line"
            )
        )
    if outcome is not None and not has_line:
        faults.append(FieldError(("line",), "write the public line for this outcome"))
    if has_line and outcome is None:
        faults.append(
            FieldError(("outcome",), "say whether it was done or is not being done, and why")
        )
    if outcome is LineOutcome.DONE and action_status != OUTCOME_STATUS[LineOutcome.DONE]:
        faults.append(FieldError(("outcome",), "a line can only say done when the action is done"))
    if outcome is LineOutcome.NOT_DOING:
        if action_status != OUTCOME_STATUS[LineOutcome.NOT_DOING]:
            faults.append(
                FieldError(
                    ("outcome",),
                    "a line can only say not doing when the action is cancelled",
                )
            )
        if not reason.strip():
            faults.append(FieldError(("reason",), "say why it is not being done"))
    if has_line and told_on is None:
        faults.append(FieldError(("told_on",), "give the date the people who raised it were told"))
    if told_on is not None and told_on > today:
        faults.append(FieldError(("told_on",), "cannot be in the future"))
    return faults


def check_line(
    *,
    action_status: str,
    public: bool,
    line: str,
    outcome: LineOutcome | None,
    reason: str,
    told_on: date | None,
    today: date,
) -> None:
    _raise(
        line_faults(
            action_status=action_status,
            public=public,
            line=line,
            outcome=outcome,
            reason=reason,
            told_on=told_on,
            today=today,
        )
    )


def line_status_matches(outcome: LineOutcome | str, action_status: str) -> bool:
    """A published line stays true: done only while done, not doing only while cancelled
    (an action reopened after its line was written drops out of the feed)."""
    return OUTCOME_STATUS.get(LineOutcome(outcome)) == action_status


# Coverage and trends --------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageCount:
    area_code: str
    area_name: str
    count: int
    tile_row: int
    tile_col: int

    @property
    def unvisited(self) -> bool:
        return self.count == 0


def coverage_rows(
    areas: Sequence[tuple[str, str, int, int]], counts: Mapping[str, int]
) -> list[CoverageCount]:
    """Every area, in the order given, with its count: an area nobody visited is a zero row,
    never a missing one, because the gaps are what coverage is for."""
    return [
        CoverageCount(
            area_code=code,
            area_name=name,
            count=counts.get(code, 0),
            tile_row=row,
            tile_col=col,
        )
        for code, name, row, col in areas
    ]


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_keys(from_: date, to: date) -> list[str]:
    """Every calendar month the range touches, oldest first ("2024-01", "2024-02", …), so a
    chart has a slot for a month with nothing raised."""
    keys: list[str] = []
    year, month = from_.year, from_.month
    while (year, month) <= (to.year, to.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys
