"""Request and response shapes for users and tokens (one family per concept)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from domain.accounts.rules import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, Role, Scope

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# No NUL: PostgreSQL text cannot hold it, so it is refused here as a 422, not a 500.
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=r"^[^\x00]*$"),
]


def normalise_email(value: str) -> str:
    value = value.strip().lower()
    if not EMAIL_PATTERN.match(value) or len(value) > 254 or not value.isprintable():
        raise ValueError("must be an email address, like name@example.org")
    return value


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str
    display_name: Name
    role: Role
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)

    _email = field_validator("email")(normalise_email)


class UserInvite(BaseModel):
    """A new user who sets their own password through a one-time link (the admin pages)."""

    model_config = ConfigDict(extra="forbid")

    email: str
    display_name: Name
    role: Role

    _email = field_validator("email")(normalise_email)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: Name | None = None
    role: Role | None = None
    active: bool | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    display_name: str
    role: Role
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    role: Role
    scopes: list[Scope] = Field(min_length=1)
    user_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    role: Role
    scopes: list[Scope]
    user_id: int | None
    prefix: str
    expires_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class TokenCreated(TokenRead):
    secret: str = Field(description="Shown once; only its hash is stored.")


class MeRead(BaseModel):
    kind: str
    label: str
    role: Role | None
    scopes: list[Scope]
    user_id: int | None
    token_id: int | None
