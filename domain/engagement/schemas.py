"""Shapes of the engagement context: inputs (extra fields refused) and the read views.
Areas, NPAs, topics and organisations are referred to by their reference-data `code`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.actions.rules import ActionStatus
from domain.engagement.rules import EngagementKind, Lead, LineOutcome

Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00]*$"),
]
Short = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200, pattern=r"^[^\x00]*$")
]
OrganisationName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00]*$"),
]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=10000, pattern=r"^[^\x00]*$")
]
Description = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000, pattern=r"^[^\x00]*$"),
]
LineText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500, pattern=r"^[^\x00]*$")
]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
Count = Annotated[int, Field(ge=0, le=1_000_000)]
People = Annotated[int, Field(ge=1, le=1_000_000)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Engagements and their issues -----------------------------------------------------------------


class DebriefActionIn(_Input):
    """An action logged at the debrief for one issue."""

    title: Title
    detail: Text = ""
    owner_org: Code = Field(description="Code of the owning organisation, e.g. `force`.")
    owner_name: Short = Field(default="", description="The owner's role title.")
    due_on: Day
    public: bool = False


class EngagementIssueCreate(_Input):
    topic: Code = Field(description="Code of a topic, e.g. `road-safety`.")
    description: Description
    people_count: People = Field(description="How many people raised it (at least one).")
    actions: list[DebriefActionIn] = Field(default_factory=list, max_length=20)


class EngagementCreate(_Input):
    """An engagement; with `issues` (and their actions) this is the whole debrief in one go."""

    held_on: Day
    kind: EngagementKind
    lead: Lead
    lead_name: Short = Field(default="", description="The lead's role title, never a name.")
    area: Code = Field(description="Code of a local authority area, e.g. `melton`.")
    ward: Short = Field(default="", description="Ward or parish.")
    npa: Code | None = Field(default=None, description="Code of a Neighbourhood Policing Area.")
    organisations_met: list[OrganisationName] = Field(default_factory=list, max_length=50)
    people_count: Count = 0
    summary: Text = ""
    named_contacts: Text = Field(
        default="", description="Personal data: shown to OPCC people only, never to tokens."
    )
    councils_invited: Count | None = Field(default=None, description="Parish surgeries only.")
    councils_attended: Count | None = Field(default=None, description="Parish surgeries only.")
    issues: list[EngagementIssueCreate] = Field(default_factory=list, max_length=30)


class EngagementChange(_Input):
    held_on: Day | None = None
    kind: EngagementKind | None = None
    lead: Lead | None = None
    lead_name: Short | None = None
    area: Code | None = None
    ward: Short | None = None
    npa: Code | None = None
    organisations_met: list[OrganisationName] | None = Field(default=None, max_length=50)
    people_count: Count | None = None
    summary: Text | None = None
    named_contacts: Text | None = None
    councils_invited: Count | None = None
    councils_attended: Count | None = None


class DebriefActionRead(BaseModel):
    """A debrief action as its engagement shows it, with the state of its public line."""

    id: int
    ref: str
    title: str
    status: ActionStatus
    owner_org: str
    owner_org_name: str = ""
    owner_name: str = ""
    due_on: date
    overdue: bool
    public: bool
    told_on: date | None
    line: str = Field(description='The public "you said, we did" line.')
    line_outcome: LineOutcome | None
    line_reason: str
    version: int


class EngagementIssueRead(BaseModel):
    id: int
    engagement_id: int
    position: int
    topic: str
    topic_name: str
    description: str
    people_count: int
    actions: list[DebriefActionRead]
    created_at: datetime
    updated_at: datetime
    version: int


class EngagementRead(BaseModel):
    """The reduced view (viewers and tokens): no named contacts."""

    id: int
    held_on: date
    kind: EngagementKind
    kind_label: str
    lead: Lead
    lead_name: str
    area: str
    area_name: str
    ward: str
    npa: str | None
    npa_name: str | None
    organisations_met: list[str]
    people_count: int
    summary: str
    councils_invited: int | None
    councils_attended: int | None
    issue_count: int
    created_at: datetime
    updated_at: datetime
    version: int


class EngagementReadForOpcc(EngagementRead):
    """The OPCC's view: with the named contacts (personal data)."""

    named_contacts: str


class EngagementDetail(EngagementRead):
    issues: list[EngagementIssueRead]


class EngagementDetailForOpcc(EngagementDetail):
    named_contacts: str


# Coverage and trends --------------------------------------------------------------------------


class _Ranged(BaseModel):
    """`from` is a Python keyword: the field is `from_`, serialised as `from`."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_: date = Field(alias="from")
    to: date


class CoverageItem(BaseModel):
    area_code: str
    area_name: str
    count: int


class CoverageRead(_Ranged):
    items: list[CoverageItem]


class TopicCount(BaseModel):
    topic: str
    topic_name: str
    counts: list[int] = Field(description="Issues raised per month, one per entry of `months`.")
    people: list[int] = Field(description="People who raised them, per month.")
    total: int


class TopicsOverTime(_Ranged):
    months: list[str] = Field(description="Calendar months of the range, `YYYY-MM`.")
    topics: list[TopicCount]


class ParishAttendance(BaseModel):
    area_code: str
    area_name: str
    surgeries: int
    councils_invited: int
    councils_attended: int


class ParishAttendanceRead(_Ranged):
    items: list[ParishAttendance]


# Closing the loop -----------------------------------------------------------------------------


class LoopClosing(_Input):
    """When the people who raised it were told, and the public "you said, we did" line."""

    told_on: Day | None = None
    line: LineText = ""
    outcome: LineOutcome | None = None
    reason: LineText = Field(default="", description="Why it is not being done.")


class PublicLine(BaseModel):
    action_ref: str
    line: str
    outcome: LineOutcome
    outcome_label: str
    reason: str
    told_on: date
    area_name: str
    topic_name: str | None


# Pre-election periods -------------------------------------------------------------------------


class PreElectionPeriodCreate(_Input):
    label: Title
    starts_on: Day
    ends_on: Day | None = Field(default=None, description="Empty until the election result.")


class PreElectionPeriodChange(_Input):
    label: Title | None = None
    starts_on: Day | None = None
    ends_on: Day | None = None


class PreElectionPeriodRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    label: str
    starts_on: date
    ends_on: date | None
    in_force: bool
    created_at: datetime
    updated_at: datetime
    version: int
