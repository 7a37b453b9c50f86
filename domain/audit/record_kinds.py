"""How each kind of record is named in the audit log, in the OPCC's words (registered with
domain.audit.names). One query per kind names a whole page of events.

Complaint reviews are named by their reference alone, never by anything about the
complainant: the log is for administrators, but a name that could identify a person has no
place in an accountability record that outlives the retention purge."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy import select as many_columns  # sqlmodel's select types four at most
from sqlmodel import Session, col, select

from domain.accounts.rules import ROLE_LABELS, SCOPE_WORDS
from domain.accounts.tables import ApiToken, User
from domain.actions.rules import STATUS_LABELS as ACTION_STATUS
from domain.actions.sources import SOURCE_LABELS
from domain.actions.tables import Action, ActionUpdate
from domain.audit.names import RecordKind, RecordName, register
from domain.board.rules import RECOMMENDATION_LABELS, MeetingStatus
from domain.board.rules import STATUS_LABELS as ESCALATION_STATUS
from domain.board.tables import BoardMeeting, Escalation, ExceptionReport, MonitoringItem
from domain.complaints.rules import OUTCOME_LABELS, ContactMethod
from domain.complaints.rules import STATUS_LABELS as REVIEW_STATUS
from domain.complaints.tables import ComplainantContact, ComplaintReview
from domain.engagement.registration import engagement_title
from domain.engagement.rules import KIND_LABELS, LEAD_LABELS, LINE_OUTCOME_LABELS, long_date
from domain.engagement.tables import Engagement, EngagementIssue, PreElectionPeriod
from domain.errors import Invalid
from domain.plan.rules import (
    RATING_LABELS,
    DeliveryStage,
    PeriodStatus,
    PlanStatus,
    parse_period_code,
)
from domain.plan.tables import Assessment, Objective, Plan, ReportingPeriod, Theme
from domain.reference.service import KINDS, TYPE_WORDS, ReferenceKind
from domain.reference.tables import Area, Topic


def _words(labels: dict[Any, str]) -> dict[str, str]:
    """Stored value → words, capitalised as a value on its own ("see actions…" → "See…")."""
    return {str(value): words[:1].upper() + words[1:] for value, words in labels.items()}


def _plain(values: Iterable[StrEnum]) -> dict[str, str]:
    """For states with no label of their own: "in_delivery" → "In delivery"."""
    return {v.value: v.value.replace("_", " ").capitalize() for v in values}


def _in(column: Any, ids: set[int]) -> Any:
    return col(column).in_(ids)


def _actions(db: Session, ids: set[int]) -> dict[int, RecordName]:
    rows = db.exec(select(Action.id, Action.ref, Action.title).where(_in(Action.id, ids))).all()
    return {i: RecordName(f"{ref}: {title}", f"/actions/{i}") for i, ref, title in rows if i}


def _action_updates(db: Session, ids: set[int]) -> dict[int, RecordName]:
    rows = db.exec(
        select(ActionUpdate.id, ActionUpdate.action_id, Action.ref)
        .join(Action, col(Action.id) == col(ActionUpdate.action_id))
        .where(_in(ActionUpdate.id, ids))
    ).all()
    return {i: RecordName(f"Update on {ref}", f"/actions/{a}") for i, a, ref in rows if i}


def _period_label(code: str) -> str:
    try:
        return parse_period_code(code).label
    except Invalid:
        return code


def _assessments(db: Session, ids: set[int]) -> dict[int, RecordName]:
    rows = db.execute(
        many_columns(
            col(Assessment.id),
            col(Objective.id),
            col(Objective.code),
            col(Objective.title),
            col(ReportingPeriod.code),
        )
        .join(Objective, col(Objective.id) == col(Assessment.objective_id))
        .join(ReportingPeriod, col(ReportingPeriod.id) == col(Assessment.period_id))
        .where(_in(Assessment.id, ids))
    ).all()
    return {
        i: RecordName(
            f"{_period_label(period)} rating of {code}: {title}", f"/objectives/{objective}"
        )
        for i, objective, code, title, period in rows
        if i
    }


def _objectives(db: Session, ids: set[int]) -> dict[int, RecordName]:
    rows = db.exec(
        select(Objective.id, Objective.code, Objective.title).where(_in(Objective.id, ids))
    ).all()
    return {i: RecordName(f"{code}: {title}", f"/objectives/{i}") for i, code, title in rows if i}


def _plans(db: Session, ids: set[int]) -> dict[int, RecordName]:
    rows = db.exec(select(Plan.id, Plan.title).where(_in(Plan.id, ids))).all()
    return {i: RecordName(title, f"/plans/{i}") for i, title in rows if i}


def _themes(db: Session, ids: set[int]) -> dict[int, RecordName]:
    rows = db.exec(select(Theme.id, Theme.plan_id, Theme.title).where(_in(Theme.id, ids))).all()
    return {i: RecordName(title, f"/plans/{plan}") for i, plan, title in rows if i}


def _periods(db: Session, ids: set[int]) -> dict[int, RecordName]:
    rows = db.exec(
        select(ReportingPeriod.id, ReportingPeriod.code).where(_in(ReportingPeriod.id, ids))
    ).all()
    return {i: RecordName(_period_label(code), "/periods") for i, code in rows if i}


def _meetings(db: Session, ids: set[int]) -> dict[int, RecordName]:
    rows = db.exec(
        select(col(BoardMeeting.id), col(BoardMeeting.title), col(BoardMeeting.held_on)).where(
            _in(BoardMeeting.id, ids)
        )
    ).all()
    return {
        i: RecordName(f"{title} ({long_date(held_on)})", f"/board-meetings/{i}")
        for i, title, held_on in rows
        if i
    }


def _reports(db: Session, ids: set[int]) -> dict[int, RecordName]:
    rows = db.exec(
        select(ExceptionReport.id, ExceptionReport.title).where(_in(ExceptionReport.id, ids))
    ).all()
    return {i: RecordName(title, f"/exception-reports/{i}") for i, title in rows if i}


def _escalations(db: Session, ids: set[int]) -> dict[int, RecordName]:
    rows = db.exec(
        select(Escalation.id, Escalation.ref, Escalation.title).where(_in(Escalation.id, ids))
    ).all()
    return {i: RecordName(f"{ref}: {title}", f"/escalations/{i}") for i, ref, title in rows if i}


def _monitoring_items(db: Session, ids: set[int]) -> dict[int, RecordName]:
    rows = db.exec(
        select(MonitoringItem.id, MonitoringItem.title).where(_in(MonitoringItem.id, ids))
    ).all()
    return {i: RecordName(title, "/monitoring-items") for i, title in rows if i}


def _engagements(db: Session, ids: set[int]) -> dict[int, RecordName]:
    rows = db.exec(
        select(col(Engagement.id), col(Engagement.kind), col(Engagement.held_on), col(Area.name))
        .join(Area, col(Area.id) == col(Engagement.area_id))
        .where(_in(Engagement.id, ids))
    ).all()
    return {
        i: RecordName(engagement_title(kind, area, held_on), f"/engagements/{i}")
        for i, kind, held_on, area in rows
        if i
    }


def _issues(db: Session, ids: set[int]) -> dict[int, RecordName]:
    rows = db.execute(
        many_columns(
            col(EngagementIssue.id),
            col(Topic.name),
            col(Engagement.id),
            col(Engagement.kind),
            col(Engagement.held_on),
            col(Area.name),
        )
        .join(Topic, col(Topic.id) == col(EngagementIssue.topic_id))
        .join(Engagement, col(Engagement.id) == col(EngagementIssue.engagement_id))
        .join(Area, col(Area.id) == col(Engagement.area_id))
        .where(_in(EngagementIssue.id, ids))
    ).all()
    return {
        i: RecordName(
            f"{topic} raised at the {engagement_title(kind, area, held_on)}",
            f"/engagements/{engagement}",
        )
        for i, topic, engagement, kind, held_on, area in rows
        if i
    }


def _pre_election_periods(db: Session, ids: set[int]) -> dict[int, RecordName]:
    rows = db.exec(
        select(PreElectionPeriod.id, PreElectionPeriod.label).where(_in(PreElectionPeriod.id, ids))
    ).all()
    return {i: RecordName(label, f"/admin/pre-election-periods/{i}/edit") for i, label in rows if i}


def _reviews(db: Session, ids: set[int]) -> dict[int, RecordName]:
    rows = db.exec(
        select(ComplaintReview.id, ComplaintReview.ref).where(_in(ComplaintReview.id, ids))
    ).all()
    return {
        i: RecordName(f"Complaint review {ref}", f"/complaint-reviews/{i}") for i, ref in rows if i
    }


def _contacts(db: Session, ids: set[int]) -> dict[int, RecordName]:
    rows = db.exec(
        select(ComplainantContact.id, ComplaintReview.id, ComplaintReview.ref)
        .join(ComplaintReview, col(ComplaintReview.id) == col(ComplainantContact.review_id))
        .where(_in(ComplainantContact.id, ids))
    ).all()
    return {
        i: RecordName(f"Contact with the complainant, {ref}", f"/complaint-reviews/{review}")
        for i, review, ref in rows
        if i
    }


def _users(db: Session, ids: set[int]) -> dict[int, RecordName]:
    rows = db.exec(select(User.id, User.display_name).where(_in(User.id, ids))).all()
    return {i: RecordName(name, f"/admin/users/{i}") for i, name in rows if i}


def _tokens(db: Session, ids: set[int]) -> dict[int, RecordName]:
    rows = db.exec(select(ApiToken.id, ApiToken.name).where(_in(ApiToken.id, ids))).all()
    return {i: RecordName(f"API token “{name}”", f"/admin/tokens/{i}") for i, name in rows if i}


def _reference(kind: ReferenceKind) -> RecordKind:
    table: Any = kind.table

    def name(db: Session, ids: set[int]) -> dict[int, RecordName]:
        rows = db.exec(select(table.id, table.name).where(col(table.id).in_(ids))).all()
        return {
            i: RecordName(n, f"/admin/reference/{kind.slug}/{i}") for i, n in rows if i is not None
        }

    return RecordKind(
        kind.entity,
        kind.singular[:1].upper() + kind.singular[1:],
        name,
        field_labels={"kind": "Type", "area_id": "Area"},
        value_words={"kind": TYPE_WORDS},
        refers_to={"area_id": "area"},
    )


ROLE_WORDS = _words(ROLE_LABELS)

KINDS_OF_RECORD = [
    RecordKind(
        "action",
        "Action",
        _actions,
        field_labels={
            "owner_org_id": "Owner",
            "owner_name": "Owner’s name or role",
            "area_id": "Area",
            "due_on": "Due date",
            "completed_on": "Completed on",
            "source_type": "Came from",
            "source_id": "Source",
            "you_said_we_did": "You said, we did",
            "told_on": "Residents told on",
            "line_outcome": "Public line’s outcome",
            "line_reason": "Why not",
            "public": "Shown to the public",
        },
        value_words={
            "status": _words(ACTION_STATUS),
            "source_type": _words(SOURCE_LABELS),
            "line_outcome": _words(LINE_OUTCOME_LABELS),
        },
        refers_to={"owner_org_id": "organisation", "area_id": "area"},
        kind_named_by={"source_id": "source_type"},
    ),
    RecordKind(
        "action_update",
        "Action update",
        _action_updates,
        field_labels={"body": "Update", "evidence_url": "Evidence link", "internal": "OPCC only"},
        refers_to={"action_id": "action"},
    ),
    RecordKind(
        "assessment",
        "Rating",
        _assessments,
        field_labels={"period_id": "Period", "supersedes_id": "Corrects"},
        value_words={"rating": _words(RATING_LABELS), "delivery_stage": _plain(DeliveryStage)},
        refers_to={
            "objective_id": "objective",
            "period_id": "period",
            "supersedes_id": "assessment",
        },
    ),
    RecordKind(
        "objective",
        "Plan objective",
        _objectives,
        field_labels={"lead_org_id": "Lead"},
        refers_to={"plan_id": "plan", "theme_id": "theme", "lead_org_id": "organisation"},
    ),
    RecordKind("plan", "Police and Crime Plan", _plans, value_words={"status": _plain(PlanStatus)}),
    RecordKind("theme", "Plan theme", _themes, refers_to={"plan_id": "plan"}),
    RecordKind(
        "period", "Reporting period", _periods, value_words={"status": _plain(PeriodStatus)}
    ),
    RecordKind(
        "board_meeting",
        "Board meeting",
        _meetings,
        field_labels={"kind_id": "Board", "held_on": "Date"},
        value_words={"status": _plain(MeetingStatus)},
        refers_to={"kind_id": "board_kind"},
    ),
    RecordKind(
        "exception_report",
        "Exception report",
        _reports,
        field_labels={"meeting_id": "Board meeting", "reported_on": "Date"},
        value_words={"recommendation": _words(RECOMMENDATION_LABELS)},
        refers_to={"meeting_id": "board_meeting"},
    ),
    RecordKind(
        "escalation",
        "Escalation",
        _escalations,
        field_labels={"target_meeting_id": "Board meeting", "response_due": "Response due"},
        value_words={"status": _words(ESCALATION_STATUS)},
        refers_to={
            "topic_id": "topic",
            "target_meeting_id": "board_meeting",
            "monitoring_item_id": "monitoring_item",
        },
    ),
    RecordKind(
        "monitoring_item",
        "Monitoring item",
        _monitoring_items,
        field_labels={"next_review_on": "Next review"},
        refers_to={"topic_id": "topic", "escalation_id": "escalation"},
    ),
    RecordKind(
        "engagement",
        "Engagement",
        _engagements,
        field_labels={"held_on": "Date", "npa_id": "Neighbourhood Policing Area"},
        value_words={"kind": _words(KIND_LABELS), "lead": _words(LEAD_LABELS)},
        refers_to={"area_id": "area", "npa_id": "npa"},
    ),
    RecordKind(
        "engagement_issue",
        "Issue raised",
        _issues,
        field_labels={"people_count": "People who raised it"},
        refers_to={"engagement_id": "engagement", "topic_id": "topic"},
    ),
    RecordKind("pre_election_period", "Pre-election period", _pre_election_periods),
    RecordKind(
        "complaint_review",
        "Complaint review",
        _reviews,
        field_labels={"reviewer_id": "Reviewer", "category_ids": "Allegation categories"},
        value_words={"status": _words(REVIEW_STATUS), "outcome": _words(OUTCOME_LABELS)},
        refers_to={"reviewer_id": "user", "category_ids": "allegation_category"},
    ),
    RecordKind(
        "complainant_contact",
        "Contact with a complainant",
        _contacts,
        field_labels={"review_id": "Complaint review"},
        value_words={"method": _plain(ContactMethod)},
        refers_to={"review_id": "complaint_review"},
    ),
    RecordKind("user", "User", _users, value_words={"role": ROLE_WORDS}),
    RecordKind(
        "token",
        "API token",
        _tokens,
        field_labels={"prefix": "Starts with", "user_id": "User", "scopes": "What it may do"},
        value_words={"role": ROLE_WORDS, "scopes": _words(SCOPE_WORDS)},
        refers_to={"user_id": "user"},
    ),
    *(_reference(kind) for kind in KINDS.values()),
]

for record_kind in KINDS_OF_RECORD:
    register(record_kind)
