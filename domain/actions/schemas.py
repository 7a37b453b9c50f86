"""Shapes of an action: create, change, and the two read views (OPCC and reduced)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.actions.rules import ActionStatus, SourceType

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
DueDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class ActionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    detail: Text = ""
    private_note: Text = Field(
        default="", description="Internal OPCC note; never shown to the Force or to tokens."
    )
    source_type: SourceType = SourceType.NONE
    source_id: Id | None = None
    owner_org: Code = Field(description="Code of the owning organisation, e.g. `force`.")
    owner_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    area: Code | None = Field(default=None, description="Code of a local authority area.")
    due_on: DueDate
    public: bool = False
    you_said_we_did: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    told_on: DueDate | None = None


class ActionChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    detail: Text | None = None
    private_note: Text | None = None
    owner_org: Code | None = None
    owner_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = (
        None
    )
    area: Code | None = None
    due_on: DueDate | None = None
    outcome: Text | None = None
    public: bool | None = None
    you_said_we_did: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None
    ) = None
    told_on: DueDate | None = None


class TransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: str = Field(
        description="Target status: open, in_progress, done or cancelled.", max_length=40
    )
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] = ""


class ActionUpdateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
    evidence_url: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=500, pattern=r"^(https?://\S+)?$")
    ] = ""
    internal: bool = Field(
        default=False, description="OPCC-only note; hidden from the Force and tokens."
    )


class ActionUpdateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    action_id: int
    author: str
    body: str
    evidence_url: str
    internal: bool
    created_at: datetime
    updated_at: datetime
    version: int


class SourceLink(BaseModel):
    type: SourceType
    id: int | None
    title: str
    ref: str | None
    url: str | None


class ActionHistoryEntry(BaseModel):
    at: datetime
    actor: str
    from_: ActionStatus | None = Field(alias="from", serialization_alias="from")
    to: ActionStatus
    note: str

    model_config = ConfigDict(populate_by_name=True)


class ActionReadForForce(BaseModel):
    """What the force liaison and tokens see: no internal OPCC notes."""

    id: int
    ref: str
    title: str
    detail: str
    source_type: SourceType
    source_id: int | None
    source: SourceLink | None
    owner_org: str
    owner_org_name: str
    owner_name: str
    area: str | None
    created_by: str
    due_on: date
    status: ActionStatus
    completed_on: date | None
    outcome: str
    public: bool
    you_said_we_did: str
    told_on: date | None
    overdue: bool
    due_soon: bool
    created_at: datetime
    updated_at: datetime
    version: int


class ActionRead(ActionReadForForce):
    """The OPCC's full view."""

    private_note: str
    line_outcome: str = Field(
        default="", description="Outcome of the public line: `done`, `not_doing` or empty."
    )
    line_reason: str = Field(default="", description="Why it is not being done.")


class ActionDetailForForce(ActionReadForForce):
    history: list[ActionHistoryEntry]


class ActionDetail(ActionRead):
    history: list[ActionHistoryEntry]
