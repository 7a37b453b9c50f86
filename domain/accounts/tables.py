"""Stored accounts: users, API tokens, web sessions and sign-in attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, String
from sqlmodel import Field, SQLModel

from domain.records import Record, UTCDateTime


class User(Record, table=True):
    __tablename__ = "users"
    __table_args__ = (Index("ix_users_updated_at_id", "updated_at", "id"),)

    email: str = Field(sa_column=Column(String(254), unique=True, nullable=False))
    display_name: str = Field(sa_type=String(120), nullable=False)
    role: str = Field(sa_type=String(30), nullable=False)
    password_hash: str = Field(sa_type=String(200), nullable=False)
    active: bool = Field(default=True, nullable=False)


class ApiToken(Record, table=True):
    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_updated_at_id", "updated_at", "id"),)

    name: str = Field(sa_type=String(120), nullable=False)
    role: str = Field(sa_type=String(30), nullable=False)
    scopes: list[str] = Field(sa_column=Column(JSON, nullable=False))
    user_id: int | None = Field(default=None, foreign_key="users.id", nullable=True)
    secret_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    prefix: str = Field(sa_type=String(16), nullable=False)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class WebSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a secret; only its hash is stored."""

    __tablename__ = "web_sessions"

    id: str = Field(sa_type=String(64), primary_key=True)
    user_id: int = Field(foreign_key="users.id", nullable=False, index=True)
    csrf_token: str = Field(sa_type=String(64), nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class SignInAttempt(SQLModel, table=True):
    """Failed sign-ins, counted per account and per address for the rate limit."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (
        Index("ix_sign_in_attempts_email_at", "email", "at"),
        Index("ix_sign_in_attempts_ip_at", "ip", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    email: str = Field(sa_type=String(254), nullable=False)
    ip: str = Field(sa_type=String(64), nullable=False)
