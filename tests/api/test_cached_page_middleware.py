"""CachedPageMiddleware (api/middleware.py) answers a stored list page before FastAPI runs
the route, and only when the route itself would have given exactly that answer."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.exceptions import HTTPException

from api.toolkit import list_params
from domain.accounts.rules import Role, Scope
from tests.conftest import make_token

ACTIONS = "/api/v1/actions?limit=100"
PUBLIC_PLAN = "/api/v1/public/plan"


REACHED = 418


def _route_must_not_run() -> None:
    raise HTTPException(REACHED, "the route ran")


@pytest.fixture
def stored(api_as, client: TestClient):  # type: ignore[no-untyped-def]
    """An admin whose first page of actions is stored; from then on the list routes'
    parameters cannot be read, so a request that reaches a list route answers 418."""
    admin = api_as(Role.ADMIN)
    for code, kind in (("opcc", "opcc"), ("force", "force")):
        made = admin.post("/api/v1/organisations", json={"code": code, "name": code, "kind": kind})
        assert made.status_code == 201, made.text
    created = admin.post(
        "/api/v1/actions", json={"title": "Stored", "owner_org": "opcc", "due_on": "2030-01-31"}
    )
    assert created.status_code == 201, created.text
    first = admin.get(ACTIONS)
    assert first.status_code == 200
    client.app.dependency_overrides[list_params] = _route_must_not_run  # type: ignore[attr-defined]
    yield admin, first
    client.app.dependency_overrides.clear()  # type: ignore[attr-defined]


def test_a_stored_page_is_answered_without_the_route_and_the_same_as_the_route(stored):  # type: ignore[no-untyped-def]
    admin, first = stored
    again = admin.get(ACTIONS)
    assert again.status_code == 200
    assert again.content == first.content
    for header in ("etag", "content-type", "content-length", "content-security-policy"):
        assert again.headers[header] == first.headers[header], header
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert admin.get(ACTIONS, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    head = admin.request("HEAD", ACTIONS)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == first.headers["etag"]


def test_a_page_not_stored_goes_to_the_route(stored):  # type: ignore[no-untyped-def]
    admin, _ = stored
    assert admin.get("/api/v1/actions?limit=99").status_code == REACHED


def test_a_caller_the_route_would_refuse_is_refused_though_the_page_is_stored(  # type: ignore[no-untyped-def]
    stored, client, session
):
    client.app.dependency_overrides.clear()  # the route's own refusal, not 418
    assert client.get(ACTIONS).status_code == 401
    assert client.get(ACTIONS, headers={"Authorization": "Bearer ovs_unknown"}).status_code == 401
    plan_only = make_token(session, Role.VIEWER, scopes=frozenset({Scope.READ_PLAN}))
    refused = client.get(ACTIONS, headers={"Authorization": f"Bearer {plan_only}"})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"


def test_a_caller_who_sees_other_rows_never_gets_the_stored_page(stored, api_as):  # type: ignore[no-untyped-def]
    liaison = api_as(Role.FORCE_LIAISON)
    assert liaison.get(ACTIONS).status_code == REACHED


def test_a_csv_download_of_the_same_url_is_left_to_the_route(stored):  # type: ignore[no-untyped-def]
    admin, _ = stored
    assert admin.get(ACTIONS, headers={"Accept": "text/csv"}).status_code == REACHED


def test_a_write_moves_the_key_so_the_next_request_reaches_the_route(stored):  # type: ignore[no-untyped-def]
    admin, _ = stored
    made = admin.post(
        "/api/v1/actions", json={"title": "Newer", "owner_org": "opcc", "due_on": "2030-01-31"}
    )
    assert made.status_code == 201, made.text
    assert admin.get(ACTIONS).status_code == REACHED


def test_a_public_feed_is_answered_stored_without_credentials(client):  # type: ignore[no-untyped-def]
    first = client.get(PUBLIC_PLAN)
    assert first.status_code == 200
    client.app.dependency_overrides[list_params] = _route_must_not_run
    try:
        assert client.get(PUBLIC_PLAN).content == first.content
        assert client.get(PUBLIC_PLAN + "?limit=5").status_code == REACHED
    finally:
        client.app.dependency_overrides.clear()
