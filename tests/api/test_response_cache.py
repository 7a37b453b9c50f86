"""The list response cache (api/response_cache.py): served again while nothing changed,
never stale after a write by any instance, never shared between callers who see
different things, and never a way past authentication."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.accounts import service as accounts
from domain.accounts.rules import SYSTEM, Role, Scope
from domain.accounts.schemas import TokenCreate
from domain.db import observe_statements
from domain.demo import seed_demo
from domain.engagement.demo import generate_engagements
from domain.reference.tables import Topic
from domain.sync import generation
from tests.conftest import NOW, csrf_of, make_user, sign_in

ACTIONS = "/api/v1/actions?limit=100"
DUE = "2030-01-31"


def _action(caller, title: str, owner: str = "opcc"):  # type: ignore[no-untyped-def]
    created = caller.post(
        "/api/v1/actions", json={"title": title, "owner_org": owner, "due_on": DUE}
    )
    assert created.status_code == 201, created.text
    return created.json()


def _orgs(admin) -> None:  # type: ignore[no-untyped-def]
    for code, kind in (("opcc", "opcc"), ("force", "force")):
        made = admin.post("/api/v1/organisations", json={"code": code, "name": code, "kind": kind})
        assert made.status_code == 201, made.text


def _titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


def test_a_repeated_page_comes_from_the_cache_with_one_query_for_freshness(
    api_as, database, client
):
    admin = api_as(Role.ADMIN)
    _orgs(admin)
    _action(admin, "Cached action")
    first = admin.get(ACTIONS)
    statements: list[str] = []

    # Every engine, and on PostgreSQL the credential lookup sent from the event loop.
    with observe_statements(statements.append):
        again = admin.get(ACTIONS)
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert not any("FROM actions" in s for s in statements), statements
    assert any("sync_clock" in s for s in statements)


def test_a_write_by_another_instance_is_seen_at_once(api_as, settings, database):
    admin = api_as(Role.ADMIN)
    _orgs(admin)
    _action(admin, "Before")
    assert _titles(admin.get(ACTIONS)) == ["Before"]
    with TestClient(create_app(settings, database)) as other:
        other.headers["Authorization"] = admin.headers["Authorization"]
        made = other.post(
            "/api/v1/actions", json={"title": "After", "owner_org": "opcc", "due_on": DUE}
        )
        assert made.status_code == 201
    assert _titles(admin.get(ACTIONS)) == ["Before", "After"]


def test_if_none_match_answers_304_until_anything_changes(api_as):
    admin = api_as(Role.ADMIN)
    _orgs(admin)
    action = _action(admin, "Watched")
    etag = admin.get(ACTIONS).headers["etag"]
    assert admin.get(ACTIONS, headers={"If-None-Match": etag}).status_code == 304
    renamed = admin.patch(
        f"/api/v1/actions/{action['id']}",
        json={"title": "Renamed"},
        headers={"If-Match": f'"{action["version"]}"'},
    )
    assert renamed.status_code == 200, renamed.text
    fresh = admin.get(ACTIONS, headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert _titles(fresh) == ["Renamed"]


def test_callers_who_see_different_things_never_share_an_answer(api_as):
    admin = api_as(Role.ADMIN)
    _orgs(admin)
    _action(admin, "OPCC's own")
    _action(admin, "The Force's", owner="force")
    liaison = api_as(Role.FORCE_LIAISON)
    assert _titles(admin.get(ACTIONS)) == ["OPCC's own", "The Force's"]
    assert _titles(liaison.get(ACTIONS)) == ["The Force's"]
    assert _titles(admin.get(ACTIONS)) == ["OPCC's own", "The Force's"]


def test_a_revoked_token_fails_on_its_next_request_though_its_page_is_cached(
    api_as, client, session
):
    admin = api_as(Role.ADMIN)
    _orgs(admin)
    _action(admin, "Anything")
    token, secret = accounts.create_token(
        session,
        SYSTEM,
        TokenCreate(name="dashboard", role=Role.VIEWER, scopes=[Scope.READ_ACTIONS]),
        now=NOW,
    )
    reader = {"Authorization": f"Bearer {secret}"}
    assert client.get(ACTIONS, headers=reader).status_code == 200
    assert token.id is not None
    accounts.revoke_token(session, SYSTEM, token.id, expected_version=token.version, now=NOW)
    assert client.get(ACTIONS, headers=reader).status_code == 401


def test_a_transaction_that_only_deletes_moves_the_generation(session):
    topic = Topic(code="asb", name="ASB", created_at=NOW, updated_at=NOW)
    session.add(topic)
    session.commit()
    before = generation(session)
    session.delete(topic)
    session.commit()
    assert int(generation(session).split("@")[0]) == int(before.split("@")[0]) + 1


# Every cached list, written through one instance and read through another ------------------

CHANGED_THROUGH_ANOTHER_INSTANCE = [
    # (list, how the first item is changed, the field the list shows it in, the new value)
    ("/api/v1/board-meetings?limit=500", "/api/v1/board-meetings/{id}", "title", "Renamed board"),
    ("/api/v1/engagements?limit=500", "/api/v1/engagements/{id}", "ward", "Renamed ward"),
    ("/api/v1/plans?limit=500", "/api/v1/plans/{id}", "title", "Renamed plan"),
]


@pytest.mark.parametrize(("listed", "changed", "field", "value"), CHANGED_THROUGH_ANOTHER_INSTANCE)
def test_a_change_through_another_instance_is_listed_at_once(  # type: ignore[no-untyped-def]
    api_as, session, settings, database, listed, changed, field, value
):
    seed_demo(session, now=NOW)
    admin = api_as(Role.ADMIN)
    first = admin.get(listed).json()["items"][0]
    again = admin.get(listed)
    assert again.json()["items"][0] == first  # the second answer comes from the cache
    with TestClient(create_app(settings, database)) as other:
        made = other.patch(
            changed.format(id=first["id"]),
            json={field: value},
            headers={**admin.headers, "If-Match": f'"{first["version"]}"'},
        )
        assert made.status_code == 200, made.text
    shown = {item["id"]: item for item in admin.get(listed).json()["items"]}
    assert shown[first["id"]][field] == value


def test_a_review_changed_through_another_instance_is_listed_at_once(  # type: ignore[no-untyped-def]
    session, settings, database, client
):
    seed_demo(session, now=NOW)
    reviewer = make_user(session, Role.COMPLAINTS_REVIEWER, email="cache-reviewer@test.example")
    sign_in(client, reviewer.email)
    listed = "/api/v1/complaint-reviews?limit=500"
    first = next(item for item in client.get(listed).json()["items"] if item["closed_on"] is None)
    assert first in client.get(listed).json()["items"]
    with TestClient(create_app(settings, database), base_url="http://testserver") as other:
        sign_in(other, reviewer.email)
        csrf = csrf_of(other.get("/").text)
        detail = other.get(f"/api/v1/complaint-reviews/{first['id']}")
        made = other.patch(
            f"/api/v1/complaint-reviews/{first['id']}",
            json={"force_ref": "CO/REFILED/1"},
            headers={"If-Match": detail.headers["etag"], "X-CSRF-Token": csrf},
        )
        assert made.status_code == 200, made.text
    shown = {item["id"]: item for item in client.get(listed).json()["items"]}
    assert shown[first["id"]]["force_ref"] == "CO/REFILED/1"


def test_named_contacts_are_never_served_to_a_caller_who_may_not_see_them(  # type: ignore[no-untyped-def]
    api_as, session, client
):
    seed_demo(session, now=NOW)
    staff = make_user(session, Role.OPCC_STAFF, email="cache-staff@test.example")
    sign_in(client, staff.email)
    listed = "/api/v1/engagements?limit=500"
    named = client.get(listed)
    assert named.status_code == 200
    assert "named_contacts" in named.json()["items"][0]
    viewer = api_as(Role.VIEWER)
    reduced = viewer.get(listed)
    assert reduced.status_code == 200
    assert all("named_contacts" not in item for item in reduced.json()["items"])
    assert reduced.headers["etag"] != named.headers["etag"]


def test_a_bulk_insert_past_the_orm_moves_the_generation(session):  # type: ignore[no-untyped-def]
    seed_demo(session, now=NOW)
    before = generation(session)
    generate_engagements(session, 5, now=NOW)  # Core INSERTs, no ORM objects
    assert int(generation(session).split("@")[0]) > int(before.split("@")[0])
