"""S6 over HTTP: every mutating /api/v1 operation, called by an integration token, writes
exactly one audit event naming the token, the record, the action and the changed fields;
the same call refused (a viewer's token) writes none.

The operations come from `app.routes`; AUDITED must name each one or
`test_the_table_covers_every_mutating_operation` fails. Requests are S1's builders
(tests/api/test_authorization_matrix.py), except creations that S1 calls with the required
fields only: those are sent here with every optional field filled in, so that a field the
event leaves out shows. tests/integration/test_audit.py holds the service-level version
(accounts and reference data) with the refusal cases and secret redaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import col, select

from domain import clock
from domain.accounts.rules import Role
from domain.audit.tables import AuditEvent
from domain.db import Database
from tests.api import matrix_engagement
from tests.api.matrix_complaints import full_case, full_decision, person
from tests.api.test_authorization_matrix import Builder, builders, period_code, seed
from tests.route_samples import UNSAFE_METHODS, operations

TODAY = clock.today()


@dataclass(frozen=True)
class Audited:
    entity: str
    action: str
    fields: frozenset[str]  # exactly the fields the event must carry
    build: Builder | None = None  # None: S1's builder for the operation
    # Complaint review cases are for people, never tokens (COMPLAINTS.md): such an operation
    # is called by a signed-in complaints reviewer, and the viewer token is refused with
    # `refused` (404 on a case: nothing revealed).
    by_person: bool = False
    refused: int = 403


def full_action(f) -> tuple:  # type: ignore[no-untyped-def]
    return (
        "POST",
        "/api/v1/actions",
        {
            "title": f"Everything set {f.fresh()}",
            "detail": "What was asked, in full",
            "private_note": "Internal: discussed with the Chief Executive",
            "source_type": "objective",
            "source_id": f.ids["objective"],
            "owner_org": "force",
            "owner_name": "Head of Contact Management",
            "area": "area-0",
            "due_on": str(TODAY + timedelta(days=30)),
            "public": True,
            "you_said_we_did": "You said parking was a problem; we asked for patrols",
            "told_on": str(TODAY),
        },
        {},
    )


def full_theme(f) -> tuple:  # type: ignore[no-untyped-def]
    body = {"title": f"Theme {f.fresh()}", "description": "Why this priority matters"}
    return ("POST", f"/api/v1/plans/{f.ids['plan']}/themes", body, {})


def full_objective(f) -> tuple:  # type: ignore[no-untyped-def]
    body = {
        "plan_id": f.ids["plan"],
        "theme_id": f.ids["theme"],
        "code": f"8.{f.fresh()}",
        "title": "Objective with everything",
        "description": "What delivery looks like",
        "lead_org": "opcc",
        "owner_name": "OPCC Chief Executive",
        "target_date": "2001-03-31",
    }
    return ("POST", "/api/v1/objectives", body, {})


def full_assessment(f) -> tuple:  # type: ignore[no-untyped-def]
    body = {
        "period": period_code(0),
        "rating": "green",
        "delivery_stage": "in_delivery",
        "rationale": "On track: the agreed milestones for the quarter were met.",
        "next_steps": "Report to the Panel in the next quarter.",
        "expected_date": "2001-03-31",
        "evidence_links": ["https://example.org/evidence"],
    }
    return ("POST", f"/api/v1/objectives/{f.ids['objective']}/assessments", body, {})


def full_meeting(f) -> tuple:  # type: ignore[no-untyped-def]
    body = {
        "held_on": "2024-03-18",
        "kind": "board-0",
        "title": f"Corporate Governance Board {f.fresh()}",
        "status": "held",
        "chair": "Police and Crime Commissioner",
        "attendees": ["Chief Constable", "OPCC Chief Executive"],
        "agenda": ["KPI exception report", "999 performance"],
        "summary": "The board discussed 999 performance.",
        "next_meeting_on": "2024-05-30",
        "published": True,
    }
    return ("POST", "/api/v1/board-meetings", body, {})


def full_report(f) -> tuple:  # type: ignore[no-untyped-def]
    item = {
        "topic": "topic-0",
        "kpi_evidence": "Positive outcomes for rape offences",
        "value": 6,
        "target": 8,
        "baseline": 3.4,
        "period": "rolling 12 months",
        "unit": "%",
        "recommendation": "escalate",
        "reasoning": "Below target despite improvement",
    }
    body = {
        "reported_on": "2024-02-07",
        "prepared_by": "OPCC Performance Lead",
        "title": f"KPI exception report {f.fresh()}",
        "meeting_id": f.ids["meeting"],
        "items": [item],
    }
    return ("POST", "/api/v1/exception-reports", body, {})


def full_escalation(f) -> tuple:  # type: ignore[no-untyped-def]
    body = {
        "topic": "topic-0",
        "title": f"999 performance {f.fresh()}",
        "reason": "Below target for three months",
        "request": "A paper on the recovery of 999 answering",
        "response_due": str(TODAY + timedelta(days=30)),
        "target_meeting_id": f.ids["meeting"],
    }
    return ("POST", "/api/v1/escalations", body, {})


def full_escalate_item(f) -> tuple:  # type: ignore[no-untyped-def]
    method, url, body, headers = builders()[
        "POST /api/v1/exception-items/{exception_item_id}/escalate"
    ](f)
    return (method, url, {**body, "target_meeting_id": f.ids["meeting"]}, headers)


def fields(*names: str) -> frozenset[str]:
    return frozenset(names)


REFERENCE_FIELDS = {
    "organisations": ("organisation", fields("code", "name", "short_name", "kind", "active")),
    "areas": ("area", fields("code", "name", "kind", "tile_row", "tile_col", "active")),
    "npas": ("npa", fields("code", "name", "area_id", "active")),
    "topics": ("topic", fields("code", "name", "active")),
    "board-kinds": ("board_kind", fields("code", "name", "active")),
    "allegation-categories": ("allegation_category", fields("code", "name", "active")),
}

ESCALATION_FIELDS = fields(
    "ref",
    "topic_id",
    "title",
    "reason",
    "request",
    "response_due",
    "target_meeting_id",
    "status",
    "exception_item_id",
    "monitoring_item_id",
)
MONITORING_FIELDS = fields(
    "topic_id", "title", "reason", "next_review_on", "exception_item_id", "escalation_id", "closed"
)
# Actions whose event is about a record they create (escalating an item or a monitored topic
# makes the escalation; monitoring an item makes the monitoring item).
CREATING = frozenset({"create", "escalate", "monitor"})

CASE = "/api/v1/complaint-reviews/{review_id}"
# Complaint reviews (DOMAIN.md §3): a signed-in reviewer calls (never a token); the
# complainant's values are never in an event, only "[personal data]" under their names.
COMPLAINT_AUDITED: dict[str, Audited] = {
    "POST /api/v1/complaint-reviews": Audited(
        "complaint_review",
        "create",
        fields(
            "ref",
            "force_ref",
            "outcome_sent_on",
            "received_on",
            "late",
            "late_reason",
            "review_body_checked",
            "category_ids",
            "reviewer_id",
            "status",
            "target_on",
            "target_rule",
            "complainant.name",
            "complainant.contact",
            "complainant.narrative",
            "complainant.officers_complained_about",
        ),
        full_case,
        by_person=True,
    ),
    f"PATCH {CASE}": Audited(
        "complaint_review", "update", fields("force_ref"), by_person=True, refused=404
    ),
    f"POST {CASE}/transitions": Audited(
        "complaint_review", "transition", fields("status", "note"), by_person=True, refused=404
    ),
    f"POST {CASE}/decision": Audited(
        "complaint_review",
        "decide",
        fields(
            "status",
            "outcome",
            "reasons",
            "organisational_learning",
            "no_recommendation_reason",
            "decided_on",
        ),
        full_decision,
        by_person=True,
        refused=404,
    ),
    f"POST {CASE}/contacts": Audited(
        "complainant_contact",
        "create",
        fields("review_id", "contacted_on", "method", "note"),
        by_person=True,
        refused=404,
    ),
}

AUDITED: dict[str, Audited] = {
    "POST /api/v1/users": Audited(
        "user", "create", fields("email", "display_name", "role", "active")
    ),
    "PATCH /api/v1/users/{user_id}": Audited("user", "update", fields("display_name")),
    "POST /api/v1/tokens": Audited(
        "token",
        "create",
        fields("name", "role", "scopes", "user_id", "prefix", "expires_at"),
    ),
    "DELETE /api/v1/tokens/{token_id}": Audited("token", "revoke", fields("revoked_at")),
    **{
        f"POST /api/v1/{kind}": Audited(entity, "create", created)
        for kind, (entity, created) in REFERENCE_FIELDS.items()
    },
    **{
        f"PATCH /api/v1/{kind}/{{record_id}}": Audited(entity, "update", fields("name"))
        for kind, (entity, _) in REFERENCE_FIELDS.items()
    },
    "POST /api/v1/actions": Audited(
        "action",
        "create",
        fields(
            "ref",
            "title",
            "detail",
            "private_note",
            "source_type",
            "source_id",
            "owner_org_id",
            "owner_name",
            "area_id",
            "due_on",
            "status",
            "public",
            "you_said_we_did",
            "told_on",
        ),
        full_action,
    ),
    "PATCH /api/v1/actions/{action_id}": Audited("action", "update", fields("title")),
    "POST /api/v1/actions/{action_id}/transitions": Audited(
        "action", "transition", fields("status")
    ),
    "POST /api/v1/actions/{action_id}/updates": Audited(
        "action_update", "create", fields("action_id", "body", "evidence_url", "internal")
    ),
    "POST /api/v1/plans": Audited(
        "plan", "create", fields("title", "starts_on", "ends_on", "status")
    ),
    "PATCH /api/v1/plans/{plan_id}": Audited("plan", "update", fields("title")),
    "POST /api/v1/plans/{plan_id}/themes": Audited(
        "theme", "create", fields("plan_id", "position", "title", "description"), full_theme
    ),
    "POST /api/v1/objectives": Audited(
        "objective",
        "create",
        fields(
            "plan_id",
            "theme_id",
            "code",
            "title",
            "description",
            "lead_org_id",
            "owner_name",
            "target_date",
        ),
        full_objective,
    ),
    "PATCH /api/v1/objectives/{objective_id}": Audited("objective", "update", fields("title")),
    "POST /api/v1/objectives/{objective_id}/assessments": Audited(
        "assessment",
        "create",
        fields(
            "objective_id",
            "period_id",
            "rating",
            "rationale",
            "delivery_stage",
            "next_steps",
            "expected_date",
            "evidence_links",
            "supersedes_id",
            "correction_reason",
        ),
        full_assessment,
    ),
    "POST /api/v1/periods": Audited(
        "period", "create", fields("code", "starts_on", "ends_on", "status")
    ),
    "POST /api/v1/periods/{code}/publish": Audited(
        "period", "publish", fields("status", "published_at", "published_by")
    ),  # The board (DOMAIN.md §2).
    "POST /api/v1/board-meetings": Audited(
        "board_meeting",
        "create",
        fields(
            "held_on",
            "kind_id",
            "title",
            "status",
            "chair",
            "attendees",
            "agenda",
            "summary",
            "next_meeting_on",
            "published",
        ),
        full_meeting,
    ),
    "PATCH /api/v1/board-meetings/{meeting_id}": Audited(
        "board_meeting", "update", fields("title")
    ),
    "POST /api/v1/exception-reports": Audited(
        "exception_report",
        "create",
        fields("reported_on", "prepared_by", "title", "meeting_id", "items"),
        full_report,
    ),
    "PATCH /api/v1/exception-reports/{report_id}": Audited(
        "exception_report", "update", fields("title")
    ),
    "POST /api/v1/exception-items/{exception_item_id}/escalate": Audited(
        "escalation", "escalate", ESCALATION_FIELDS, full_escalate_item
    ),
    "POST /api/v1/exception-items/{exception_item_id}/monitor": Audited(
        "monitoring_item", "monitor", MONITORING_FIELDS
    ),
    "POST /api/v1/escalations": Audited("escalation", "create", ESCALATION_FIELDS, full_escalation),
    "PATCH /api/v1/escalations/{escalation_id}": Audited("escalation", "update", fields("title")),
    "POST /api/v1/escalations/{escalation_id}/force-response": Audited(
        "escalation", "force_response", fields("status", "force_response")
    ),
    "POST /api/v1/escalations/{escalation_id}/transitions": Audited(
        "escalation", "transition", fields("status", "steps", "note")
    ),
    "POST /api/v1/monitoring-items": Audited("monitoring_item", "create", MONITORING_FIELDS),
    "PATCH /api/v1/monitoring-items/{monitoring_item_id}": Audited(
        "monitoring_item", "update", fields("title")
    ),
    "POST /api/v1/monitoring-items/{monitoring_item_id}/escalate": Audited(
        "escalation", "escalate", ESCALATION_FIELDS
    ),
    **matrix_engagement.audited(Audited),  # DOMAIN.md §4
    **COMPLAINT_AUDITED,
}


def mutating_operations(app) -> set[str]:  # type: ignore[no-untyped-def]
    return {
        op
        for op in operations(app)
        if op.split(" ")[0] in UNSAFE_METHODS and op.split(" ", 1)[1].startswith("/api/v1/")
    }


def test_the_table_covers_every_mutating_operation(app):
    assert set(AUDITED) == mutating_operations(app)


def last_event_id(database: Database) -> int:
    with database.session() as s:
        return int(s.exec(select(func.coalesce(func.max(AuditEvent.id), 0))).one())


def events_after(database: Database, marker: int) -> list[AuditEvent]:
    with database.session() as s:
        stmt = select(AuditEvent).where(col(AuditEvent.id) > marker).order_by(col(AuditEvent.id))
        return list(s.exec(stmt).all())


def event_problems(event: AuditEvent, expected: Audited, record_id: object) -> list[str]:
    problems = []
    if (event.entity, event.action) != (expected.entity, expected.action):
        problems.append(
            f"is {event.entity}/{event.action}, not {expected.entity}/{expected.action}"
        )
    if event.entity_id != record_id:
        problems.append(f"names record {event.entity_id}, the response {record_id}")
    if set(event.changes) != expected.fields:
        missing = sorted(expected.fields - set(event.changes))
        extra = sorted(set(event.changes) - expected.fields)
        problems.append(f"changed fields: missing {missing}, unexpected {extra}")
    for name, change in event.changes.items():
        if not isinstance(change, dict) or set(change) != {"before", "after"}:
            problems.append(f"{name} is not a before/after pair: {change!r}")
        elif expected.action in CREATING and change["before"] is not None:
            problems.append(f"{name} has a value before it was created")
        elif expected.action not in CREATING and change["before"] == change["after"]:
            problems.append(f"{name} did not change but is recorded")
    return problems


def record_id(response, url: str) -> object:  # type: ignore[no-untyped-def]
    """The record the call was about: in its answer, or its URL's last part for a 204."""
    return response.json()["id"] if response.content else int(url.rsplit("/", 1)[1])


