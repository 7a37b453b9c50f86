"""Every API error is RFC 9457 problem+json with the right status; never a stack trace."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from domain.accounts.rules import Role, Scope
from domain.config import load_settings
from domain.db import Database
from tests.api.conftest import assert_problem

AREA = {
    "code": "oadby",
    "name": "Oadby and Wigston",
    "kind": "district",
    "tile_row": 3,
    "tile_col": 3,
}


def test_no_credentials_is_401_with_a_bearer_challenge(client):
    body = assert_problem(client.get("/api/v1/areas"), 401)
    assert body["title"] == "Unauthorized"
    assert client.get("/api/v1/areas").headers["www-authenticate"] == "Bearer"


def test_an_unknown_or_malformed_bearer_token_is_401(client):
    for header in ("Bearer ovs_not-a-real-token", "Bearer", "Basic dXNlcjpwYXNz", "ovs_x"):
        assert_problem(client.get("/api/v1/me", headers={"Authorization": header}), 401)


def test_a_caller_without_the_permission_gets_403(api_as):
    viewer = api_as(Role.VIEWER)
    body = assert_problem(viewer.get("/api/v1/users"), 403)
    assert "admin" in body["detail"]
    assert_problem(viewer.post("/api/v1/areas", json=AREA), 403)


def test_an_unknown_id_is_404(api_as):
    admin = api_as(Role.ADMIN)
    for path in ("/api/v1/areas/999", "/api/v1/users/999", "/api/v1/tokens/999"):
        body = assert_problem(admin.get(path), 404)
        assert "999" in body["detail"]


def test_an_unknown_path_under_the_api_is_a_404_problem(api_as, client):
    assert_problem(api_as(Role.ADMIN).get("/api/v1/no-such-thing"), 404)
    assert_problem(client.get("/api/v2/areas"), 404)


def test_a_method_the_resource_lacks_is_405_naming_an_allowed_one(api_as):
    response = api_as(Role.ADMIN).request("PUT", "/api/v1/areas", json=AREA)
    assert_problem(response, 405)
    # Starlette names the methods of the first route that matched the path, not all of them.
    assert "GET" in response.headers["allow"]


def test_a_clash_with_the_current_state_is_409(api_as):
    admin = api_as(Role.ADMIN)
    created = admin.post(
        "/api/v1/tokens", json={"name": "x", "role": "viewer", "scopes": ["read:plan"]}
    )
    url = created.headers["location"]
    first = admin.delete(url, headers={"If-Match": created.headers["etag"]})
    assert first.status_code == 200
    body = assert_problem(admin.delete(url, headers={"If-Match": first.headers["etag"]}), 409)
    assert "already revoked" in body["detail"]


def test_a_stale_if_match_is_412_and_changes_nothing(api_as):
    admin = api_as(Role.ADMIN)
    url = admin.post("/api/v1/areas", json=AREA).headers["location"]
    assert admin.patch(url, json={"name": "Oadby"}, headers={"If-Match": '"1"'}).status_code == 200
    stale = admin.patch(url, json={"name": "Wigston"}, headers={"If-Match": '"1"'})
    assert_problem(stale, 412)
    assert stale.headers["etag"] == '"2"'  # where to start again
    for unusable in ('"banana"', "*", '"0"', "²".encode("latin-1"), b'"' + b"9" * 4400 + b'"'):
        assert_problem(admin.patch(url, json={"name": "W"}, headers={"If-Match": unusable}), 412)
    assert admin.get(url).json()["name"] == "Oadby"


def test_a_change_without_if_match_is_428_naming_the_header(api_as):
    admin = api_as(Role.ADMIN)
    url = admin.post("/api/v1/areas", json=AREA).headers["location"]
    body = assert_problem(admin.patch(url, json={"name": "Oadby"}), 428)
    assert body["errors"] == [{"loc": ["header", "If-Match"], "msg": body["detail"]}]
    assert admin.get(url).json()["name"] == AREA["name"]


def test_invalid_input_is_422_naming_each_bad_field(api_as):
    admin = api_as(Role.ADMIN)
    response = admin.post(
        "/api/v1/users",
        json={"email": "not-an-email", "display_name": "X", "role": "overlord", "password": "x"},
    )
    body = assert_problem(response, 422)
    locs = [e["loc"] for e in body["errors"]]
    assert ["body", "email"] in locs
    assert ["body", "role"] in locs
    assert ["body", "password"] in locs
    assert all(e["msg"] for e in body["errors"])


def test_a_missing_field_and_an_unknown_field_are_both_named(api_as):
    body = assert_problem(
        api_as(Role.ADMIN).post("/api/v1/topics", json={"name": "Roads", "colour": "red"}), 422
    )
    assert sorted(e["loc"] for e in body["errors"]) == [["body", "code"], ["body", "colour"]]


def test_a_business_rule_failure_is_422_naming_the_field(api_as):
    admin = api_as(Role.ADMIN)
    admin.post("/api/v1/topics", json={"code": "roads", "name": "Roads"})
    body = assert_problem(admin.post("/api/v1/topics", json={"code": "roads", "name": "R"}), 422)
    assert body["errors"] == [
        {"loc": ["body", "code"], "msg": "another topic already uses this code"}
    ]


def test_bad_path_and_query_values_are_422_naming_them(api_as):
    admin = api_as(Role.ADMIN)
    body = assert_problem(admin.get("/api/v1/areas/abc"), 422)
    assert body["errors"][0]["loc"] == ["path", "record_id"]
    body = assert_problem(admin.get("/api/v1/areas/0"), 422)
    assert body["errors"][0]["loc"] == ["path", "record_id"]
    body = assert_problem(admin.get("/api/v1/users?active=perhaps"), 422)
    assert body["errors"][0]["loc"] == ["query", "active"]


def test_text_no_database_can_store_is_422_not_500(api_as):
    admin = api_as(Role.ADMIN)
    body = assert_problem(admin.post("/api/v1/topics", json={"code": "t", "name": "a\x00b"}), 422)
    assert body["errors"][0]["loc"] == ["body", "name"]
    body = assert_problem(admin.get("/api/v1/audit-events", params={"actor": "a\x00"}), 422)
    assert body["errors"][0]["loc"] == ["query", "actor"]
    user = {
        "email": "a\x00@b.example",
        "display_name": "A",
        "role": "viewer",
        "password": "long enough pass",
    }
    body = assert_problem(admin.post("/api/v1/users", json=user), 422)
    assert body["errors"][0]["loc"] == ["body", "email"]
    token = {"name": "t", "role": "viewer", "scopes": ["read:plan", "read:board\x00"]}
    body = assert_problem(admin.post("/api/v1/tokens", json=token), 422)
    assert body["errors"] == [
        {"loc": ["body", "scopes", 1], "msg": "must not contain the NUL character"}
    ]
    body = assert_problem(admin.get("/api/v1/actions", params={"owner_org": "force\x00"}), 422)
    assert body["errors"][0]["loc"] == ["query", "owner_org"]
    lone_surrogate = (
        b'{"email":"a\\ud800@b.example","display_name":"A","role":"viewer",'
        b'"password":"long enough pass"}'
    )
    response = admin.post(
        "/api/v1/users", content=lone_surrogate, headers={"content-type": "application/json"}
    )
    assert_problem(response, 422)


def test_a_body_that_is_not_json_is_a_client_error(api_as):
    admin = api_as(Role.ADMIN)
    for content in (b"{not json", b"\xff\xfe\x00"):
        response = admin.post(
            "/api/v1/topics", content=content, headers={"content-type": "application/json"}
        )
        assert response.status_code in (400, 422)
        assert_problem(response, response.status_code)


def test_an_unexpected_failure_is_a_500_problem_without_internals(settings, database):
    def explode() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    app = create_app(settings, database)  # its own app: this one gets an extra route
    app.add_api_route("/api/v1/explode", explode)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/explode")
    body = assert_problem(response, 500)
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert body["detail"] == "something went wrong on our side; it has been logged"


def test_a_restricted_token_is_refused_what_its_role_could_do(api_as):
    narrow = api_as(Role.ADMIN, frozenset({Scope.READ_ACTIONS}))
    assert_problem(narrow.get("/api/v1/users"), 403)
    assert narrow.get("/api/v1/areas").status_code == 200


def test_liveness_and_readiness_answer_without_credentials(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok"}


def test_readiness_fails_as_a_problem_on_an_unmigrated_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    empty = Database(url)
    try:
        app = create_app(load_settings(database_url=url), empty)
        with TestClient(app) as client:
            body = assert_problem(client.get("/readyz"), 503)
        assert "migrate" in body["detail"]
    finally:
        empty.dispose()
