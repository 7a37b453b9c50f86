"""Every context's tables, imported so Alembic sees one metadata."""

from sqlmodel import SQLModel

from domain.accounts.tables import (
    ApiToken,
    PasswordReset,
    SecretReveal,
    SignInAttempt,
    User,
    WebSession,
)
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
from domain.complaints.tables import (
    Complainant,
    ComplainantContact,
    ComplaintReview,
    Recommendation,
    ReviewHold,
    ReviewStep,
)
from domain.engagement.tables import Engagement, EngagementIssue, IssueAction, PreElectionPeriod
from domain.idempotency.tables import IdempotencyRecord
from domain.plan.tables import Assessment, Objective, Plan, ReportingPeriod, Theme
from domain.reference.tables import (
    AllegationCategory,
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
    "AllegationCategory",
    "ApiToken",
    "Area",
    "Assessment",
    "AuditEvent",
    "BoardKind",
    "BoardMeeting",
    "Complainant",
    "ComplainantContact",
    "ComplaintReview",
    "Engagement",
    "EngagementIssue",
    "Escalation",
    "EscalationStep",
    "ExceptionItem",
    "ExceptionReport",
    "ForceResponse",
    "IdempotencyRecord",
    "IssueAction",
    "MonitoringItem",
    "NeighbourhoodPolicingArea",
    "Objective",
    "Organisation",
    "PasswordReset",
    "Plan",
    "PreElectionPeriod",
    "Recommendation",
    "RefCounter",
    "ReportingPeriod",
    "ReviewHold",
    "ReviewStep",
    "SecretReveal",
    "SignInAttempt",
    "SyncClock",
    "Theme",
    "Topic",
    "User",
    "WebSession",
    "metadata",
]
