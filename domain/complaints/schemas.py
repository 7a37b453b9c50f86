"""Shapes of the complaint reviews context: inputs (extra fields refused) and read views.
List rows carry no personal data; only the case detail has the complainant."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.complaints.rules import AgeBand, ContactMethod, ReviewOutcome, ReviewStatus

_NO_NUL = r"^[^\x00]*$"
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_NO_NUL)
]
Contact = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=_NO_NUL)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10000, pattern=_NO_NUL)]
ForceRef = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50, pattern=_NO_NUL)
]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
Count = int | str  # a count, or "<5" where small numbers are suppressed


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Inputs --------------------------------------------------------------------------------------


class ComplainantDetails(_Input):
    """Personal data: the applicant and what the complaint was about."""

    name: Name
    contact: Contact = ""
    narrative: Text = ""
    officers_complained_about: Text = ""


class ComplaintReviewCreate(_Input):
    force_ref: ForceRef = Field(description="The Force's complaint reference.")
    outcome_sent_on: Day = Field(description="When the Force sent the complainant the outcome.")
    received_on: Day = Field(description="When the review application reached the OPCC.")
    late_reason: Text = Field(default="", description="Special circumstances, if late.")
    categories: list[Code] = Field(
        default_factory=list, max_length=20, description="Codes of allegation categories."
    )
    reviewer_id: Id | None = None
    complainant: ComplainantDetails


class ComplaintReviewChange(_Input):
    force_ref: ForceRef | None = None
    categories: list[Code] | None = Field(default=None, max_length=20)
    reviewer_id: Id | None = None
    late_reason: Text | None = None
    review_body_checked: bool | None = None
    acknowledged_on: Day | None = None
    force_notified_on: Day | None = None
    interested_persons_notified_on: Day | None = None
    letter_sent_on: Day | None = None
    complainant: ComplainantDetails | None = None


class ReviewTransitionRequest(_Input):
    to: str = Field(
        max_length=40,
        description=(
            "Target status: validity_check, invalid, forwarded_to_iopc, in_review, on_hold, "
            "closed or withdrawn (decided only through the decision)."
        ),
    )
    note: Text = Field(default="", description="Required for on_hold (the reason) and withdrawn.")


class RecommendationIn(_Input):
    text: Text
    response_due: Day | None = Field(
        default=None, description="Defaults to the decision date plus the configured days."
    )


class ReviewDecision(_Input):
    outcome: ReviewOutcome
    reasons: Text
    organisational_learning: Text = ""
    recommendations: list[RecommendationIn] = Field(default_factory=list, max_length=20)
    no_recommendation_reason: Text = ""
    decided_on: Day | None = Field(default=None, description="Defaults to today.")


class ComplainantContactCreate(_Input):
    contacted_on: Day
    method: ContactMethod
    note: Text = ""


# Read views ----------------------------------------------------------------------------------


class RecommendationRead(BaseModel):
    id: int
    position: int
    text: str
    response_due: date
    action_id: int
    action_ref: str
    action_status: str
    responded: bool


class HoldRead(BaseModel):
    id: int
    started_on: date
    ended_on: date | None
    reason: str
    days: int


class ContactRead(BaseModel):
    id: int
    contacted_on: date
    method: ContactMethod
    note: str


class ReviewHistoryEntry(BaseModel):
    at: date
    actor: str
    from_: ReviewStatus | None = Field(alias="from", serialization_alias="from")
    to: ReviewStatus
    note: str

    model_config = ConfigDict(populate_by_name=True)


class ComplaintReviewRead(BaseModel):
    """A row of the reviews list: no personal data."""

    id: int
    ref: str
    force_ref: str
    received_on: date
    outcome_sent_on: date
    late: bool
    status: ReviewStatus
    status_label: str
    reviewer_id: int | None
    reviewer_name: str | None
    target_on: date
    target_rule: str
    days_open: int
    days_open_without_holds: int
    days_left: int
    age_band: AgeBand
    next_update_due: date
    update_overdue: bool
    outcome: ReviewOutcome | None
    decided_on: date | None
    letter_sent_on: date | None
    closed_on: date | None
    categories: list[str]
    created_at: datetime
    updated_at: datetime
    version: int


class ComplaintReviewDetail(ComplaintReviewRead):
    complainant: ComplainantDetails | None = Field(description="None once purged.")
    late_reason: str
    review_body_checked: bool
    acknowledged_on: date | None
    acknowledgement_due: date
    force_notified_on: date | None
    interested_persons_notified_on: date | None
    application_deadline: date
    reasons: str
    organisational_learning: str
    no_recommendation_reason: str
    holds: list[HoldRead]
    contacts: list[ContactRead]
    recommendations: list[RecommendationRead]
    history: list[ReviewHistoryEntry]
    personal_data_purged_on: date | None


class ReviewStatsRow(BaseModel):
    """One period. Days are calendar days from receipt to decision; the `_without_holds`
    figures take the time on hold out (COMPLAINTS.md: both, labelled)."""

    period: str
    received: Count
    completed: Count
    completed_within_target: Count
    pct_within_target: float | None
    median_days: int | None
    p90_days: int | None
    pct_upheld: float | None
    median_days_without_holds: int | None = Field(
        default=None,
        description="Median (nearest rank) calendar days from receipt to decision, with the "
        "time on hold taken out.",
    )
    p90_days_without_holds: int | None = Field(
        default=None,
        description="90th percentile (nearest rank) of calendar days from receipt to decision, "
        "with the time on hold taken out.",
    )


class OpenByAge(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    days_0_14: Count = Field(alias="0-14", serialization_alias="0-14")
    days_15_21: Count = Field(alias="15-21", serialization_alias="15-21")
    days_22_28: Count = Field(alias="22-28", serialization_alias="22-28")
    over_28: Count = Field(alias="over_28", serialization_alias="over_28")


class ReviewStats(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from", serialization_alias="from")
    to: date
    group: Literal["month", "quarter"]
    target_rule: str = Field(description='Which target the figures use, e.g. "28 calendar days".')
    rows: list[ReviewStatsRow]
    open_by_age: OpenByAge


class PurgeReport(BaseModel):
    refs: list[str]
    dry_run: bool
