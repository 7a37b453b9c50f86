"""Every context's tables, imported so Alembic sees one metadata."""

from sqlmodel import SQLModel

from domain.accounts.tables import ApiToken, SignInAttempt, User, WebSession
from domain.audit.tables import AuditEvent
from domain.idempotency.tables import IdempotencyRecord
from domain.reference.tables import Area, NeighbourhoodPolicingArea, Organisation, Topic

metadata = SQLModel.metadata

__all__ = [
    "ApiToken",
    "Area",
    "AuditEvent",
    "IdempotencyRecord",
    "NeighbourhoodPolicingArea",
    "Organisation",
    "SignInAttempt",
    "Topic",
    "User",
    "WebSession",
    "metadata",
]
