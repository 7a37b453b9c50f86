"""Complaint review cases, their complainant (personal data, kept apart so it can be purged),
hold spans, lifecycle steps, contacts with the complainant, and recommendations."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Text
from sqlmodel import Field

from domain.records import Record


class ComplaintReview(Record, table=True):
    """The anonymised case: dates, categories, status and outcome. It holds no personal
    data, so it stays after the purge and the statistics stay true."""

    __tablename__ = "complaint_reviews"
    __table_args__ = (
        Index("ix_complaint_reviews_updated_at_id", "updated_at", "id"),
        Index("ix_complaint_reviews_status_target", "status", "target_on", "id"),
        Index("ix_complaint_reviews_received_on", "received_on"),
        Index("ix_complaint_reviews_decided_on", "decided_on"),
        Index("ix_complaint_reviews_reviewer", "reviewer_id"),
    )

    ref: str = Field(sa_column=Column(String(20), unique=True, nullable=False))
    force_ref: str = Field(sa_type=String(50), nullable=False)
    outcome_sent_on: date = Field(nullable=False)
    received_on: date = Field(nullable=False)
    late: bool = Field(default=False, nullable=False)
    late_reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    # Validity: the OPCC, not the IOPC, is the relevant review body.
    review_body_checked: bool = Field(default=False, nullable=False)
    category_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reviewer_id: int | None = Field(default=None, foreign_key="users.id", nullable=True)
    status: str = Field(sa_type=String(30), nullable=False)
    target_on: date = Field(nullable=False)
    target_rule: str = Field(sa_type=String(20), nullable=False)
    acknowledged_on: date | None = Field(default=None, nullable=True)
    force_notified_on: date | None = Field(default=None, nullable=True)
    interested_persons_notified_on: date | None = Field(default=None, nullable=True)
    last_contact_on: date | None = Field(default=None, nullable=True)
    outcome: str | None = Field(default=None, sa_type=String(40), nullable=True)
    reasons: str = Field(default="", sa_column=Column(Text, nullable=False))
    organisational_learning: str = Field(default="", sa_column=Column(Text, nullable=False))
    no_recommendation_reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    decided_on: date | None = Field(default=None, nullable=True)
    letter_sent_on: date | None = Field(default=None, nullable=True)
    closed_on: date | None = Field(default=None, nullable=True)
    personal_data_purged_on: date | None = Field(default=None, nullable=True)


class Complainant(Record, table=True):
    """Personal data (UK GDPR / DPA 2018): read only by reviewers and admins, every read
    audited, deleted by the retention purge."""

    __tablename__ = "complainants"

    review_id: int = Field(
        sa_column=Column(Integer, ForeignKey("complaint_reviews.id"), unique=True, nullable=False)
    )
    name: str = Field(sa_type=String(200), nullable=False)
    contact: str = Field(default="", sa_column=Column(Text, nullable=False))
    narrative: str = Field(default="", sa_column=Column(Text, nullable=False))
    officers_complained_about: str = Field(default="", sa_column=Column(Text, nullable=False))


class ReviewHold(Record, table=True):
    """A dated pause of the clock (waiting for the Force's file, the complainant's reply)."""

    __tablename__ = "complaint_review_holds"
    __table_args__ = (Index("ix_complaint_review_holds_review", "review_id", "id"),)

    review_id: int = Field(foreign_key="complaint_reviews.id", nullable=False)
    started_on: date = Field(nullable=False)
    ended_on: date | None = Field(default=None, nullable=True)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))


class ReviewStep(Record, table=True):
    """One step of a review's lifecycle: who, on what day, from what, to what, and why."""

    __tablename__ = "complaint_review_steps"
    __table_args__ = (Index("ix_complaint_review_steps_review", "review_id", "id"),)

    review_id: int = Field(foreign_key="complaint_reviews.id", nullable=False)
    actor: str = Field(sa_type=String(200), nullable=False)
    from_status: str | None = Field(default=None, sa_type=String(30), nullable=True)
    to_status: str = Field(sa_type=String(30), nullable=False)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    on: date = Field(nullable=False)


class ComplainantContact(Record, table=True):
    """A progress update to the complainant (reg 34), or the decision letter."""

    __tablename__ = "complaint_review_contacts"
    __table_args__ = (Index("ix_complaint_review_contacts_review", "review_id", "id"),)

    review_id: int = Field(foreign_key="complaint_reviews.id", nullable=False)
    contacted_on: date = Field(nullable=False)
    method: str = Field(sa_type=String(20), nullable=False)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))


class Recommendation(Record, table=True):
    """A recommendation to the Force on an upheld review; the Force answers it through its
    action (source `complaint_review`), which carries no personal data."""

    __tablename__ = "complaint_recommendations"
    __table_args__ = (Index("ix_complaint_recommendations_review", "review_id", "position"),)

    review_id: int = Field(foreign_key="complaint_reviews.id", nullable=False)
    position: int = Field(nullable=False)
    text: str = Field(sa_column=Column(Text, nullable=False))
    response_due: date = Field(nullable=False)
    action_id: int = Field(
        sa_column=Column(Integer, ForeignKey("actions.id"), unique=True, nullable=False)
    )
