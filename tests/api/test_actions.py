"""The actions API contract (API.md), JSON and CSV."""

import csv
import io
from datetime import timedelta

import pytest

from domain import clock
from domain.accounts.rules import ROLE_SCOPES, Role, Scope
from domain.demo import SeedReport, seed_reference
from tests.conftest import NOW

TODAY = clock.today()


@pytest.fixture
def llr(session):
    seed_reference(session, SeedReport(created={}), now=NOW)


@pytest.fixture
def staff(api_as, llr):
    return api_as(Role.OPCC_STAFF)


@pytest.fixture
def liaison(api_as, llr):
    return api_as(Role.FORCE_LIAISON)


def create(caller, **fields):
    body = {
        "title": "Report on 999 answering",
        "owner_org": "force",
        "due_on": str(TODAY + timedelta(days=10)),
        **fields,
    }
    response = caller.post("/api/v1/actions", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_returns_201_location_etag_and_history(staff):
    response = staff.post(
        "/api/v1/actions",
        json={"title": "Brief the PCC", "owner_org": "opcc", "due_on": "2030-01-31"},
    )
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/api/v1/actions/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert body["ref"].startswith("ACT-")
    assert body["status"] == "open"
    assert body["history"][0]["from"] is None and body["history"][0]["to"] == "open"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"owner_org": "force", "due_on": "2030-01-01"}, "title"),
        ({"title": "x", "owner_org": "force", "due_on": "not a date"}, "due_on"),
        ({"title": "x", "owner_org": "force", "due_on": "1999-12-31"}, "due_on"),
        ({"title": "x", "owner_org": "nobody", "due_on": "2030-01-01"}, "owner_org"),
        (
            {
                "title": "x",
                "owner_org": "force",
                "due_on": "2030-01-01",
                "source_type": "escalation",
                "source_id": 7,
            },
            "source_id",
        ),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_creates_nothing(staff, body, field):
    response = staff.post("/api/v1/actions", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert any(error["loc"][-1] == field for error in response.json()["errors"])
    assert staff.get("/api/v1/actions").json()["items"] == []


def test_patch_needs_if_match_and_refuses_a_stale_one(staff):
    action = create(staff)
    url = f"/api/v1/actions/{action['id']}"
    assert staff.patch(url, json={"title": "New"}).status_code == 428
    assert staff.patch(url, json={"title": "New"}, headers={"If-Match": '"7"'}).status_code == 412
    ok = staff.patch(url, json={"title": "New"}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.headers["etag"] == '"2"'
    assert staff.get(url).json()["title"] == "New"


def test_transitions_409_for_unreachable_422_for_unknown_and_for_missing_reason(staff):
    action = create(staff)
    url = f"/api/v1/actions/{action['id']}/transitions"
    assert staff.post(url, json={"to": "flying"}, headers={"If-Match": '"1"'}).status_code == 422
    missing_reason = staff.post(url, json={"to": "cancelled"}, headers={"If-Match": '"1"'})
    assert missing_reason.status_code == 422
    assert missing_reason.json()["errors"][0]["loc"] == ["body", "note"]
    assert (
        staff.post(
            url, json={"to": "cancelled", "note": "Duplicate"}, headers={"If-Match": '"1"'}
        ).status_code
        == 200
    )
    refused = staff.post(url, json={"to": "done"}, headers={"If-Match": '"2"'})
    assert refused.status_code == 409
    history = staff.get(f"/api/v1/actions/{action['id']}").json()["history"]
    assert [h["to"] for h in history] == ["open", "cancelled"]
    assert history[-1]["note"] == "Duplicate"


def test_get_answers_304_when_unchanged(staff):
    action = create(staff)
    url = f"/api/v1/actions/{action['id']}"
    assert staff.get(url, headers={"If-None-Match": '"1"'}).status_code == 304


def test_updates_are_append_only(staff):
    action = create(staff)
    url = f"/api/v1/actions/{action['id']}/updates"
    posted = staff.post(
        url, json={"body": "Paper drafted", "evidence_url": "https://example.org/paper"}
    )
    assert posted.status_code == 201
    assert [u["body"] for u in staff.get(url).json()["items"]] == ["Paper drafted"]
    update_id = posted.json()["id"]
    assert staff.patch(f"{url}/{update_id}", json={"body": "x"}).status_code in (404, 405)
    assert staff.delete(url).status_code == 405
    assert (
        staff.post(url, json={"body": "x", "evidence_url": "javascript:alert(1)"}).status_code
        == 422
    )


def test_force_liaison_gets_the_reduced_view_of_force_actions_only(staff, liaison):
    theirs = create(staff, private_note="CANARY-INTERNAL-NOTE")
    create(staff, owner_org="opcc", title="OPCC only")
    listed = liaison.get("/api/v1/actions")
    assert [a["id"] for a in listed.json()["items"]] == [theirs["id"]]
    assert "CANARY-INTERNAL-NOTE" not in listed.text
    one = liaison.get(f"/api/v1/actions/{theirs['id']}")
    assert "private_note" not in one.json()
    assert (
        liaison.patch(
            f"/api/v1/actions/{theirs['id']}",
            json={"due_on": "2031-01-01"},
            headers={"If-Match": '"1"'},
        ).status_code
        == 403
    )
    done = liaison.post(
        f"/api/v1/actions/{theirs['id']}/transitions",
        json={"to": "done"},
        headers={"If-Match": '"1"'},
    )
    assert done.status_code == 200 and done.json()["status"] == "done"


def test_a_token_needs_read_actions(api_as, llr):
    staff = api_as(Role.OPCC_STAFF)
    create(staff)
    no_scope = api_as(Role.OPCC_STAFF, scopes=frozenset({Scope.READ_PLAN}))
    assert no_scope.get("/api/v1/actions").status_code == 403
    reader = api_as(Role.VIEWER, scopes=frozenset({Scope.READ_ACTIONS}))
    assert reader.get("/api/v1/actions").status_code == 200
    assert (
        reader.post(
            "/api/v1/actions", json={"title": "x", "owner_org": "force", "due_on": "2030-01-01"}
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=done", {"finished"}),
        ("overdue=true", {"late"}),
        ("owner_org=opcc", {"ours"}),
        ("area=melton", {"late"}),
        (f"due_before={TODAY}", {"late", "finished"}),
        ("q=our", {"ours"}),
        ("source_type=none", {"late", "ours", "finished"}),
    ],
)
def test_every_filter(staff, query, expected):
    create(staff, title="late", due_on=str(TODAY - timedelta(days=2)), area="melton")
    create(staff, title="ours", owner_org="opcc")
    finished = create(staff, title="finished", due_on=str(TODAY - timedelta(days=9)))
    staff.post(
        f"/api/v1/actions/{finished['id']}/transitions",
        json={"to": "done"},
        headers={"If-Match": '"1"'},
    )
    response = staff.get(f"/api/v1/actions?{query}")
    assert response.status_code == 200
    assert {a["title"] for a in response.json()["items"]} == expected


def test_pagination_walk_has_no_duplicates_under_concurrent_inserts(staff):
    existing = {create(staff, title=f"first {i}")["id"] for i in range(12)}
    seen, url, inserted = [], "/api/v1/actions?limit=5", 0
    while url:
        page = staff.get(url).json()
        seen.extend(a["id"] for a in page["items"])
        if inserted < 3:
            create(staff, title=f"inserted {inserted}")
            inserted += 1
        url = page["next"]
    assert len(seen) == len(set(seen))
    assert existing <= set(seen)
    assert len(seen) == 14  # the third insert came after the last page was read


def test_updated_since_returns_changed_actions_in_order(staff):
    a = create(staff, title="a")
    b = create(staff, title="b")
    stamp = staff.get(f"/api/v1/actions/{b['id']}").json()["updated_at"]
    staff.patch(f"/api/v1/actions/{a['id']}", json={"title": "a2"}, headers={"If-Match": '"1"'})
    items = staff.get("/api/v1/actions", params={"updated_since": stamp}).json()["items"]
    assert [i["title"] for i in items] == ["b", "a2"]


def test_csv_has_every_row_of_the_filter(staff):
    for i in range(7):
        create(staff, title=f"row {i}", owner_org="opcc" if i % 2 else "force")
    response = staff.get("/api/v1/actions?owner_org=force&limit=2", headers={"Accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 4
    assert {r["owner_org"] for r in rows} == {"force"}


def test_idempotent_create(staff):
    body = {"title": "Once only", "owner_org": "force", "due_on": "2030-01-01"}
    first = staff.post("/api/v1/actions", json=body, headers={"Idempotency-Key": "k-1"})
    again = staff.post("/api/v1/actions", json=body, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201 and again.json() == first.json()
    other = staff.post(
        "/api/v1/actions", json={**body, "title": "Else"}, headers={"Idempotency-Key": "k-1"}
    )
    assert other.status_code == 422
    assert len(staff.get("/api/v1/actions").json()["items"]) == 1


def test_force_inbox_sorted_overdue_first_with_csv(staff, liaison):
    create(staff, title="later", due_on=str(TODAY + timedelta(days=30)))
    create(staff, title="late", due_on=str(TODAY - timedelta(days=1)))
    create(staff, title="not the force's", owner_org="opcc", due_on=str(TODAY - timedelta(days=5)))
    items = liaison.get("/api/v1/force-inbox").json()["items"]
    assert [i["title"] for i in items] == ["late", "later"]
    assert items[0]["overdue"] is True and items[0]["url"].startswith("/actions/")
    rows = list(csv.DictReader(io.StringIO(liaison.get("/api/v1/force-inbox?format=csv").text)))
    assert [r["title"] for r in rows] == ["late", "later"]


def test_every_role_with_read_actions_can_list(api_as, llr):
    for role in Role:
        caller = api_as(role)
        expected = 200 if Scope.READ_ACTIONS in ROLE_SCOPES[role] else 403
        assert caller.get("/api/v1/actions").status_code == expected, role
