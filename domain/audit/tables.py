"""Audit events: append-only, written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, String
from sqlmodel import Field, SQLModel

from domain.records import UTCDateTime


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity", "entity", "entity_id", "id"),
        Index("ix_audit_events_at_id", "at", "id"),
        Index("ix_audit_events_actor", "actor_label", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    actor_type: str = Field(sa_type=String(20), nullable=False)
    actor_id: int | None = Field(default=None, nullable=True)
    actor_label: str = Field(sa_type=String(200), nullable=False)
    entity: str = Field(sa_type=String(50), nullable=False)
    entity_id: int = Field(nullable=False)
    action: str = Field(sa_type=String(50), nullable=False)
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
