"""Issue 8, defect 5: a refused sign-in says when to come back (Retry-After), and signing
in again ends the session the browser already had."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.auth import SESSION_COOKIE
from domain.accounts.rules import Role
from tests.conftest import make_user, sign_in


def _attempt(client: TestClient, email: str, password: str):
    page = client.get("/sign-in")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_a_refused_sign_in_answers_429_with_retry_after(client, session):
    user = make_user(session, Role.VIEWER)
    session.commit()
    statuses = [_attempt(client, user.email, "wrong").status_code for _ in range(2)]
    assert statuses == [401, 401]
    refused = _attempt(client, user.email, "wrong")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert "Too many failed attempts to sign in. Wait 1 second" in refused.text


def test_signing_in_again_ends_the_earlier_session(app, session):
    user = make_user(session, Role.OPCC_STAFF)
    session.commit()
    with TestClient(app, base_url="http://testserver") as browser:
        sign_in(browser, user.email)
        earlier = browser.cookies[SESSION_COOKIE]
        sign_in(browser, user.email)
        later = browser.cookies[SESSION_COOKIE]
    assert earlier != later
    with TestClient(app, base_url="http://testserver") as old_tab:
        old_tab.cookies.set(SESSION_COOKIE, earlier)
        assert old_tab.get("/", follow_redirects=False).status_code == 303
    with TestClient(app, base_url="http://testserver") as new_tab:
        new_tab.cookies.set(SESSION_COOKIE, later)
        assert new_tab.get("/", follow_redirects=False).status_code == 200
