"""Engagements, the issues raised at them, the links from issues to their debrief actions,
and pre-election periods. Debrief actions are ordinary actions (source `engagement`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

from domain.records import Record


class Engagement(Record, table=True):
    __tablename__ = "engagements"
    __table_args__ = (
        Index("ix_engagements_updated_at_id", "updated_at", "id"),
        Index("ix_engagements_held_on", "held_on", "id"),
        Index("ix_engagements_area_held_on", "area_id", "held_on"),
    )

    held_on: date = Field(nullable=False)
    kind: str = Field(sa_type=String(30), nullable=False)
    lead: str = Field(sa_type=String(10), nullable=False)
    lead_name: str = Field(default="", sa_type=String(200), nullable=False)
    area_id: int = Field(foreign_key="areas.id", nullable=False)
    ward: str = Field(default="", sa_type=String(200), nullable=False)
    npa_id: int | None = Field(default=None, foreign_key="npas.id", nullable=True)
    organisations_met: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    people_count: int = Field(default=0, nullable=False)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    # Personal data: names of members of the public met. OPCC people only.
    named_contacts: str = Field(default="", sa_column=Column(Text, nullable=False))
    councils_invited: int | None = Field(default=None, nullable=True)
    councils_attended: int | None = Field(default=None, nullable=True)


class EngagementIssue(Record, table=True):
    """Something residents raised at an engagement, tagged with a reference topic."""

    __tablename__ = "engagement_issues"
    __table_args__ = (
        Index("ix_engagement_issues_updated_at_id", "updated_at", "id"),
        Index("ix_engagement_issues_engagement", "engagement_id", "position"),
        Index("ix_engagement_issues_topic", "topic_id"),
    )

    engagement_id: int = Field(foreign_key="engagements.id", nullable=False)
    position: int = Field(nullable=False)
    topic_id: int = Field(foreign_key="topics.id", nullable=False)
    description: str = Field(sa_column=Column(Text, nullable=False))
    people_count: int = Field(nullable=False)


class IssueAction(SQLModel, table=True):
    """Which issue a debrief action answers. An action answers at most one issue."""

    __tablename__ = "engagement_issue_actions"
    __table_args__ = (Index("ix_engagement_issue_actions_issue", "issue_id"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="engagement_issues.id", nullable=False)
    action_id: int = Field(
        sa_column=Column(Integer, ForeignKey("actions.id"), unique=True, nullable=False)
    )


class PreElectionPeriod(Record, table=True):
    """Dates in which public communication pauses (until the election result: open end)."""

    __tablename__ = "pre_election_periods"
    __table_args__ = (
        Index("ix_pre_election_periods_updated_at_id", "updated_at", "id"),
        Index("ix_pre_election_periods_starts_on", "starts_on"),
    )

    label: str = Field(sa_type=String(200), nullable=False)
    starts_on: date = Field(nullable=False)
    ends_on: date | None = Field(default=None, nullable=True)
