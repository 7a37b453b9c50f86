"""Shapes of the board context: inputs (extra fields refused) and the read views."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.board.rules import EscalationStatus, MeetingStatus, Recommendation

Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00]*$"),
]
Role = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200, pattern=r"^[^\x00]*$")
]
NonEmptyRole = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00]*$"),
]
AgendaItem = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=r"^[^\x00]*$"),
]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=10000, pattern=r"^[^\x00]*$")
]
RequiredText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=10000, pattern=r"^[^\x00]*$"),
]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
Figure = Annotated[float, Field(allow_inf_nan=False, ge=-1e12, le=1e12)]
Period = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=100, pattern=r"^[^\x00]*$")
]
Unit = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=20, pattern=r"^[^\x00]*$")
]
Link = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500, pattern=r"^https?://\S+$")
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Meetings ----------------------------------------------------------------------------------


class MeetingCreate(_Input):
    held_on: Day
    kind: Code = Field(description="Code of a board kind, e.g. `cgb`.")
    title: Title
    status: MeetingStatus = MeetingStatus.PLANNED
    chair: Role = Field(default="", description="The chair's role title, never a name.")
    attendees: list[NonEmptyRole] = Field(default_factory=list, max_length=50)
    agenda: list[AgendaItem] = Field(default_factory=list, max_length=50)
    summary: Text = ""
    next_meeting_on: Day | None = None
    published: bool = False


class MeetingChange(_Input):
    held_on: Day | None = None
    kind: Code | None = None
    title: Title | None = None
    status: MeetingStatus | None = None
    chair: Role | None = None
    attendees: list[NonEmptyRole] | None = Field(default=None, max_length=50)
    agenda: list[AgendaItem] | None = Field(default=None, max_length=50)
    summary: Text | None = None
    next_meeting_on: Day | None = None
    published: bool | None = None


class BoardActionSummary(BaseModel):
    """An action captured at a board or about an escalation, as its page lists it."""

    id: int
    ref: str
    title: str
    status: str
    due_on: date
    owner_org: str
    overdue: bool


class MeetingRead(BaseModel):
    id: int
    created_at: datetime
    updated_at: datetime
    version: int
    held_on: date
    kind: str
    kind_name: str
    title: str
    status: MeetingStatus
    chair: str
    attendees: list[str]
    agenda: list[str]
    summary: str
    next_meeting_on: date | None
    published: bool


# Exception reports ---------------------------------------------------------------------------


class ExceptionItemIn(_Input):
    topic: Code = Field(description="Code of a topic.")
    kpi_evidence: Text = ""
    value: Figure | None = None
    target: Figure | None = None
    baseline: Figure | None = None
    period: Period = ""
    unit: Unit = ""
    recommendation: Recommendation
    reasoning: Text = ""


class ExceptionReportCreate(_Input):
    reported_on: Day
    prepared_by: NonEmptyRole = Field(description="Role title of the author.")
    title: Title
    meeting_id: Id | None = None
    items: list[ExceptionItemIn] = Field(min_length=1, max_length=30)


class ExceptionReportChange(_Input):
    reported_on: Day | None = None
    prepared_by: NonEmptyRole | None = None
    title: Title | None = None
    meeting_id: Id | None = None
    items: list[ExceptionItemIn] | None = Field(default=None, min_length=1, max_length=30)


class ExceptionItemRead(BaseModel):
    id: int
    position: int
    topic: str
    topic_name: str
    kpi_evidence: str
    value: float | None
    target: float | None
    baseline: float | None
    period: str
    unit: str
    recommendation: Recommendation
    reasoning: str
    escalation_id: int | None
    monitoring_item_id: int | None


class ExceptionReportRead(BaseModel):
    id: int
    created_at: datetime
    updated_at: datetime
    version: int
    reported_on: date
    prepared_by: str
    title: str
    meeting_id: int | None
    items: list[ExceptionItemRead]


# Escalations ---------------------------------------------------------------------------------


class EscalationCreate(_Input):
    topic: Code = Field(description="Code of a topic.")
    title: Title
    reason: Text = ""
    request: RequiredText = Field(description="What the Force is asked for.")
    response_due: Day
    target_meeting_id: Id | None = None


class EscalationChange(_Input):
    title: Title | None = None
    reason: Text | None = None
    request: RequiredText | None = None
    response_due: Day | None = None
    target_meeting_id: Id | None = None
    pcc_response: Text | None = None


class ForceResponseCreate(_Input):
    response: RequiredText
    links: list[Link] = Field(default_factory=list, max_length=10)


class EscalationTransition(_Input):
    to: Literal["discussed", "follow_up", "closed"]
    note: Text = ""
    response_due: Day | None = Field(default=None, description="Required for `follow_up`.")
    target_meeting_id: Id | None = None
    outcome: Text | None = Field(default=None, description="Required for `closed`.")
    pcc_response: Text | None = None


class EscalateItem(_Input):
    request: RequiredText
    response_due: Day
    target_meeting_id: Id | None = None


class MonitorItem(_Input):
    next_review_on: Day
    reason: Text = ""


class ForceResponseRead(BaseModel):
    id: int
    response: str
    links: list[str]
    responded_by: str
    responded_at: datetime


class EscalationHistoryEntry(BaseModel):
    at: datetime
    actor: str
    from_: EscalationStatus | None = Field(alias="from", serialization_alias="from")
    to: EscalationStatus
    note: str

    model_config = ConfigDict(populate_by_name=True)


class EscalationRead(BaseModel):
    id: int
    ref: str
    created_at: datetime
    updated_at: datetime
    version: int
    topic: str
    topic_name: str
    title: str
    reason: str
    request: str
    response_due: date
    target_meeting_id: int | None
    status: EscalationStatus
    overdue: bool
    pcc_response: str
    outcome: str
    exception_item_id: int | None
    monitoring_item_id: int | None


class EscalationDetail(EscalationRead):
    force_responses: list[ForceResponseRead]
    history: list[EscalationHistoryEntry]
    actions: list[BoardActionSummary]


class MeetingDetail(MeetingRead):
    escalations: list[EscalationRead]
    actions: list[BoardActionSummary]


# Monitoring ----------------------------------------------------------------------------------


class MonitoringCreate(_Input):
    topic: Code = Field(description="Code of a topic.")
    title: Title
    reason: Text = ""
    next_review_on: Day


class MonitoringChange(_Input):
    title: Title | None = None
    reason: Text | None = None
    next_review_on: Day | None = None
    closed: bool | None = None


class MonitoringRead(BaseModel):
    id: int
    created_at: datetime
    updated_at: datetime
    version: int
    topic: str
    topic_name: str
    title: str
    reason: str
    next_review_on: date
    exception_item_id: int | None
    escalation_id: int | None
    closed: bool
    overdue_review: bool


# Public feed ---------------------------------------------------------------------------------


class PublicAction(BaseModel):
    ref: str
    title: str
    status: str
    due_on: date


class PublicEscalation(BaseModel):
    topic_name: str
    title: str
    request: str
    force_responses: list[str]
    pcc_response: str
    outcome: str


class PublicMeeting(BaseModel):
    held_on: date
    kind: str
    kind_name: str
    title: str
    summary: str
    escalations: list[PublicEscalation]
    actions: list[PublicAction]
