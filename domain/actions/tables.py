"""Actions, their append-only updates, and their status history."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Column, Index, String, Text, text
from sqlmodel import Field

from domain.records import Record

OUTSTANDING_WHERE = "status IN ('open', 'in_progress')"
"""Neither done nor cancelled (rules.CLOSED), as the partial index's condition."""


class Action(Record, table=True):
    __tablename__ = "actions"
    __table_args__ = (
        Index("ix_actions_updated_at_id", "updated_at", "id"),
        Index("ix_actions_status_due", "status", "due_on", "id"),
        Index("ix_actions_owner_status_due", "owner_org_id", "status", "due_on"),
        Index("ix_actions_source", "source_type", "source_id"),
        # A filtered list walks (column, id) in order and stops after a page (migration 0011).
        Index("ix_actions_status_id", "status", "id"),
        Index("ix_actions_owner_id", "owner_org_id", "id"),
        Index("ix_actions_area_id", "area_id", "id"),
        Index("ix_actions_source_type_id", "source_type", "id"),
        # Overdue and outstanding lists walk this in id order: only the open work is in it.
        Index(
            "ix_actions_outstanding",
            "id",
            "due_on",
            sqlite_where=text(OUTSTANDING_WHERE),
            postgresql_where=text(OUTSTANDING_WHERE),
        ),
        # The Force inbox walks this in (due date, id) order: what is owed, soonest first.
        Index(
            "ix_actions_outstanding_due",
            "due_on",
            "id",
            sqlite_where=text(OUTSTANDING_WHERE),
            postgresql_where=text(OUTSTANDING_WHERE),
        ),
        Index("ix_actions_created_by_status_due", "created_by", "status", "due_on"),
        # Home's "my actions": one officer's open work, soonest due first (migration 0012).
        Index(
            "ix_actions_outstanding_created_by_due",
            "created_by",
            "due_on",
            "id",
            sqlite_where=text(OUTSTANDING_WHERE),
            postgresql_where=text(OUTSTANDING_WHERE),
        ),
    )

    ref: str = Field(sa_column=Column(String(20), unique=True, nullable=False))
    title: str = Field(sa_type=String(200), nullable=False)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))
    private_note: str = Field(default="", sa_column=Column(Text, nullable=False))
    source_type: str = Field(sa_type=String(30), nullable=False)
    source_id: int | None = Field(default=None, nullable=True)
    owner_org_id: int = Field(foreign_key="organisations.id", nullable=False)
    owner_name: str = Field(default="", sa_type=String(200), nullable=False)
    area_id: int | None = Field(default=None, foreign_key="areas.id", nullable=True)
    created_by: str = Field(sa_type=String(200), nullable=False)
    due_on: date = Field(nullable=False)
    status: str = Field(sa_type=String(20), nullable=False)
    completed_on: date | None = Field(default=None, nullable=True)
    outcome: str = Field(default="", sa_column=Column(Text, nullable=False))
    public: bool = Field(default=False, nullable=False)
    you_said_we_did: str = Field(default="", sa_type=String(500), nullable=False)
    told_on: date | None = Field(default=None, nullable=True)
    # The rest of the "you said, we did" line (closing the loop, DOMAIN.md §4): its outcome,
    # "" (none yet), done or not_doing, and why it is not being done.
    line_outcome: str = Field(default="", sa_type=String(20), nullable=False)
    line_reason: str = Field(default="", sa_type=String(500), nullable=False)


class ActionUpdate(Record, table=True):
    """A dated note on an action. Append-only: never edited, never deleted."""

    __tablename__ = "action_updates"
    __table_args__ = (Index("ix_action_updates_action", "action_id", "id"),)

    action_id: int = Field(foreign_key="actions.id", nullable=False)
    author: str = Field(sa_type=String(200), nullable=False)
    body: str = Field(sa_column=Column(Text, nullable=False))
    evidence_url: str = Field(default="", sa_type=String(500), nullable=False)
    internal: bool = Field(default=False, nullable=False)


class ActionTransition(Record, table=True):
    """One step of an action's lifecycle: who moved it, when, from what, to what, and why."""

    __tablename__ = "action_transitions"
    __table_args__ = (Index("ix_action_transitions_action", "action_id", "id"),)

    action_id: int = Field(foreign_key="actions.id", nullable=False)
    actor: str = Field(sa_type=String(200), nullable=False)
    from_status: str | None = Field(default=None, sa_type=String(20), nullable=True)
    to_status: str = Field(sa_type=String(20), nullable=False)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
