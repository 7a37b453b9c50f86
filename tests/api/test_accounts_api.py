"""/me, /tokens and /audit-events through HTTP: the secret is shown once, a revoked token
fails at once, and the audit log is the admin's alone."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from domain.accounts.rules import ROLE_SCOPES, Role, Scope
from tests.api.conftest import assert_problem
from tests.conftest import make_user, sign_in

TOKEN = {"name": "Power BI", "role": "viewer", "scopes": ["read:plan", "read:actions"]}


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_creating_a_token_shows_its_secret_once(api_as, client):
    admin = api_as(Role.ADMIN)
    created = admin.post("/api/v1/tokens", json=TOKEN)
    assert created.status_code == 201
    body = created.json()
    secret = body["secret"]
    assert secret.startswith("ovs_") and secret.startswith(body["prefix"])
    assert created.headers["location"] == f"/api/v1/tokens/{body['id']}"
    assert body["scopes"] == ["read:actions", "read:plan"]

    shown = admin.get(created.headers["location"])
    assert "secret" not in shown.json()
    assert secret not in shown.text
    listed = admin.get("/api/v1/tokens")
    assert secret not in listed.text
    assert all("secret" not in t for t in listed.json()["items"])

    me = client.get("/api/v1/me", headers=bearer(secret)).json()
    assert me == {
        "kind": "token",
        "label": "token:Power BI",
        "role": "viewer",
        "scopes": ["read:actions", "read:plan"],
        "user_id": None,
        "token_id": body["id"],
    }


def test_a_token_cannot_be_created_with_more_than_its_role(api_as):
    body = assert_problem(
        api_as(Role.ADMIN).post("/api/v1/tokens", json={**TOKEN, "scopes": ["admin"]}), 422
    )
    assert body["errors"][0]["loc"] == ["body", "scopes"]


def test_revoking_a_token_needs_if_match_and_ends_it_at_once(api_as, client):
    admin = api_as(Role.ADMIN)
    created = admin.post("/api/v1/tokens", json=TOKEN)
    url, secret = created.headers["location"], created.json()["secret"]
    assert client.get("/api/v1/areas", headers=bearer(secret)).status_code == 200

    assert_problem(admin.delete(url), 428)
    assert_problem(admin.delete(url, headers={"If-Match": '"2"'}), 412)
    assert client.get("/api/v1/areas", headers=bearer(secret)).status_code == 200

    revoked = admin.delete(url, headers={"If-Match": created.headers["etag"]})
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert revoked.headers["etag"] == '"2"'
    assert_problem(client.get("/api/v1/areas", headers=bearer(secret)), 401)
    assert_problem(client.get("/api/v1/me", headers=bearer(secret)), 401)

    events = admin.get(f"/api/v1/audit-events?entity=token&entity_id={created.json()['id']}")
    assert [e["action"] for e in events.json()["items"]] == ["create", "revoke"]


def test_me_for_a_signed_in_user(app, session):
    user = make_user(session, Role.OPCC_STAFF, name="Priya Staff")
    with TestClient(app, base_url="http://testserver") as browser:
        sign_in(browser, user.email)
        me = browser.get("/api/v1/me")
        assert me.status_code == 200
        assert me.json() == {
            "kind": "user",
            "label": user.email,
            "role": "opcc_staff",
            "scopes": sorted(s.value for s in ROLE_SCOPES[Role.OPCC_STAFF]),
            "user_id": user.id,
            "token_id": None,
        }
        # A cookie-authenticated change must carry the CSRF token; a GET need not.
        refused = browser.post("/api/v1/topics", json={"code": "x", "name": "X"})
        assert_problem(refused, 403)


def test_a_cookie_session_plus_a_bad_bearer_token_is_refused(app, session):
    user = make_user(session, Role.ADMIN)
    with TestClient(app, base_url="http://testserver") as browser:
        sign_in(browser, user.email)
        assert_problem(browser.get("/api/v1/me", headers=bearer("ovs_nope")), 401)


def test_me_needs_a_caller(client):
    assert_problem(client.get("/api/v1/me"), 401)


@pytest.fixture
def audited(api_as):
    admin = api_as(Role.ADMIN)
    org = admin.post(
        "/api/v1/organisations", json={"code": "lp", "name": "Leics Police", "kind": "force"}
    ).json()
    admin.patch(
        f"/api/v1/organisations/{org['id']}",
        json={"name": "Leicestershire Police"},
        headers={"If-Match": '"1"'},
    )
    topic = admin.post("/api/v1/topics", json={"code": "asb", "name": "ASB"}).json()
    return admin, org, topic


def test_audit_events_filter_by_entity_and_id(audited):
    admin, org, topic = audited
    items = admin.get("/api/v1/audit-events?entity=organisation").json()["items"]
    assert [(e["entity_id"], e["action"]) for e in items] == [
        (org["id"], "create"),
        (org["id"], "update"),
    ]
    assert items[1]["changes"] == {
        "name": {"before": "Leics Police", "after": "Leicestershire Police"}
    }
    assert items[1]["actor_type"] == "token"
    one = admin.get(f"/api/v1/audit-events?entity=topic&entity_id={topic['id']}").json()
    assert [e["action"] for e in one["items"]] == ["create"]
    assert admin.get("/api/v1/audit-events?entity=topic&entity_id=999").json()["items"] == []


def test_audit_events_filter_by_actor(audited, api_as):
    admin, _, _ = audited
    other = api_as(Role.ADMIN, frozenset({Scope.ADMIN}))
    other.post("/api/v1/topics", json={"code": "roads", "name": "Roads"})
    by_token = admin.get("/api/v1/audit-events?actor=token:admin").json()["items"]
    assert {e["entity"] for e in by_token} == {"organisation", "topic"}
    by_system = admin.get("/api/v1/audit-events?actor=system").json()["items"]
    assert {(e["entity"], e["action"]) for e in by_system} == {("token", "create")}
    assert admin.get("/api/v1/audit-events?actor=nobody").json()["items"] == []


@pytest.mark.parametrize(
    "role", [Role.OPCC_STAFF, Role.COMPLAINTS_REVIEWER, Role.FORCE_LIAISON, Role.VIEWER]
)
def test_only_admins_read_the_audit_log(api_as, role):
    assert_problem(api_as(role).get("/api/v1/audit-events"), 403)
    assert_problem(api_as(role).get("/api/v1/audit-events?format=csv"), 403)
