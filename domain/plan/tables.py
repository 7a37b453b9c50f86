"""Plans, themes, objectives, reporting periods and RAG assessments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field

from domain.records import Record, UTCDateTime


class Plan(Record, table=True):
    __tablename__ = "plans"
    __table_args__ = (Index("ix_plans_updated_at_id", "updated_at", "id"),)

    title: str = Field(sa_type=String(200), nullable=False)
    starts_on: date = Field(nullable=False)
    ends_on: date = Field(nullable=False)
    status: str = Field(sa_type=String(20), nullable=False)


class Theme(Record, table=True):
    """A priority of the Plan, in the Plan's own order."""

    __tablename__ = "themes"
    __table_args__ = (
        Index("ix_themes_updated_at_id", "updated_at", "id"),
        UniqueConstraint("plan_id", "position", name="uq_themes_plan_position"),
    )

    plan_id: int = Field(foreign_key="plans.id", nullable=False, index=True)
    position: int = Field(nullable=False)
    title: str = Field(sa_type=String(200), nullable=False)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))


class Objective(Record, table=True):
    """A commitment under a theme (code like 2.3), led by the OPCC or the Force."""

    __tablename__ = "objectives"
    __table_args__ = (
        Index("ix_objectives_updated_at_id", "updated_at", "id"),
        Index("ix_objectives_theme", "theme_id", "code"),
        UniqueConstraint("plan_id", "code", name="uq_objectives_plan_code"),
    )

    plan_id: int = Field(foreign_key="plans.id", nullable=False, index=True)
    theme_id: int = Field(foreign_key="themes.id", nullable=False)
    code: str = Field(sa_type=String(20), nullable=False)
    title: str = Field(sa_type=String(300), nullable=False)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    lead_org_id: int = Field(foreign_key="organisations.id", nullable=False)
    owner_name: str = Field(default="", sa_type=String(200), nullable=False)
    target_date: date | None = Field(default=None, nullable=True)


class ReportingPeriod(Record, table=True):
    """A financial-year quarter; published periods are frozen."""

    __tablename__ = "reporting_periods"
    __table_args__ = (Index("ix_reporting_periods_updated_at_id", "updated_at", "id"),)

    code: str = Field(sa_column=Column(String(20), unique=True, nullable=False))
    starts_on: date = Field(nullable=False)
    ends_on: date = Field(nullable=False)
    status: str = Field(sa_type=String(20), nullable=False)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    published_by: str = Field(default="", sa_type=String(200), nullable=False)


class Assessment(Record, table=True):
    """One RAG rating of an objective for a period, with its reason. Never edited: a later
    assessment for the same period supersedes it (a correction once the period is published)."""

    __tablename__ = "assessments"
    __table_args__ = (
        Index("ix_assessments_updated_at_id", "updated_at", "id"),
        Index("ix_assessments_objective_period", "objective_id", "period_id", "id"),
        Index("ix_assessments_period", "period_id", "objective_id"),
    )

    objective_id: int = Field(foreign_key="objectives.id", nullable=False)
    period_id: int = Field(foreign_key="reporting_periods.id", nullable=False)
    rating: str = Field(sa_type=String(10), nullable=False)
    rationale: str = Field(sa_column=Column(Text, nullable=False))
    delivery_stage: str = Field(sa_type=String(20), nullable=False)
    next_steps: str = Field(default="", sa_column=Column(Text, nullable=False))
    expected_date: date | None = Field(default=None, nullable=True)
    evidence_links: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    assessed_by: str = Field(sa_type=String(200), nullable=False)
    supersedes_id: int | None = Field(default=None, foreign_key="assessments.id", nullable=True)
    correction_reason: str = Field(default="", sa_column=Column(Text, nullable=False))