def test_every_mutating_operation_writes_exactly_one_event_with_actor_and_fields(
    app, api_as, database
):
    f = seed(api_as(Role.ADMIN))
    refused_caller = api_as(Role.VIEWER)
    s1 = builders()
    failures: list[str] = []
    for operation in sorted(mutating_operations(app)):
        expected = AUDITED[operation]
        method, url, body, headers = (expected.build or s1[operation])(f)

        marker = last_event_id(database)
        refused = refused_caller.request(method, url, json=body, headers=headers)
        if refused.status_code != expected.refused or events_after(database, marker):
            failures.append(f"{operation} refused: {refused.status_code}, events written")

        caller, who = (
            (person(f, "complaints_reviewer"), "user") if expected.by_person else (f.admin, "token")
        )
        actor = caller.get("/api/v1/me").json()
        marker = last_event_id(database)
        response = caller.request(method, url, json=body, headers=headers)
        if not 200 <= response.status_code < 300:
            failures.append(f"{operation}: {response.status_code} {response.text[:200]}")
            continue
        events = events_after(database, marker)
        if len(events) != 1:
            shown = [(e.entity, e.action) for e in events]
            failures.append(f"{operation}: {len(events)} audit events {shown}, not one")
            continue
        (event,) = events
        if (event.actor_type, event.actor_id, event.actor_label) != (
            who,
            actor[f"{who}_id"],
            actor["label"],
        ):
            failures.append(
                f"{operation}: actor {event.actor_type}/{event.actor_id}/{event.actor_label}"
            )
        failures += [
            f"{operation}: the event {p}"
            for p in event_problems(event, expected, record_id(response, url))
        ]
    assert not failures, "\n".join(failures)
