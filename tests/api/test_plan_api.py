"""The Plan delivery API contract, including the public feed."""

import csv
import io

import pytest

from domain.accounts.rules import Role
from domain.demo import SeedReport, seed_reference
from tests.conftest import NOW

REASON = "Delivery is on track and the quarter's milestones were met."


@pytest.fixture
def staff(api_as, session):
    seed_reference(session, SeedReport(created={}), now=NOW)
    return api_as(Role.OPCC_STAFF)


@pytest.fixture
def objective(staff):
    plan = staff.post(
        "/api/v1/plans",
        json={
            "title": "Plan",
            "starts_on": "2021-04-01",
            "ends_on": "2024-03-31",
            "status": "active",
        },
    ).json()
    theme = staff.post(
        f"/api/v1/plans/{plan['id']}/themes", json={"title": "Visible Policing"}
    ).json()
    for code in ("2023-24-Q2", "2023-24-Q3"):
        assert staff.post("/api/v1/periods", json={"code": code}).status_code == 201
    created = staff.post(
        "/api/v1/objectives",
        json={
            "plan_id": plan["id"],
            "theme_id": theme["id"],
            "code": "2.3",
            "title": "Answer 999 calls",
            "lead_org": "force",
        },
    )
    assert created.status_code == 201, created.text
    return created.json()


def assess(staff, objective, **fields):
    body = {
        "period": "2023-24-Q3",
        "rating": "green",
        "rationale": REASON,
        "delivery_stage": "in_delivery",
        **fields,
    }
    return staff.post(f"/api/v1/objectives/{objective['id']}/assessments", json=body)


def test_assessment_201_with_direction_and_history(staff, objective):
    first = assess(
        staff,
        objective,
        period="2023-24-Q2",
        rating="red",
        next_steps="Recovery plan",
        expected_date="2024-01-31",
    )
    assert first.status_code == 201, first.text
    assert first.json()["direction"] == "new"
    second = assess(staff, objective)
    assert second.json()["direction"] == "improving"
    shown = staff.get(f"/api/v1/objectives/{objective['id']}").json()
    assert shown["current"]["rating"] == "green"
    assert [(h["from"], h["to"]) for h in shown["history"]] == [(None, "red"), ("red", "green")]
    listed = staff.get(f"/api/v1/objectives/{objective['id']}/assessments").json()["items"]
    assert [a["period"] for a in listed] == ["2023-24-Q2", "2023-24-Q3"]


@pytest.mark.parametrize(
    ("fields", "names"),
    [
        ({"rationale": "tbc"}, {"rationale"}),
        ({"rating": "amber"}, {"next_steps", "expected_date"}),
        (
            {"rating": "amber", "next_steps": "Plan", "expected_date": "2023-09-01"},
            {"expected_date"},
        ),
        ({"rating": "blue"}, {"delivery_stage"}),
        ({"period": "2030-31-Q1"}, {"period"}),
        ({"rating": "purple"}, {"rating"}),
    ],
)
def test_rule_breaks_are_422_naming_the_field_and_save_nothing(staff, objective, fields, names):
    response = assess(staff, objective, **fields)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert {e["loc"][-1] for e in response.json()["errors"]} == names
    assert staff.get(f"/api/v1/objectives/{objective['id']}/assessments").json()["items"] == []


def test_publish_needs_if_match_then_freezes(staff, objective):
    assess(staff, objective)
    url = "/api/v1/periods/2023-24-Q3/publish"
    assert staff.post(url).status_code == 428
    assert staff.post(url, headers={"If-Match": '"9"'}).status_code == 412
    etag = staff.get("/api/v1/periods/2023-24-Q3").headers["etag"]
    published = staff.post(url, headers={"If-Match": etag})
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert staff.post(url, headers={"If-Match": published.headers["etag"]}).status_code == 409
    refused = assess(staff, objective, rating="amber", next_steps="x", expected_date="2024-01-31")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"][-1] == "correction_reason"
    corrected = assess(
        staff,
        objective,
        rationale="Revised after the Force's final figures arrived late.",
        correction_reason="Final figures arrived late",
    )
    assert corrected.status_code == 201 and corrected.json()["supersedes"] is not None


def test_the_public_feed_needs_no_token_and_shows_published_ratings_only(staff, objective, client):
    assess(staff, objective)
    assert client.get("/api/v1/public/plan").json()["items"] == []
    etag = staff.get("/api/v1/periods/2023-24-Q3").headers["etag"]
    staff.post("/api/v1/periods/2023-24-Q3/publish", headers={"If-Match": etag})
    items = client.get("/api/v1/public/plan").json()["items"]
    assert items == [
        {
            "theme": "Visible Policing",
            "code": "2.3",
            "title": "Answer 999 calls",
            "period": "2023-24-Q3",
            "rating": "green",
            "rating_label": "Green",
            "rationale": REASON,
            "direction": "new",
        }
    ]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/public/plan?format=csv").text)))
    assert rows[0]["rationale"] == REASON


def test_rating_filter_and_not_rated(staff, objective):
    assert [o["id"] for o in staff.get("/api/v1/objectives?rating=none").json()["items"]] == [
        objective["id"]
    ]
    assess(staff, objective)
    assert [o["id"] for o in staff.get("/api/v1/objectives?rating=green").json()["items"]] == [
        objective["id"]
    ]
    assert staff.get("/api/v1/objectives?rating=red").json()["items"] == []
    assert staff.get("/api/v1/objectives?rating=pink").status_code == 422


def test_a_reviewer_rates_but_cannot_publish(api_as, staff, objective):
    reviewer = api_as(Role.COMPLAINTS_REVIEWER)
    assert assess(reviewer, objective).status_code == 201
    etag = staff.get("/api/v1/periods/2023-24-Q3").headers["etag"]
    assert (
        reviewer.post("/api/v1/periods/2023-24-Q3/publish", headers={"If-Match": etag}).status_code
        == 403
    )


def test_bad_period_code_is_422(staff):
    response = staff.post("/api/v1/periods", json={"code": "2023-25-Q1"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][-1] == "code"
