"""Shapes for plans, themes, objectives, periods and assessments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from domain.plan.rules import DeliveryStage, Direction, PeriodStatus, PlanStatus, Rating

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10000)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
ObjectiveCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^\d{1,3}(\.\d{1,3}){0,2}$")
]
PeriodCode = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
Link = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500, pattern=r"^https?://\S+$")
]


class _Write(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Stored(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    updated_at: datetime
    version: int


class PlanCreate(_Write):
    title: Title
    starts_on: Day
    ends_on: Day
    status: PlanStatus = PlanStatus.DRAFT

    @model_validator(mode="after")
    def _dates_in_order(self) -> PlanCreate:
        if self.ends_on <= self.starts_on:
            raise ValueError("ends_on must be after starts_on")
        return self


class PlanChange(_Write):
    title: Title | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None
    status: PlanStatus | None = None


class PlanRead(_Stored):
    title: str
    starts_on: date
    ends_on: date
    status: PlanStatus


class ThemeCreate(_Write):
    title: Title
    description: Text = ""


class ThemeRead(_Stored):
    plan_id: int
    position: int
    title: str
    description: str


class ObjectiveCreate(_Write):
    plan_id: Id
    theme_id: Id
    code: ObjectiveCode
    title: LongTitle
    description: Text = ""
    lead_org: Code = Field(description="Code of the leading organisation (`opcc`, `force`).")
    owner_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    target_date: Day | None = None


class ObjectiveChange(_Write):
    theme_id: Id | None = None
    code: ObjectiveCode | None = None
    title: LongTitle | None = None
    description: Text | None = None
    lead_org: Code | None = None
    owner_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = (
        None
    )
    target_date: Day | None = None


class CurrentRating(BaseModel):
    period: str
    rating: Rating
    rationale: str
    direction: Direction
    assessed_at: datetime
    assessed_by: str


class ObjectiveRead(_Stored):
    plan_id: int
    theme_id: int
    code: str
    title: str
    description: str
    lead_org: str
    owner_name: str
    target_date: date | None
    current: CurrentRating | None = Field(description="Latest rating; null means not yet rated.")


class PeriodCreate(_Write):
    code: PeriodCode = Field(description="A financial-year quarter, like 2023-24-Q3.")


class PeriodRead(_Stored):
    code: str
    label: str
    starts_on: date
    ends_on: date
    status: PeriodStatus
    published_at: datetime | None
    published_by: str


class AssessmentCreate(_Write):
    period: PeriodCode
    rating: Rating
    rationale: Text
    delivery_stage: DeliveryStage
    next_steps: Text = ""
    expected_date: Day | None = None
    evidence_links: list[Link] = Field(default_factory=list, max_length=20)
    correction_reason: Text = Field(
        default="", description="Required when the period is already published."
    )


class AssessmentRead(_Stored):
    objective_id: int
    period: str
    rating: Rating
    rationale: str
    delivery_stage: DeliveryStage
    next_steps: str
    expected_date: date | None
    evidence_links: list[str]
    assessed_by: str
    assessed_at: datetime
    direction: Direction
    supersedes: int | None
    correction_reason: str


class RatingHistoryEntry(BaseModel):
    at: datetime
    actor: str
    from_: Rating | None = Field(alias="from", serialization_alias="from")
    to: Rating
    note: str

    model_config = ConfigDict(populate_by_name=True)


class ObjectiveDetail(ObjectiveRead):
    history: list[RatingHistoryEntry]


class PublicRating(BaseModel):
    theme: str
    code: str
    title: str
    period: str
    rating: Rating
    rating_label: str
    rationale: str
    direction: Direction
