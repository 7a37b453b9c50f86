"""Board meetings, exception reports and their items, escalations with Force responses and
history, and monitoring items."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, String, Text
from sqlmodel import Field

from domain.records import Record, UTCDateTime


class BoardMeeting(Record, table=True):
    __tablename__ = "board_meetings"
    __table_args__ = (
        Index("ix_board_meetings_updated_at_id", "updated_at", "id"),
        Index("ix_board_meetings_held_on", "held_on", "id"),
    )

    held_on: date = Field(nullable=False)
    kind_id: int = Field(foreign_key="board_kinds.id", nullable=False, index=True)
    title: str = Field(sa_type=String(200), nullable=False)
    status: str = Field(sa_type=String(20), nullable=False)
    chair: str = Field(default="", sa_type=String(200), nullable=False)
    attendees: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    agenda: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    next_meeting_on: date | None = Field(default=None, nullable=True)
    published: bool = Field(default=False, nullable=False)


class ExceptionReport(Record, table=True):
    """The KPI exception report the OPCC prepares for the PCC before a board."""

    __tablename__ = "exception_reports"
    __table_args__ = (Index("ix_exception_reports_updated_at_id", "updated_at", "id"),)

    reported_on: date = Field(nullable=False)
    prepared_by: str = Field(sa_type=String(200), nullable=False)
    title: str = Field(sa_type=String(200), nullable=False)
    meeting_id: int | None = Field(
        default=None, foreign_key="board_meetings.id", nullable=True, index=True
    )


class ExceptionItem(Record, table=True):
    __tablename__ = "exception_items"
    __table_args__ = (
        Index("ix_exception_items_updated_at_id", "updated_at", "id"),
        Index("ix_exception_items_report", "report_id", "position"),
    )

    report_id: int = Field(foreign_key="exception_reports.id", nullable=False)
    position: int = Field(nullable=False)
    topic_id: int = Field(foreign_key="topics.id", nullable=False)
    kpi_evidence: str = Field(default="", sa_column=Column(Text, nullable=False))
    value: float | None = Field(default=None, nullable=True)
    target: float | None = Field(default=None, nullable=True)
    baseline: float | None = Field(default=None, nullable=True)
    period: str = Field(default="", sa_type=String(100), nullable=False)
    unit: str = Field(default="", sa_type=String(20), nullable=False)
    recommendation: str = Field(sa_type=String(20), nullable=False)
    reasoning: str = Field(default="", sa_column=Column(Text, nullable=False))
    # Back-links kept by the service; no FOREIGN KEY so the tables form no cycle.
    escalation_id: int | None = Field(default=None, nullable=True)
    monitoring_item_id: int | None = Field(default=None, nullable=True)


class Escalation(Record, table=True):
    __tablename__ = "escalations"
    __table_args__ = (
        Index("ix_escalations_updated_at_id", "updated_at", "id"),
        Index("ix_escalations_status_due", "status", "response_due", "id"),
        Index("ix_escalations_target_meeting", "target_meeting_id"),
    )

    ref: str = Field(sa_column=Column(String(20), unique=True, nullable=False))
    topic_id: int = Field(foreign_key="topics.id", nullable=False)
    title: str = Field(sa_type=String(200), nullable=False)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    request: str = Field(default="", sa_column=Column(Text, nullable=False))
    response_due: date = Field(nullable=False)
    target_meeting_id: int | None = Field(
        default=None, foreign_key="board_meetings.id", nullable=True
    )
    status: str = Field(sa_type=String(30), nullable=False)
    pcc_response: str = Field(default="", sa_column=Column(Text, nullable=False))
    outcome: str = Field(default="", sa_column=Column(Text, nullable=False))
    exception_item_id: int | None = Field(
        default=None, foreign_key="exception_items.id", nullable=True
    )
    monitoring_item_id: int | None = Field(
        default=None, foreign_key="monitoring_items.id", nullable=True
    )


class ForceResponse(Record, table=True):
    """The Force's paper in answer to an escalation. Append-only."""

    __tablename__ = "force_responses"
    __table_args__ = (Index("ix_force_responses_escalation", "escalation_id", "id"),)

    escalation_id: int = Field(foreign_key="escalations.id", nullable=False)
    response: str = Field(sa_column=Column(Text, nullable=False))
    links: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    responded_by: str = Field(sa_type=String(200), nullable=False)
    responded_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class EscalationStep(Record, table=True):
    """One step of an escalation's lifecycle: who, when, from what, to what, and the note."""

    __tablename__ = "escalation_steps"
    __table_args__ = (Index("ix_escalation_steps_escalation", "escalation_id", "id"),)

    escalation_id: int = Field(foreign_key="escalations.id", nullable=False)
    actor: str = Field(sa_type=String(200), nullable=False)
    from_status: str | None = Field(default=None, sa_type=String(30), nullable=True)
    to_status: str = Field(sa_type=String(30), nullable=False)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class MonitoringItem(Record, table=True):
    __tablename__ = "monitoring_items"
    __table_args__ = (
        Index("ix_monitoring_items_updated_at_id", "updated_at", "id"),
        Index("ix_monitoring_items_review", "closed", "next_review_on"),
    )

    topic_id: int = Field(foreign_key="topics.id", nullable=False)
    title: str = Field(sa_type=String(200), nullable=False)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    next_review_on: date = Field(nullable=False)
    exception_item_id: int | None = Field(
        default=None, foreign_key="exception_items.id", nullable=True
    )
    # Back-link kept by the service (escalations.monitoring_item_id is the foreign key).
    escalation_id: int | None = Field(default=None, nullable=True)
    closed: bool = Field(default=False, nullable=False)
