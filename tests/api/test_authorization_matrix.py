"""S1: every operation of the JSON API, for every role and a narrowed token, allow or deny,
in one explicit table. A new /api/v1 operation fails `test_the_table_covers_every_operation`
until someone decides, here, who may call it."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from domain import clock
from domain.accounts.rules import Role, Scope
from tests.api import matrix_complaints, matrix_engagement
from tests.conftest import Caller

# Who calls, in the order the table's letters are written.
CALLERS: dict[str, tuple[Role, frozenset[Scope] | None] | None] = {
    "admin": (Role.ADMIN, None),
    "opcc_staff": (Role.OPCC_STAFF, None),
    "complaints_reviewer": (Role.COMPLAINTS_REVIEWER, None),
    "force_liaison": (Role.FORCE_LIAISON, None),
    "viewer": (Role.VIEWER, None),
    # An admin-role token narrowed to one read scope: its scopes, not its role, decide.
    "admin token [read:actions]": (Role.ADMIN, frozenset({Scope.READ_ACTIONS})),
    # A force liaison token that may read but not respond.
    "force token [read:actions]": (Role.FORCE_LIAISON, frozenset({Scope.READ_ACTIONS})),
    "anonymous": None,
}
# Y: allowed (2xx). n: refused, 403. a: 401 (who are you?). h: hidden, 404 (a record the
# caller may not know exists, e.g. a complaint review case for anyone but its reviewers).
ADMIN_ONLY = "Ynnnnnna"
ANY_CALLER = "YYYYYYYa"
ACTION_WRITERS = "YYYnnnna"
ACTION_RESPONDERS = "YYYYnnna"  # OPCC editors; the Force on what it owns
PLAN_READERS = "YYYnYnna"  # read:plan: not the Force, not tokens without the scope
PLAN_WRITERS = "YYYnnnna"
PUBLISHERS = "YYnnnnna"  # publishing a period: admin and OPCC staff only
PUBLIC = "YYYYYYYY"
BOARD_READERS = "YYYYYnna"  # read:board: the Force too (boards and escalations are addressed to it)
BOARD_WRITERS = "YYYnnnna"  # write:board: OPCC roles
FORCE_RESPONDERS = "YnnYnnna"  # write:force-responses: the force liaison (and admins)

EXPECTED: dict[str, str] = {
    "GET /api/v1/me": ANY_CALLER,
    "GET /api/v1/users": ADMIN_ONLY,
    "POST /api/v1/users": ADMIN_ONLY,
    "GET /api/v1/users/{user_id}": ADMIN_ONLY,
    "PATCH /api/v1/users/{user_id}": ADMIN_ONLY,
    "GET /api/v1/tokens": ADMIN_ONLY,
    "POST /api/v1/tokens": ADMIN_ONLY,
    "GET /api/v1/tokens/{token_id}": ADMIN_ONLY,
    "DELETE /api/v1/tokens/{token_id}": ADMIN_ONLY,
    "GET /api/v1/audit-events": ADMIN_ONLY,
    # Reference data: anyone signed in reads it; only admins change it.
    **{
        f"{method} /api/v1/{kind}{suffix}": (ANY_CALLER if method == "GET" else ADMIN_ONLY)
        for kind in (
            "organisations",
            "areas",
            "npas",
            "topics",
            "board-kinds",
            "allegation-categories",
        )
        for method, suffix in (
            ("GET", ""),
            ("POST", ""),
            ("GET", "/{record_id}"),
            ("PATCH", "/{record_id}"),
        )
    },
    # Actions (DOMAIN.md §6): everyone with read:actions reads (the Force only what it owns);
    # OPCC editors write; the Force responds on its own actions.
    "GET /api/v1/actions": ANY_CALLER,
    "POST /api/v1/actions": ACTION_WRITERS,
    "GET /api/v1/actions/{action_id}": ANY_CALLER,
    "PATCH /api/v1/actions/{action_id}": ACTION_WRITERS,
    "POST /api/v1/actions/{action_id}/transitions": ACTION_RESPONDERS,
    "GET /api/v1/actions/{action_id}/updates": ANY_CALLER,
    "POST /api/v1/actions/{action_id}/updates": ACTION_RESPONDERS,
    "GET /api/v1/force-inbox": ANY_CALLER,
    # Plan delivery (DOMAIN.md §1, §6).
    "GET /api/v1/plans": PLAN_READERS,
    "POST /api/v1/plans": PLAN_WRITERS,
    "GET /api/v1/plans/{plan_id}": PLAN_READERS,
    "PATCH /api/v1/plans/{plan_id}": PLAN_WRITERS,
    "GET /api/v1/plans/{plan_id}/themes": PLAN_READERS,
    "POST /api/v1/plans/{plan_id}/themes": PLAN_WRITERS,
    "GET /api/v1/objectives": PLAN_READERS,
    "POST /api/v1/objectives": PLAN_WRITERS,
    "GET /api/v1/objectives/{objective_id}": PLAN_READERS,
    "PATCH /api/v1/objectives/{objective_id}": PLAN_WRITERS,
    "GET /api/v1/objectives/{objective_id}/assessments": PLAN_READERS,
    "POST /api/v1/objectives/{objective_id}/assessments": PLAN_WRITERS,
    "GET /api/v1/periods": PLAN_READERS,
    "POST /api/v1/periods": PLAN_WRITERS,
    "GET /api/v1/periods/{code}": PLAN_READERS,
    "POST /api/v1/periods/{code}/publish": PUBLISHERS,
    "GET /api/v1/public/plan": PUBLIC,
    # The board (DOMAIN.md §2, §6).
    "GET /api/v1/board-meetings": BOARD_READERS,
    "POST /api/v1/board-meetings": BOARD_WRITERS,
    "GET /api/v1/board-meetings/{meeting_id}": BOARD_READERS,
    "PATCH /api/v1/board-meetings/{meeting_id}": BOARD_WRITERS,
    "GET /api/v1/exception-reports": BOARD_READERS,
    "POST /api/v1/exception-reports": BOARD_WRITERS,
    "GET /api/v1/exception-reports/{report_id}": BOARD_READERS,
    "PATCH /api/v1/exception-reports/{report_id}": BOARD_WRITERS,
    "POST /api/v1/exception-items/{exception_item_id}/escalate": BOARD_WRITERS,
    "POST /api/v1/exception-items/{exception_item_id}/monitor": BOARD_WRITERS,
    "GET /api/v1/escalations": BOARD_READERS,
    "POST /api/v1/escalations": BOARD_WRITERS,
    "GET /api/v1/escalations/{escalation_id}": BOARD_READERS,
    "PATCH /api/v1/escalations/{escalation_id}": BOARD_WRITERS,
    "POST /api/v1/escalations/{escalation_id}/force-response": FORCE_RESPONDERS,
    "POST /api/v1/escalations/{escalation_id}/transitions": BOARD_WRITERS,
    "GET /api/v1/monitoring-items": BOARD_READERS,
    "POST /api/v1/monitoring-items": BOARD_WRITERS,
    "GET /api/v1/monitoring-items/{monitoring_item_id}": BOARD_READERS,
    "PATCH /api/v1/monitoring-items/{monitoring_item_id}": BOARD_WRITERS,
    "POST /api/v1/monitoring-items/{monitoring_item_id}/escalate": BOARD_WRITERS,
    "GET /api/v1/public/board": PUBLIC,
    **matrix_engagement.EXPECTED,  # DOMAIN.md §4, §6
    **matrix_complaints.COMPLAINT_EXPECTED,  # DOMAIN.md §3, §6: cases for people only
}
OUTCOME = {"Y": "allowed", "n": "403", "a": "401", "h": "404"}


def api_operations(app) -> set[str]:  # type: ignore[no-untyped-def]
    found = set()
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute) and context.path.startswith("/api/v1"):
            found |= {f"{m} {context.path}" for m in context.methods - {"HEAD"}}
    return found


def test_the_table_covers_every_operation(app):
    assert set(EXPECTED) == api_operations(app)
    assert all(len(row) == len(CALLERS) for row in EXPECTED.values())


@dataclass
class Fixture:
    admin: Caller
    ids: dict[str, int]
    counter: itertools.count
    # Signed-in people (Callers with a session and its CSRF header), by role, made on demand:
    # complaint review cases are for people only, never tokens (matrix_complaints.py).
    people: dict[str, Caller] = field(default_factory=dict)

    def fresh(self) -> int:
        return next(self.counter)

    def etag(self, url: str) -> str:
        response = self.admin.get(url)
        assert response.status_code == 200, response.text
        return response.headers["etag"]

    def create(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.admin.post(url, json=body)
        assert response.status_code == 201, response.text
        return response.json()


Request = tuple[str, str, dict[str, Any] | None, dict[str, str]]
Builder = Callable[[Fixture], Request]
DUE = str(clock.today() + timedelta(days=30))


def reference_body(kind: str, n: int, f: Fixture) -> dict[str, Any]:
    if kind == "organisations":
        return {"code": f"org-{n}", "name": f"Org {n}", "kind": "partner"}
    if kind == "areas":
        return {
            "code": f"area-{n}",
            "name": f"Area {n}",
            "kind": "district",
            "tile_row": 10 + n // 40,
            "tile_col": n % 40,
        }
    if kind == "npas":
        return {"code": f"npa-{n}", "name": f"NPA {n}", "area_id": f.ids["area"]}
    if kind == "board-kinds":
        return {"code": f"board-{n}", "name": f"Board {n}"}
    if kind == "allegation-categories":
        return {"code": f"allegation-{n}", "name": f"Allegation category {n}"}
    return {"code": f"topic-{n}", "name": f"Topic {n}"}


def force_action(f: Fixture) -> int:
    body = {"title": f"Action {f.fresh()}", "owner_org": "force", "due_on": DUE}
    return f.create("/api/v1/actions", body)["id"]


def period_code(n: int) -> str:
    year = 2000 + n
    return f"{year}-{(year + 1) % 100:02d}-Q1"


def plan_builders() -> dict[str, Builder]:
    objective = "/api/v1/objectives/{}"
    return {
        "GET /api/v1/plans": lambda f: ("GET", "/api/v1/plans", None, {}),
        "POST /api/v1/plans": lambda f: (
            "POST",
            "/api/v1/plans",
            {"title": f"Plan {f.fresh()}", "starts_on": "2024-04-01", "ends_on": "2028-03-31"},
            {},
        ),
        "GET /api/v1/plans/{plan_id}": lambda f: (
            "GET",
            f"/api/v1/plans/{f.ids['plan']}",
            None,
            {},
        ),
        "PATCH /api/v1/plans/{plan_id}": lambda f: (
            "PATCH",
            f"/api/v1/plans/{f.ids['plan']}",
            {"title": f"P{f.fresh()}"},
            {"If-Match": f.etag(f"/api/v1/plans/{f.ids['plan']}")},
        ),
        "GET /api/v1/plans/{plan_id}/themes": lambda f: (
            "GET",
            f"/api/v1/plans/{f.ids['plan']}/themes",
            None,
            {},
        ),
        "POST /api/v1/plans/{plan_id}/themes": lambda f: (
            "POST",
            f"/api/v1/plans/{f.ids['plan']}/themes",
            {"title": f"Theme {f.fresh()}"},
            {},
        ),
        "GET /api/v1/objectives": lambda f: ("GET", "/api/v1/objectives", None, {}),
        "POST /api/v1/objectives": lambda f: (
            "POST",
            "/api/v1/objectives",
            {
                "plan_id": f.ids["plan"],
                "theme_id": f.ids["theme"],
                "code": f"9.{f.fresh()}",
                "title": "Objective",
                "lead_org": "opcc",
            },
            {},
        ),
        "GET /api/v1/objectives/{objective_id}": lambda f: (
            "GET",
            objective.format(f.ids["objective"]),
            None,
            {},
        ),
        "PATCH /api/v1/objectives/{objective_id}": lambda f: (
            "PATCH",
            objective.format(f.ids["objective"]),
            {"title": f"O{f.fresh()}"},
            {"If-Match": f.etag(objective.format(f.ids["objective"]))},
        ),
        "GET /api/v1/objectives/{objective_id}/assessments": lambda f: (
            "GET",
            objective.format(f.ids["objective"]) + "/assessments",
            None,
            {},
        ),
        "POST /api/v1/objectives/{objective_id}/assessments": lambda f: (
            "POST",
            objective.format(f.ids["objective"]) + "/assessments",
            {
                "period": period_code(0),
                "rating": "green",
                "delivery_stage": "in_delivery",
                "rationale": "On track: the agreed milestones for the quarter were met.",
            },
            {},
        ),
        "GET /api/v1/periods": lambda f: ("GET", "/api/v1/periods", None, {}),
        "POST /api/v1/periods": lambda f: (
            "POST",
            "/api/v1/periods",
            {"code": period_code(f.fresh())},
            {},
        ),
        "GET /api/v1/periods/{code}": lambda f: (
            "GET",
            f"/api/v1/periods/{period_code(0)}",
            None,
            {},
        ),
        "POST /api/v1/periods/{code}/publish": lambda f: (
            lambda code: ("POST", f"/api/v1/periods/{code}/publish", None, {"If-Match": '"1"'})
        )(f.create("/api/v1/periods", {"code": period_code(f.fresh())})["code"]),
        "GET /api/v1/public/plan": lambda f: ("GET", "/api/v1/public/plan", None, {}),
    }


def meeting_body(f: Fixture) -> dict[str, Any]:
    return {"held_on": "2024-03-18", "kind": "board-0", "title": f"Board {f.fresh()}"}


def report_body(f: Fixture) -> dict[str, Any]:
    item = {
        "topic": "topic-0",
        "kpi_evidence": "999 calls answered within 10 seconds",
        "recommendation": "escalate",
        "reasoning": "Below target for three months",
    }
    return {
        "reported_on": "2024-02-07",
        "prepared_by": "OPCC Performance Lead",
        "title": f"Exception report {f.fresh()}",
        "items": [item],
    }


def escalation_body(f: Fixture) -> dict[str, Any]:
    return {
        "topic": "topic-0",
        "title": f"Escalation {f.fresh()}",
        "reason": "Below target",
        "request": "A paper on recovery",
        "response_due": DUE,
    }


def monitoring_body(f: Fixture) -> dict[str, Any]:
    return {
        "topic": "topic-0",
        "title": f"Monitored {f.fresh()}",
        "reason": "Recovering",
        "next_review_on": DUE,
    }


ESCALATE_BODY = {"request": "A paper on recovery", "response_due": DUE}


def fresh_exception_item(f: Fixture) -> int:
    return int(f.create("/api/v1/exception-reports", report_body(f))["items"][0]["id"])


def answered_escalation(f: Fixture) -> int:
    """An escalation the Force has answered (version 2), ready to be discussed."""
    escalation = f.create("/api/v1/escalations", escalation_body(f))["id"]
    response = f.admin.post(
        f"/api/v1/escalations/{escalation}/force-response", json={"response": "Paper"}
    )
    assert response.status_code == 201, response.text
    return int(escalation)


def board_builders() -> dict[str, Builder]:
    meeting = "/api/v1/board-meetings/{}"
    report = "/api/v1/exception-reports/{}"
    escalation = "/api/v1/escalations/{}"
    monitoring = "/api/v1/monitoring-items/{}"
    return {
        "GET /api/v1/board-meetings": lambda f: ("GET", "/api/v1/board-meetings", None, {}),
        "POST /api/v1/board-meetings": lambda f: (
            "POST",
            "/api/v1/board-meetings",
            meeting_body(f),
            {},
        ),
        "GET /api/v1/board-meetings/{meeting_id}": lambda f: (
            "GET",
            meeting.format(f.ids["meeting"]),
            None,
            {},
        ),
        "PATCH /api/v1/board-meetings/{meeting_id}": lambda f: (
            "PATCH",
            meeting.format(f.ids["meeting"]),
            {"title": f"Board {f.fresh()}"},
            {"If-Match": f.etag(meeting.format(f.ids["meeting"]))},
        ),
        "GET /api/v1/exception-reports": lambda f: ("GET", "/api/v1/exception-reports", None, {}),
        "POST /api/v1/exception-reports": lambda f: (
            "POST",
            "/api/v1/exception-reports",
            report_body(f),
            {},
        ),
        "GET /api/v1/exception-reports/{report_id}": lambda f: (
            "GET",
            report.format(f.ids["report"]),
            None,
            {},
        ),
        "PATCH /api/v1/exception-reports/{report_id}": lambda f: (
            "PATCH",
            report.format(f.ids["report"]),
            {"title": f"Report {f.fresh()}"},
            {"If-Match": f.etag(report.format(f.ids["report"]))},
        ),
        "POST /api/v1/exception-items/{exception_item_id}/escalate": lambda f: (
            "POST",
            f"/api/v1/exception-items/{fresh_exception_item(f)}/escalate",
            ESCALATE_BODY,
            {},
        ),
        "POST /api/v1/exception-items/{exception_item_id}/monitor": lambda f: (
            "POST",
            f"/api/v1/exception-items/{fresh_exception_item(f)}/monitor",
            {"next_review_on": DUE, "reason": "Watch the trend"},
            {},
        ),
        "GET /api/v1/escalations": lambda f: ("GET", "/api/v1/escalations", None, {}),
        "POST /api/v1/escalations": lambda f: (
            "POST",
            "/api/v1/escalations",
            escalation_body(f),
            {},
        ),
        "GET /api/v1/escalations/{escalation_id}": lambda f: (
            "GET",
            escalation.format(f.ids["escalation"]),
            None,
            {},
        ),
        "PATCH /api/v1/escalations/{escalation_id}": lambda f: (
            "PATCH",
            escalation.format(f.ids["escalation"]),
            {"title": f"Escalation {f.fresh()}"},
            {"If-Match": f.etag(escalation.format(f.ids["escalation"]))},
        ),
        "POST /api/v1/escalations/{escalation_id}/force-response": lambda f: (
            "POST",
            escalation.format(f.create("/api/v1/escalations", escalation_body(f))["id"])
            + "/force-response",
            {"response": "The Force's paper", "links": ["https://example.org/paper"]},
            {},
        ),
        "POST /api/v1/escalations/{escalation_id}/transitions": lambda f: (
            "POST",
            escalation.format(answered_escalation(f)) + "/transitions",
            {"to": "discussed", "note": "Discussed at the board"},
            {"If-Match": '"2"'},
        ),
        "GET /api/v1/monitoring-items": lambda f: ("GET", "/api/v1/monitoring-items", None, {}),
        "POST /api/v1/monitoring-items": lambda f: (
            "POST",
            "/api/v1/monitoring-items",
            monitoring_body(f),
            {},
        ),
        "GET /api/v1/monitoring-items/{monitoring_item_id}": lambda f: (
            "GET",
            monitoring.format(f.ids["monitoring_item"]),
            None,
            {},
        ),
        "PATCH /api/v1/monitoring-items/{monitoring_item_id}": lambda f: (
            "PATCH",
            monitoring.format(f.ids["monitoring_item"]),
            {"title": f"Monitored {f.fresh()}"},
            {"If-Match": f.etag(monitoring.format(f.ids["monitoring_item"]))},
        ),
        "POST /api/v1/monitoring-items/{monitoring_item_id}/escalate": lambda f: (
            "POST",
            monitoring.format(f.create("/api/v1/monitoring-items", monitoring_body(f))["id"])
            + "/escalate",
            ESCALATE_BODY,
            {},
        ),
        "GET /api/v1/public/board": lambda f: ("GET", "/api/v1/public/board", None, {}),
    }


def builders() -> dict[str, Builder]:
    b: dict[str, Builder] = {
        **plan_builders(),
        **board_builders(),
        **matrix_engagement.builders(),
        **matrix_complaints.complaint_builders(),
        "GET /api/v1/me": lambda f: ("GET", "/api/v1/me", None, {}),
        "GET /api/v1/users": lambda f: ("GET", "/api/v1/users", None, {}),
        "POST /api/v1/users": lambda f: (
            "POST",
            "/api/v1/users",
            {
                "email": f"u{f.fresh()}@test.example",
                "display_name": "U",
                "role": "viewer",
                "password": "long enough password",
            },
            {},
        ),
        "GET /api/v1/users/{user_id}": lambda f: (
            "GET",
            f"/api/v1/users/{f.ids['user']}",
            None,
            {},
        ),
        "PATCH /api/v1/users/{user_id}": lambda f: (
            "PATCH",
            f"/api/v1/users/{f.ids['user']}",
            {"display_name": f"N{f.fresh()}"},
            {"If-Match": f.etag(f"/api/v1/users/{f.ids['user']}")},
        ),
        "GET /api/v1/tokens": lambda f: ("GET", "/api/v1/tokens", None, {}),
        "POST /api/v1/tokens": lambda f: (
            "POST",
            "/api/v1/tokens",
            {"name": "t", "role": "viewer", "scopes": ["read:plan"]},
            {},
        ),
        "GET /api/v1/tokens/{token_id}": lambda f: (
            "GET",
            f"/api/v1/tokens/{f.ids['token']}",
            None,
            {},
        ),
        "DELETE /api/v1/tokens/{token_id}": lambda f: (
            lambda token: ("DELETE", f"/api/v1/tokens/{token}", None, {"If-Match": '"1"'})
        )(
            f.create("/api/v1/tokens", {"name": "t", "role": "viewer", "scopes": ["read:plan"]})[
                "id"
            ]
        ),
        "GET /api/v1/audit-events": lambda f: ("GET", "/api/v1/audit-events", None, {}),
        "GET /api/v1/actions": lambda f: ("GET", "/api/v1/actions", None, {}),
        "POST /api/v1/actions": lambda f: (
            "POST",
            "/api/v1/actions",
            {"title": f"New {f.fresh()}", "owner_org": "force", "due_on": DUE},
            {},
        ),
        "GET /api/v1/actions/{action_id}": lambda f: (
            "GET",
            f"/api/v1/actions/{f.ids['action']}",
            None,
            {},
        ),
        "PATCH /api/v1/actions/{action_id}": lambda f: (
            "PATCH",
            f"/api/v1/actions/{f.ids['action']}",
            {"title": f"T{f.fresh()}"},
            {"If-Match": f.etag(f"/api/v1/actions/{f.ids['action']}")},
        ),
        "POST /api/v1/actions/{action_id}/transitions": lambda f: (
            "POST",
            f"/api/v1/actions/{force_action(f)}/transitions",
            {"to": "in_progress"},
            {"If-Match": '"1"'},
        ),
        "GET /api/v1/actions/{action_id}/updates": lambda f: (
            "GET",
            f"/api/v1/actions/{f.ids['action']}/updates",
            None,
            {},
        ),
        "POST /api/v1/actions/{action_id}/updates": lambda f: (
            "POST",
            f"/api/v1/actions/{f.ids['action']}/updates",
            {"body": "Progress made"},
            {},
        ),
        "GET /api/v1/force-inbox": lambda f: ("GET", "/api/v1/force-inbox", None, {}),
    }
    for kind in (
        "organisations",
        "areas",
        "npas",
        "topics",
        "board-kinds",
        "allegation-categories",
    ):
        one = {
            "organisations": "organisation",
            "areas": "area",
            "npas": "npa",
            "topics": "topic",
            "board-kinds": "board_kind",
            "allegation-categories": "allegation_category",
        }[kind]
        b[f"GET /api/v1/{kind}"] = lambda f, kind=kind: ("GET", f"/api/v1/{kind}", None, {})
        b[f"POST /api/v1/{kind}"] = lambda f, kind=kind: (
            "POST",
            f"/api/v1/{kind}",
            reference_body(kind, f.fresh(), f),
            {},
        )
        b[f"GET /api/v1/{kind}/{{record_id}}"] = lambda f, kind=kind, one=one: (
            "GET",
            f"/api/v1/{kind}/{f.ids[one]}",
            None,
            {},
        )
        b[f"PATCH /api/v1/{kind}/{{record_id}}"] = lambda f, kind=kind, one=one: (
            "PATCH",
            f"/api/v1/{kind}/{f.ids[one]}",
            {"name": f"Renamed {f.fresh()}"},
            {"If-Match": f.etag(f"/api/v1/{kind}/{f.ids[one]}")},
        )
    return b


def seed(admin: Caller) -> Fixture:
    """One record of every kind, made through the API by `admin`; other security tests
    (S2, S6, S7) reuse it and the builders above rather than keep their own copies."""
    f = Fixture(admin=admin, ids={}, counter=itertools.count(1))
    f.create("/api/v1/organisations", {"code": "force", "name": "Police", "kind": "force"})
    f.ids["organisation"] = f.create(
        "/api/v1/organisations", {"code": "opcc", "name": "OPCC", "kind": "opcc"}
    )["id"]
    f.ids["area"] = f.create("/api/v1/areas", reference_body("areas", 0, f))["id"]
    f.ids["npa"] = f.create("/api/v1/npas", reference_body("npas", 0, f))["id"]
    f.ids["topic"] = f.create("/api/v1/topics", reference_body("topics", 0, f))["id"]
    f.ids["board_kind"] = f.create("/api/v1/board-kinds", reference_body("board-kinds", 0, f))["id"]
    f.ids["allegation_category"] = f.create(
        "/api/v1/allegation-categories", reference_body("allegation-categories", 0, f)
    )["id"]
    f.ids["user"] = f.create("/api/v1/users", builders()["POST /api/v1/users"](f)[2])["id"]
    f.ids["token"] = f.create(
        "/api/v1/tokens", {"name": "t", "role": "viewer", "scopes": ["read:plan"]}
    )["id"]
    f.ids["action"] = force_action(f)
    f.ids["plan"] = f.create(
        "/api/v1/plans", {"title": "Plan", "starts_on": "2000-04-01", "ends_on": "2099-03-31"}
    )["id"]
    f.ids["theme"] = f.create(f"/api/v1/plans/{f.ids['plan']}/themes", {"title": "Theme"})["id"]
    f.ids["objective"] = f.create(
        "/api/v1/objectives",
        {
            "plan_id": f.ids["plan"],
            "theme_id": f.ids["theme"],
            "code": "1.1",
            "title": "Objective",
            "lead_org": "opcc",
        },
    )["id"]
    f.create("/api/v1/periods", {"code": period_code(0)})
    f.ids["meeting"] = f.create("/api/v1/board-meetings", meeting_body(f))["id"]
    f.ids["report"] = f.create("/api/v1/exception-reports", report_body(f))["id"]
    f.ids["escalation"] = f.create("/api/v1/escalations", escalation_body(f))["id"]
    f.ids["monitoring_item"] = f.create("/api/v1/monitoring-items", monitoring_body(f))["id"]
    matrix_engagement.seed(f)
    matrix_complaints.seed_complaints(f)
    return f


@pytest.fixture
def matrix(api_as, client) -> tuple[Fixture, dict[str, Caller]]:
    admin = api_as(Role.ADMIN)
    callers = {
        name: (api_as(*spec) if spec else Caller(client, {})) for name, spec in CALLERS.items()
    }
    return seed(admin), callers


def outcome(status: int) -> str:
    if 200 <= status < 300:
        return "Y"
    return {403: "n", 401: "a", 404: "h"}.get(status, f"?{status}")


def test_every_role_and_token_gets_exactly_what_the_table_says(matrix):
    f, callers = matrix
    build = builders()
    assert set(build) == set(EXPECTED)
    mismatches = []
    for operation, row in EXPECTED.items():
        for (name, caller), expected in zip(callers.items(), row, strict=True):
            method, url, body, headers = build[operation](f)
            response = caller.request(method, url, json=body, headers=headers)
            got = outcome(response.status_code)
            if got != "Y":
                assert response.headers["content-type"] == "application/problem+json"
            if got != expected:
                mismatches.append(
                    f"{operation} as {name}: expected {OUTCOME[expected]}, got "
                    f"{response.status_code} {response.text[:120]}"
                )
    assert not mismatches, "\n".join(mismatches)


def test_the_force_cannot_see_or_touch_an_action_it_does_not_own(matrix):
    f, callers = matrix
    ours = f.create("/api/v1/actions", {"title": "OPCC only", "owner_org": "opcc", "due_on": DUE})
    liaison = callers["force_liaison"]
    assert liaison.get(f"/api/v1/actions/{ours['id']}").status_code == 404
    ids = [a["id"] for a in liaison.get("/api/v1/actions?limit=500").json()["items"]]
    assert ours["id"] not in ids
    assert f.ids["action"] in ids
    moved = liaison.post(
        f"/api/v1/actions/{ours['id']}/transitions",
        json={"to": "done"},
        headers={"If-Match": '"1"'},
    )
    assert moved.status_code in (403, 404)


def test_the_openapi_document_is_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert set(response.json()["paths"]) >= {"/api/v1/me", "/api/v1/areas"}
