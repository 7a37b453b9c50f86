"""The engagement context's part of S1 (tests/api/test_authorization_matrix.py): its rows,
its request builders and its seed records, kept here so the shared table grows by a line.

Seed ids (for tests/route_samples.py): `engagement` (a Community Day in `area-0` with one
issue), `engagement_issue`, `engagement_action` (that issue's Force-owned, public debrief
action) and `pre_election_period` (one long past, so no public line is hidden by it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from domain import clock

Request = tuple[str, str, dict[str, Any] | None, dict[str, str]]
Builder = Callable[[Any], Request]  # called with the matrix's Fixture
TODAY = clock.today()
DUE = str(TODAY + timedelta(days=30))

# Rows, in CALLERS order: admin, opcc_staff, complaints_reviewer, force_liaison, viewer,
# admin token [read:actions], force token [read:actions], anonymous.
READERS = "YYYnYnna"  # read:engagement: OPCC roles and viewers; never the Force
WRITERS = "YYYnnnna"  # write:engagement: OPCC roles
ADMINS = "Ynnnnnna"  # pre-election periods are set by admins
PUBLIC = "YYYYYYYY"

EXPECTED: dict[str, str] = {
    "GET /api/v1/engagements": READERS,
    "POST /api/v1/engagements": WRITERS,
    "GET /api/v1/engagements/coverage": READERS,
    "GET /api/v1/engagements/topics": READERS,
    "GET /api/v1/engagements/parish-attendance": READERS,
    "GET /api/v1/engagements/{engagement_id}": READERS,
    "PATCH /api/v1/engagements/{engagement_id}": WRITERS,
    "GET /api/v1/engagements/{engagement_id}/issues": READERS,
    "POST /api/v1/engagements/{engagement_id}/issues": WRITERS,
    "POST /api/v1/actions/{action_id}/you-said-we-did": WRITERS,
    "GET /api/v1/pre-election-periods": READERS,
    "POST /api/v1/pre-election-periods": ADMINS,
    "GET /api/v1/pre-election-periods/{period_id}": READERS,
    "PATCH /api/v1/pre-election-periods/{period_id}": ADMINS,
    "DELETE /api/v1/pre-election-periods/{period_id}": ADMINS,
    "GET /api/v1/public/you-said-we-did": PUBLIC,
}


def engagement_body(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "held_on": "2024-02-14",
        "kind": "community_day",
        "lead": "pcc",
        "area": "area-0",
        "npa": "npa-0",
        "people_count": 40,
        "summary": f"Community Day {n}",
        **fields,
    }


def issue_body(n: int, *actions: dict[str, Any]) -> dict[str, Any]:
    return {
        "topic": "topic-0",
        "description": f"Speeding on the high street ({n})",
        "people_count": 3,
        "actions": list(actions),
    }


def action_body(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "title": f"Ask the NPA commander about speeding {n}",
        "owner_org": "force",
        "due_on": DUE,
        **fields,
    }


def period_body(n: int) -> dict[str, Any]:
    """Single-day periods, each on its own day, far from today and from each other."""
    day = date(2030, 1, 1) + timedelta(days=2 * n)
    return {"label": f"By-election {n}", "starts_on": str(day), "ends_on": str(day)}


def _told_on(f: Any) -> str:
    """A different past date each call, so each loop closing really changes the action."""
    return str(TODAY - timedelta(days=1 + f.fresh() % 300))


def builders() -> dict[str, Builder]:
    one = "/api/v1/engagements/{}"
    period = "/api/v1/pre-election-periods/{}"
    action = "/api/v1/actions/{}"
    return {
        "GET /api/v1/engagements": lambda f: ("GET", "/api/v1/engagements", None, {}),
        "POST /api/v1/engagements": lambda f: (
            "POST",
            "/api/v1/engagements",
            engagement_body(f.fresh()),
            {},
        ),
        "GET /api/v1/engagements/coverage": lambda f: (
            "GET",
            "/api/v1/engagements/coverage?from=2024-01-01&to=2024-12-31",
            None,
            {},
        ),
        "GET /api/v1/engagements/topics": lambda f: (
            "GET",
            "/api/v1/engagements/topics?from=2024-01-01&to=2024-12-31",
            None,
            {},
        ),
        "GET /api/v1/engagements/parish-attendance": lambda f: (
            "GET",
            "/api/v1/engagements/parish-attendance?from=2024-01-01&to=2024-12-31",
            None,
            {},
        ),
        "GET /api/v1/engagements/{engagement_id}": lambda f: (
            "GET",
            one.format(f.ids["engagement"]),
            None,
            {},
        ),
        "PATCH /api/v1/engagements/{engagement_id}": lambda f: (
            "PATCH",
            one.format(f.ids["engagement"]),
            {"summary": f"Summary {f.fresh()}"},
            {"If-Match": f.etag(one.format(f.ids["engagement"]))},
        ),
        "GET /api/v1/engagements/{engagement_id}/issues": lambda f: (
            "GET",
            one.format(f.ids["engagement"]) + "/issues",
            None,
            {},
        ),
        "POST /api/v1/engagements/{engagement_id}/issues": lambda f: (
            "POST",
            one.format(f.ids["engagement"]) + "/issues",
            issue_body(f.fresh()),
            {},
        ),
        "POST /api/v1/actions/{action_id}/you-said-we-did": lambda f: (
            "POST",
            action.format(f.ids["engagement_action"]) + "/you-said-we-did",
            {"told_on": _told_on(f)},
            {"If-Match": f.etag(action.format(f.ids["engagement_action"]))},
        ),
        "GET /api/v1/pre-election-periods": lambda f: (
            "GET",
            "/api/v1/pre-election-periods",
            None,
            {},
        ),
        "POST /api/v1/pre-election-periods": lambda f: (
            "POST",
            "/api/v1/pre-election-periods",
            period_body(f.fresh()),
            {},
        ),
        "GET /api/v1/pre-election-periods/{period_id}": lambda f: (
            "GET",
            period.format(f.ids["pre_election_period"]),
            None,
            {},
        ),
        "PATCH /api/v1/pre-election-periods/{period_id}": lambda f: (
            "PATCH",
            period.format(f.ids["pre_election_period"]),
            {"label": f"PCC election {f.fresh()}"},
            {"If-Match": f.etag(period.format(f.ids["pre_election_period"]))},
        ),
        "DELETE /api/v1/pre-election-periods/{period_id}": lambda f: (
            "DELETE",
            period.format(f.create("/api/v1/pre-election-periods", period_body(f.fresh()))["id"]),
            None,
            {"If-Match": '"1"'},
        ),
        "GET /api/v1/public/you-said-we-did": lambda f: (
            "GET",
            "/api/v1/public/you-said-we-did",
            None,
            {},
        ),
    }


def seed(f: Any) -> None:
    """A Community Day with one issue and its Force-owned public debrief action, and a past
    pre-election period; needs the matrix seed's `area-0`, `npa-0`, `topic-0` and `force`."""
    made = f.create(
        "/api/v1/engagements",
        engagement_body(0, issues=[issue_body(0, action_body(0, public=True))]),
    )
    f.ids["engagement"] = made["id"]
    (issue,) = made["issues"]
    f.ids["engagement_issue"] = issue["id"]
    f.ids["engagement_action"] = issue["actions"][0]["id"]
    f.ids["pre_election_period"] = f.create(
        "/api/v1/pre-election-periods",
        {"label": "PCC election 2001", "starts_on": "2001-03-24", "ends_on": "2001-05-03"},
    )["id"]


