"""Stored accounts: users, API tokens, web sessions, sign-in attempts, password reset links
and the secrets waiting to be shown once."""

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
    # Not a change to the token: stamped by a plain UPDATE, so `version` and `updated_at`
    # (and the feeds that sync on them) stay as they are.
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


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


class PasswordReset(SQLModel, table=True):
    """A one-time link an administrator gives a person so they set their own password.
    Only the hash of the link's secret is stored, as for API tokens."""

    __tablename__ = "password_resets"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", nullable=False, index=True)
    secret_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class SecretReveal(SQLModel, table=True):
    """A new secret (an API token, a password reset link) waiting to be shown once to the
    administrator who made it, after the redirect that follows the form.

    The row is keyed by the hash of a one-time key that only that administrator's browser
    holds (a short-lived cookie), and the secret is stored masked by that key, so the
    database alone never gives it away. Shown once, then deleted; useless after minutes."""

    __tablename__ = "secret_reveals"

    id: str = Field(sa_type=String(64), primary_key=True)
    kind: str = Field(sa_type=String(20), nullable=False)
    subject_id: int = Field(nullable=False)
    shown_to: int = Field(foreign_key="users.id", nullable=False)
    masked: str = Field(sa_type=String(200), nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
