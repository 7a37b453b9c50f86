"""Remembered creating requests, per caller and key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.records import UTCDateTime


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("caller", "key", name="uq_idempotency_caller_key"),)

    id: int | None = Field(default=None, primary_key=True)
    caller: str = Field(sa_type=String(80), nullable=False)
    key: str = Field(sa_type=String(200), nullable=False)
    fingerprint: str = Field(sa_type=String(64), nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    status_code: int | None = Field(default=None, nullable=True)
    location: str | None = Field(default=None, sa_type=String(500), nullable=True)
    body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
