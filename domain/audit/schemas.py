"""How an audit event is shown to admins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_type: str
    actor_id: int | None
    actor_label: str
    entity: str
    entity_id: int
    action: str
    changes: dict[str, Any]


class AuditFilter(BaseModel):
    entity: str | None = None
    entity_id: int | None = None
    actor: str | None = None  # all or part of a name, email address or token name
    sign_ins: bool = True  # False: leave out signing in and out, the bulk of the log
