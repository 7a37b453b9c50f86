"""Every context's tables, imported so Alembic sees one metadata."""

from sqlmodel import SQLModel

from domain.accounts.tables import ApiToken, SignInAttempt, User, WebSession
from domain.actions.tables import Action, ActionTransition, ActionUpdate
from domain.audit.tables import AuditEvent
from domain.board.tables import (
    BoardMeeting,
    Escalation,
    EscalationStep,
    ExceptionItem,
    ExceptionReport,
    ForceResponse,
    MonitoringItem,
)
from domain.idempotency.tables import IdempotencyRecord
from domain.plan.tables import Assessment, Objective, Plan, ReportingPeriod, Theme
from domain.reference.tables import (
    Area,
    BoardKind,
    NeighbourhoodPolicingArea,
    Organisation,
    Topic,
)
from domain.refs import RefCounter
from domain.sync import SyncClock

metadata = SQLModel.metadata

__all__ = [
    "Action",
    "ActionTransition",
    "ActionUpdate",
    "ApiToken",
    "Area",
    "Assessment",
    "AuditEvent",
    "BoardKind",
    "BoardMeeting",
    "Escalation",
    "EscalationStep",
    "ExceptionItem",
    "ExceptionReport",
    "ForceResponse",
    "IdempotencyRecord",
    "MonitoringItem",
    "NeighbourhoodPolicingArea",
    "Objective",
    "Organisation",
    "Plan",
    "RefCounter",
    "ReportingPeriod",
    "SignInAttempt",
    "SyncClock",
    "Theme",
    "Topic",
    "User",
    "WebSession",
    "metadata",
]
