"""/admin/tokens: list, create (post, redirect, secret shown once), a token's own page in
words, and revoking after a confirmation page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from domain.accounts import service as accounts
from domain.accounts.rules import SYSTEM, Role, Scope
from domain.accounts.schemas import TokenCreate
from domain.accounts.tables import ApiToken, SecretReveal
from tests.conftest import NOW, csrf_of, make_user
from tests.web.conftest import csrf, value_of

PAGES = ["/admin/tokens", "/admin/tokens/new", "/admin/tokens/1", "/admin/tokens/1/revoke"]
SECRET = re.compile(r"ovs_[A-Za-z0-9_-]{40,}")


def _token(session, name="Website feed", role=Role.VIEWER, **extra) -> ApiToken:
    token, _ = accounts.create_token(
        session,
        SYSTEM,
        TokenCreate(name=name, role=role, scopes=[Scope.READ_PLAN], **extra),
        now=NOW,
    )
    return token


def _create(admin: TestClient, **fields) -> object:
    form = admin.get("/admin/tokens/new")
    data = {
        "csrf_token": csrf_of(form.text),
        "name": "Power BI",
        "role": "viewer",
        "scopes": ["read:plan", "read:board"],
        **fields,
    }
    return admin.post("/admin/tokens/new", data=data, follow_redirects=False)


def test_the_tokens_page_lists_tokens_with_status_words(admin, session):
    active = _token(session, "Website feed")
    _token(session, "Old dashboard", expires_in_days=1)  # created in 2024: long expired
    revoked = _token(session, "Leaked one")
    accounts.revoke_token(session, SYSTEM, revoked.id, expected_version=1, now=NOW)
    page = admin.get("/admin/tokens")
    assert page.status_code == 200
    assert f'href="/admin/tokens/{active.id}">Website feed</a>' in page.text
    assert active.prefix in page.text and "Viewer" in page.text
    for word, colour in (("Active", "green"), ("Expired", "grey"), ("Revoked", "red")):
        assert f'<strong class="govuk-tag govuk-tag--{colour}">{word}</strong>' in page.text
    # nothing is revoked from the list: each token's page leads to its confirmation
    assert "/revoke" not in page.text
    assert "read:plan" not in page.text  # no codes on the pages


@pytest.mark.parametrize("path", PAGES)
def test_a_non_admin_gets_the_403_page(staff, session, path):
    _token(session)
    assert staff.get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")


def test_the_form_offers_what_a_token_may_do_in_words(admin, session):
    owner = make_user(session, Role.VIEWER, email="owner@test.example", name="Owner")
    form = admin.get("/admin/tokens/new").text
    assert f'<option value="{owner.id}">Owner (owner@test.example)</option>' in form
    assert "See the Police and Crime Plan, its objectives and their ratings" in form
    assert 'value="read:plan"' in form
    assert ">read:plan<" not in form


def test_creating_redirects_and_the_landing_page_shows_the_secret_once(
    admin, client, session, count, load
):
    owner = make_user(session, Role.VIEWER, email="owner@test.example", name="Owner")
    before = count(ApiToken)
    response = _create(admin, user_id=str(owner.id), expires_in_days="30")
    assert response.status_code == 303  # post, redirect, get
    assert count(ApiToken) == before + 1
    location = response.headers["location"]
    token_id = int(location.split("/")[3])
    assert location == f"/admin/tokens/{token_id}/secret"
    assert not SECRET.search(location)  # the key rides in a cookie, never in the address

    page = admin.get(location)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "API token created" in page.text
    secrets = set(SECRET.findall(page.text))
    assert len(secrets) == 1
    secret = secrets.pop()
    assert 'data-copy-target="token-secret" hidden' in page.text  # shown by the script
    assert 'role="status"' in page.text
    assert "See board meetings, exception reports and escalations" in page.text
    assert f'href="/admin/users/{owner.id}">Owner</a>' in page.text

    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert sorted(me.json()["scopes"]) == ["read:board", "read:plan"]
    assert me.json()["user_id"] == owner.id

    # Refreshing the landing page: no second token, and the secret is not shown again.
    again = admin.get(location)
    assert again.status_code == 200
    assert not SECRET.search(again.text)
    assert "has already been shown" in again.text
    assert 'href="/admin/tokens/new"' in again.text  # how to make a new one
    assert f'href="/admin/tokens/{token_id}/revoke"' in again.text
    assert count(ApiToken) == before + 1
    assert count(SecretReveal) == 0

    listing = admin.get("/admin/tokens")
    assert "Power BI" in listing.text
    assert not SECRET.search(listing.text)
    assert secret[:10] in listing.text  # the prefix identifies it


def test_the_secret_is_stored_masked_and_only_for_the_browser_that_made_it(admin, web_as, database):
    response = _create(admin)
    location = response.headers["location"]
    with database.session() as s:
        (reveal,) = s.exec(select(SecretReveal)).all()
    page_of_another_admin = web_as(Role.ADMIN, email="other-admin@test.example").get(location)
    assert "has already been shown" in page_of_another_admin.text
    assert not SECRET.search(page_of_another_admin.text)
    secret = SECRET.findall(admin.get(location).text)[0]
    assert secret not in reveal.masked and secret not in reveal.id


def test_an_expired_reveal_shows_nothing(admin, session, monkeypatch):
    from domain import clock

    response = _create(admin)
    later = clock.now() + timedelta(minutes=11)
    monkeypatch.setattr(clock, "now", lambda: later)
    page = admin.get(response.headers["location"])
    assert "has already been shown" in page.text
    assert not SECRET.search(page.text)


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
    assert '<a href="#scopes">Select what the token may do</a>' in response.text
    assert "Expires in (days) must be a whole number" in response.text
    assert value_of(response.text, "expires_in_days") == "soon"
    assert '<option value="viewer" selected>' in response.text
    assert count(ApiToken) == before


def test_a_scope_beyond_the_role_is_refused_with_every_other_problem(admin, count):
    before = count(ApiToken)
    response = admin.post(
        "/admin/tokens/new",
        data={
            "csrf_token": csrf(admin),
            "name": "",
            "role": "viewer",
            "scopes": ["read:plan", "admin"],
        },
    )
    assert response.status_code == 422
    assert (
        "A token with the role Viewer cannot manage users, API tokens, reference data and "
        "the audit log" in response.text
    )
    assert '<a href="#name">Enter name</a>' in response.text  # at the same time
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


def test_a_tokens_page_says_what_it_may_do_in_words_with_expiry_and_last_use(
    admin, client, session
):
    owner = make_user(session, Role.OPCC_STAFF, email="maker@test.example", name="Mo Maker")
    token, secret = accounts.create_token(
        session,
        SYSTEM,
        TokenCreate(
            name="Dashboard",
            role=Role.OPCC_STAFF,
            scopes=[Scope.READ_ACTIONS, Scope.WRITE_ACTIONS],
            user_id=owner.id,
            expires_in_days=3650,
        ),
        now=NOW,
    )
    page = admin.get(f"/admin/tokens/{token.id}")
    assert page.status_code == 200
    assert '<h1 class="govuk-heading-l oversight-admin-break">Dashboard</h1>' in page.text
    assert "<li>See actions and their updates</li>" in page.text
    assert "<li>Add and change actions</li>" in page.text
    assert "read:actions" not in page.text
    assert "OPCC staff" in page.text
    assert f'href="/admin/users/{owner.id}">Mo Maker</a>' in page.text
    assert "16 March 2034" in page.text  # 3,650 days after 18 March 2024
    assert "Never used" in page.text
    assert "by The command line" in page.text  # who created it, from the audit trail
    assert f'href="/admin/tokens/{token.id}/revoke"' in page.text

    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).is_success
    used = admin.get(f"/admin/tokens/{token.id}").text
    assert "Never used" not in used


def test_revoking_asks_first_then_stops_the_token_working(admin, client, session, load):
    token, secret = accounts.create_token(
        session,
        SYSTEM,
        TokenCreate(name="Feed", role=Role.VIEWER, scopes=[Scope.READ_PLAN]),
        now=NOW,
    )
    confirm = admin.get(f"/admin/tokens/{token.id}/revoke")
    assert confirm.status_code == 200
    assert "Are you sure you want to revoke “Feed”?" in confirm.text
    assert "stops working at once" in confirm.text
    assert f'action="/admin/tokens/{token.id}/revoke"' in confirm.text
    assert value_of(confirm.text, "version") == "1"
    assert load(ApiToken, token.id).revoked_at is None  # asking changes nothing

    response = admin.post(
        f"/admin/tokens/{token.id}/revoke",
        data={"csrf_token": csrf_of(confirm.text), "version": "1"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/tokens/{token.id}"
    assert load(ApiToken, token.id).revoked_at is not None
    page = admin.get(response.headers["location"])
    assert "The token “Feed” has been revoked" in page.text
    assert '<strong class="govuk-tag govuk-tag--red">Revoked</strong>' in page.text
    assert "Revoke token" not in page.text
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 401
    assert "“Feed” is revoked" in admin.get(f"/admin/tokens/{token.id}/revoke").text


def test_revoking_with_a_stale_version_changes_nothing(admin, session, load):
    token = _token(session)
    response = admin.post(
        f"/admin/tokens/{token.id}/revoke", data={"csrf_token": csrf(admin), "version": "7"}
    )
    assert response.status_code == 409
    assert "There is a problem" in response.text
    assert "Someone else changed this token" in response.text
    assert "Are you sure you want to revoke" in response.text  # still the confirmation page
    assert load(ApiToken, token.id).revoked_at is None


def test_revoking_twice_says_it_is_already_revoked(admin, session):
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


def test_an_unknown_token_is_a_404_page(admin):
    assert admin.get("/admin/tokens/9999").status_code == 404
    assert admin.get("/admin/tokens/9999/revoke").status_code == 404
    assert admin.get("/admin/tokens/9999/secret").status_code == 404
