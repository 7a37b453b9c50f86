"""Complaint reviews in S1 (tests/api/test_authorization_matrix.py) and the tests built on
its seed (S2 canary, S3 CSRF, S6 audit, S7 headers, the route samples).

Cases hold personal data (COMPLAINTS.md): only people in the admin and complaints_reviewer
roles see them, never a token. Every caller of S1's table is a token or nobody, so every
case operation is refused there: 403 for the list and for recording a case (the caller
knows the collection exists), 404 for anything about one case, exactly as for an id that
does not exist. The builders below therefore make their records as a signed-in reviewer
(`person(f, "complaints_reviewer")`, made through the API and the real sign-in form), and
tests/api/test_complaints_api.py checks that every builder's request succeeds for the
people who may see cases and is refused for the others.

Ids the seed adds to `f.ids`: `complaint_review` (a case received two days ago, in
`received`), `decided_review` (a case decided upheld with one recommendation) and
`recommendation_action` (the Force-owned action that recommendation made)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from fastapi.testclient import TestClient

from domain import clock
from tests.conftest import PASSWORD, Caller, csrf_of, sign_in

if TYPE_CHECKING:
    from tests.api.test_authorization_matrix import Builder, Fixture

BASE = "/api/v1/complaint-reviews"
ONE = BASE + "/{review_id}"

# In the order of S1's CALLERS: admin, opcc_staff, complaints_reviewer, force_liaison,
# viewer, admin token [read:actions], force token [read:actions], anonymous; all tokens.
CASES = "nnnnnnna"  # the list and recording a case: 403 for every token
ONE_CASE = "hhhhhhha"  # anything about a case: 404 for every token, nothing revealed
STATS_READERS = "YYYnYnna"  # read:complaint-stats: not the Force, not narrowed tokens

COMPLAINT_EXPECTED: dict[str, str] = {
    f"GET {BASE}": CASES,
    f"POST {BASE}": CASES,
    f"GET {BASE}/stats": STATS_READERS,
    f"GET {ONE}": ONE_CASE,
    f"PATCH {ONE}": ONE_CASE,
    f"POST {ONE}/transitions": ONE_CASE,
    f"POST {ONE}/decision": ONE_CASE,
    f"POST {ONE}/contacts": ONE_CASE,
}

# The same operations for signed-in people (their sessions, not tokens), in the order
# admin, opcc_staff, complaints_reviewer, force_liaison, viewer.
PEOPLE = ("admin", "opcc_staff", "complaints_reviewer", "force_liaison", "viewer")
PEOPLE_EXPECTED: dict[str, str] = {
    f"GET {BASE}": "YnYnn",
    f"POST {BASE}": "YnYnn",
    f"GET {BASE}/stats": "YYYnY",
    **{operation: "YhYhh" for operation in COMPLAINT_EXPECTED if "{review_id}" in operation},
}


def person(f: Fixture, role: str) -> Caller:
    """A signed-in user of `role` (a session cookie and its CSRF header), made once per
    fixture through the admin's API and the real sign-in form."""
    if role not in f.people:
        n = f.fresh()
        email = f"{role.replace('_', '-')}-{n}@test.example"
        body = {"email": email, "display_name": f"Test {role} {n}", "role": role}
        f.create("/api/v1/users", {**body, "password": PASSWORD})
        browser = TestClient(f.admin.client.app, base_url="http://testserver")
        sign_in(browser, email)
        f.people[role] = Caller(browser, {"X-CSRF-Token": csrf_of(browser.get("/").text)})
    return f.people[role]


def reviewer(f: Fixture) -> Caller:
    return person(f, "complaints_reviewer")


