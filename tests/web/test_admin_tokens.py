"""/admin/tokens: list, create (secret shown once), revoke."""

from __future__ import annotations

import re

import pytest

from domain.accounts import service as accounts
from domain.accounts.rules import SYSTEM, Role, Scope
from domain.accounts.schemas import TokenCreate
from domain.accounts.tables import ApiToken
from tests.conftest import NOW, csrf_of, make_user
from tests.web.conftest import csrf, value_of

PAGES = ["/admin/tokens", "/admin/tokens/new"]
SECRET = re.compile(r"ovs_[A-Za-z0-9_-]{40,}")


def _token(session, name="Website feed", role=Role.VIEWER, **extra) -> ApiToken:
    token, _ = accounts.create_token(
        session,
        SYSTEM,
        TokenCreate(name=name, role=role, scopes=[Scope.READ_PLAN], **extra),
        now=NOW,
    )
    return token


def test_the_tokens_page_lists_tokens_with_status_words(admin, session):
    active = _token(session, "Website feed")
    _token(session, "Old dashboard", expires_in_days=1)  # created in 2024: long expired
    revoked = _token(session, "Leaked one")
    accounts.revoke_token(session, SYSTEM, revoked.id, expected_version=1, now=NOW)
    page = admin.get("/admin/tokens")
    assert page.status_code == 200
    assert "Website feed" in page.text and active.prefix in page.text
    assert "read:plan" in page.text and "Viewer" in page.text
    for word, colour in (("Active", "green"), ("Expired", "grey"), ("Revoked", "red")):
        assert f'<strong class="govuk-tag govuk-tag--{colour}">{word}</strong>' in page.text
    # only the active token can be revoked
    assert page.text.count("/revoke") == 1
    assert f'action="/admin/tokens/{active.id}/revoke"' in page.text


@pytest.mark.parametrize("path", PAGES)
def test_a_non_admin_gets_the_403_page(staff, path):
    assert staff.get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")


def test_creating_a_token_shows_the_secret_once_and_never_again(admin, client, session, load):
    owner = make_user(session, Role.VIEWER, email="owner@test.example", name="Owner")
    form = admin.get("/admin/tokens/new")
    assert f'<option value="{owner.id}">Owner (owner@test.example)</option>' in form.text
    response = admin.post(
        "/admin/tokens/new",
        data={
            "csrf_token": csrf_of(form.text),
            "name": "Power BI",
            "role": "viewer",
            "scopes": ["read:plan", "read:board"],
            "user_id": str(owner.id),
            "expires_in_days": "30",
        },
        follow_redirects=False,
    )
    assert response.status_code == 200  # rendered, not redirected
    assert response.headers["cache-control"] == "no-store"
    assert "API token created" in response.text
    secrets = SECRET.findall(response.text)
    assert len(set(secrets)) == 1
    secret = secrets[0]

    # the secret works as a bearer token with what was chosen
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert sorted(me.json()["scopes"]) == ["read:board", "read:plan"]
    assert me.json()["user_id"] == owner.id

    listing = admin.get("/admin/tokens")
    assert "Power BI" in listing.text
    assert secret not in listing.text
    assert secret[:10] in listing.text  # the prefix identifies it
    assert not SECRET.search(listing.text)


def test_invalid_input_is_explained_kept_and_not_saved(admin, count):
    before = count(ApiToken)
    response = admin.post(
        "/admin/tokens/new",
        data={
            "csrf_token": csrf(admin),
            "name": "",
            "role": "viewer",
            "expires_in_days": "soon",
        },
    )
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert '<a href="#name">Enter name</a>' in response.text
    assert '<a href="#scopes">Select at least one scope</a>' in response.text
    assert "Expires in (days) must be a whole number" in response.text
    assert value_of(response.text, "expires_in_days") == "soon"
    assert '<option value="viewer" selected>' in response.text
    assert count(ApiToken) == before


def test_a_scope_beyond_the_role_is_refused_with_choices_kept(admin, count):
    before = count(ApiToken)
    response = admin.post(
        "/admin/tokens/new",
        data={
            "csrf_token": csrf(admin),
            "name": "Too powerful",
            "role": "viewer",
            "scopes": ["read:plan", "admin"],
        },
    )
    assert response.status_code == 422
    assert "The viewer role cannot have admin" in response.text
    assert value_of(response.text, "name") == "Too powerful"
    assert re.search(r'value="admin" checked', response.text)
    assert re.search(r'value="read:plan" checked', response.text)
    assert count(ApiToken) == before


def test_creating_a_token_without_the_csrf_token_is_refused(admin, count):
    before = count(ApiToken)
    response = admin.post(
        "/admin/tokens/new",
        data={"name": "Sneaky", "role": "viewer", "scopes": "read:plan"},
    )
    assert response.status_code == 403
    assert not SECRET.search(response.text)
    assert count(ApiToken) == before


def test_revoking_a_token_stops_it_working(admin, client, session, load):
    token, secret = accounts.create_token(
        session,
        SYSTEM,
        TokenCreate(name="Feed", role=Role.VIEWER, scopes=[Scope.READ_PLAN]),
        now=NOW,
    )
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).is_success
    response = admin.post(
        f"/admin/tokens/{token.id}/revoke",
        data={"csrf_token": csrf(admin), "version": "1"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert load(ApiToken, token.id).revoked_at is not None
    page = admin.get(response.headers["location"])
    assert "The token “Feed” has been revoked" in page.text
    assert '<strong class="govuk-tag govuk-tag--red">Revoked</strong>' in page.text
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 401


def test_revoking_with_a_stale_version_changes_nothing(admin, session, load):
    token = _token(session)
    response = admin.post(
        f"/admin/tokens/{token.id}/revoke", data={"csrf_token": csrf(admin), "version": "7"}
    )
    assert response.status_code == 409
    assert "There is a problem" in response.text
    assert "Someone else changed this token" in response.text
    assert load(ApiToken, token.id).revoked_at is None


def test_revoking_twice_says_it_is_already_revoked(admin, session, load):
    token = _token(session)
    accounts.revoke_token(session, SYSTEM, token.id, expected_version=1, now=NOW)
    response = admin.post(
        f"/admin/tokens/{token.id}/revoke", data={"csrf_token": csrf(admin), "version": "2"}
    )
    assert response.status_code == 409
    assert "This token is already revoked" in response.text


def test_revoking_without_the_csrf_token_is_refused(admin, session, load):
    token = _token(session)
    response = admin.post(f"/admin/tokens/{token.id}/revoke", data={"version": "1"})
    assert response.status_code == 403
    assert load(ApiToken, token.id).revoked_at is None


def test_a_non_admin_cannot_revoke(staff, session, load):
    token = _token(session)
    response = staff.post(
        f"/admin/tokens/{token.id}/revoke", data={"csrf_token": csrf(staff), "version": "1"}
    )
    assert response.status_code == 403
    assert load(ApiToken, token.id).revoked_at is None