def plant_named_contacts(officer: Any, f: Any, value: str) -> None:
    """S2's canary: named contacts (personal data, DOMAIN.md §4) on the seed engagement,
    written through the API by an OPCC officer."""
    url = f"/api/v1/engagements/{f.ids['engagement']}"
    body = {"named_contacts": f"Parish clerk (invented) {value}"}
    response = officer.patch(url, json=body, headers={"If-Match": f.etag(url)})
    assert response.status_code == 200, response.text


# S6 (tests/api/test_audit_coverage.py): what each change writes to the audit trail ------------

ENGAGEMENT_FIELDS = frozenset(
    {
        "held_on",
        "kind",
        "lead",
        "lead_name",
        "area_id",
        "ward",
        "npa_id",
        "organisations_met",
        "people_count",
        "summary",
        "named_contacts",  # recorded as changed, its value masked: personal data
        "councils_invited",
        "councils_attended",
    }
)
PERIOD_FIELDS = frozenset({"label", "starts_on", "ends_on"})


def full_engagement(f: Any) -> Request:
    """Every field an engagement has (issues aside: they are records of their own)."""
    body = engagement_body(
        f.fresh(),
        kind="parish_surgery",
        lead="dpcc",
        lead_name="Deputy Police and Crime Commissioner",
        ward="Castle Donington",
        organisations_met=["Castle Donington Parish Council"],
        named_contacts="Parish clerk (invented) Pat Example",
        councils_invited=23,
        councils_attended=7,
    )
    return ("POST", "/api/v1/engagements", body, {})


def audited(make: Callable[..., Any]) -> dict[str, Any]:
    """The engagement rows of S6's AUDITED table, made with its `Audited` class."""
    return {
        "POST /api/v1/engagements": make(
            "engagement", "create", ENGAGEMENT_FIELDS, full_engagement
        ),
        "PATCH /api/v1/engagements/{engagement_id}": make(
            "engagement", "update", frozenset({"summary"})
        ),
        "POST /api/v1/engagements/{engagement_id}/issues": make(
            "engagement_issue",
            "create",
            frozenset({"engagement_id", "position", "topic_id", "description", "people_count"}),
        ),
        "POST /api/v1/actions/{action_id}/you-said-we-did": make(
            "action", "close_the_loop", frozenset({"told_on"})
        ),
        "POST /api/v1/pre-election-periods": make("pre_election_period", "create", PERIOD_FIELDS),
        "PATCH /api/v1/pre-election-periods/{period_id}": make(
            "pre_election_period", "update", frozenset({"label"})
        ),
        "DELETE /api/v1/pre-election-periods/{period_id}": make(
            "pre_election_period", "delete", PERIOD_FIELDS
        ),
    }