def succeeded(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result


def case_body(f: Fixture, **complainant: str) -> dict[str, Any]:
    """A review application received two days ago, in time, about one category."""
    n = f.fresh()
    today = clock.today()
    return {
        "force_ref": f"PSD/{n}",
        "outcome_sent_on": str(today - timedelta(days=10)),
        "received_on": str(today - timedelta(days=2)),
        "categories": ["allegation-0"],
        "complainant": {
            "name": f"Sam Example {n} (invented)",
            "contact": "12 Example Street, Leicester",
            "narrative": "Not satisfied with how the complaint was handled.",
            **complainant,
        },
    }


def new_case(f: Fixture) -> int:
    return int(succeeded(reviewer(f).post(BASE, json=case_body(f)), 201)["id"])


def move(f: Fixture, review_id: int, version: int, to: str, note: str = "") -> dict[str, Any]:
    response = reviewer(f).post(
        f"{BASE}/{review_id}/transitions",
        json={"to": to, "note": note},
        headers={"If-Match": f'"{version}"'},
    )
    return succeeded(response)


def case_in_review(f: Fixture) -> tuple[int, int]:
    """A new case, its validity checked, in review: (id, version)."""
    review_id = new_case(f)
    checked = move(f, review_id, 1, "validity_check")
    shown = move(f, review_id, checked["version"], "in_review", "The OPCC is the review body")
    return review_id, int(shown["version"])


def decision_body(*recommendations: str) -> dict[str, Any]:
    due = str(clock.today() + timedelta(days=28))
    return {
        "outcome": "upheld",
        "reasons": "The outcome was not reasonable and proportionate.",
        "organisational_learning": "Explain the outcome in plain words.",
        "recommendations": [{"text": text, "response_due": due} for text in recommendations],
    }


def decided_case(f: Fixture) -> dict[str, Any]:
    """A case decided upheld with one recommendation (a Force-owned action)."""
    review_id, version = case_in_review(f)
    response = reviewer(f).post(
        f"{BASE}/{review_id}/decision",
        json=decision_body("Reconsider the complaint and write to the complainant again"),
        headers={"If-Match": f'"{version}"'},
    )
    return succeeded(response)


def case_etag(f: Fixture, review_id: int) -> str:
    response = reviewer(f).get(f"{BASE}/{review_id}")
    assert response.status_code == 200, response.text
    return str(response.headers["etag"])


def seed_complaints(f: Fixture) -> None:
    f.ids["complaint_review"] = new_case(f)
    decided = decided_case(f)
    f.ids["decided_review"] = decided["id"]
    f.ids["recommendation_action"] = decided["recommendations"][0]["action_id"]


def complaint_builders() -> dict[str, Builder]:
    """Requests that succeed for a person who sees cases (S1's Builder shape)."""
    one = BASE + "/{}"
    return {
        f"GET {BASE}": lambda f: ("GET", BASE, None, {}),
        f"POST {BASE}": lambda f: ("POST", BASE, case_body(f), {}),
        f"GET {BASE}/stats": lambda f: ("GET", f"{BASE}/stats", None, {}),
        f"GET {ONE}": lambda f: ("GET", one.format(f.ids["complaint_review"]), None, {}),
        f"PATCH {ONE}": lambda f: (
            "PATCH",
            one.format(f.ids["complaint_review"]),
            {"force_ref": f"PSD/{f.fresh()}"},
            {"If-Match": case_etag(f, f.ids["complaint_review"])},
        ),
        f"POST {ONE}/transitions": lambda f: (
            "POST",
            one.format(new_case(f)) + "/transitions",
            {"to": "validity_check", "note": "Checking the review body"},
            {"If-Match": '"1"'},
        ),
        f"POST {ONE}/decision": lambda f: (
            lambda review_id, version: (
                "POST",
                one.format(review_id) + "/decision",
                decision_body("Apologise to the complainant"),
                {"If-Match": f'"{version}"'},
            )
        )(*case_in_review(f)),
        f"POST {ONE}/contacts": lambda f: (
            "POST",
            one.format(f.ids["complaint_review"]) + "/contacts",
            {"contacted_on": str(clock.today()), "method": "letter", "note": "Progress update"},
            {},
        ),
    }


def full_case(f: Fixture) -> tuple[str, str, dict[str, Any], dict[str, str]]:
    """Recording a case with every optional field set (S6: the event names every field)."""
    body = case_body(f, officers_complained_about="PC Example (invented)")
    reviewer_id = reviewer(f).get("/api/v1/me").json()["user_id"]
    body.update(late_reason="Posted to the wrong office first", reviewer_id=reviewer_id)
    return ("POST", BASE, body, {})


def plant_complainant(field: str, officer: Caller, f: Fixture, value: str) -> None:
    """S2: `value` in the complainant's `field` on the decided case, whose recommendation
    the Force sees as its own action. Planted by the case's reviewer: `officer` (OPCC
    staff) may not see cases."""
    url = f"{BASE}/{f.ids['decided_review']}"
    shown = reviewer(f).get(url)
    assert shown.status_code == 200, shown.text
    complainant = {**shown.json()["complainant"], field: value}
    response = reviewer(f).patch(
        url, json={"complainant": complainant}, headers={"If-Match": shown.headers["etag"]}
    )
    assert response.status_code == 200, response.text


def full_decision(f: Fixture) -> tuple[str, str, dict[str, Any], dict[str, str]]:
    """S6: a decision is one event on the case; each recommendation also makes an action,
    whose own creation event the actions service writes (tests/api/test_complaints_api.py
    checks those), so S6 decides upheld without recommendations, giving the reason."""
    review_id, version = case_in_review(f)
    body = {
        **decision_body(),
        "recommendations": [],
        "no_recommendation_reason": "The Force has already apologised and reconsidered",
    }
    return ("POST", f"{BASE}/{review_id}/decision", body, {"If-Match": f'"{version}"'})
