"""Issue 8, defect 5: a refused sign-in says when to come back (Retry-After), and signing
in again ends the session the browser already had."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import SESSION_COOKIE
from domain.accounts import sessions
from domain.accounts.rules import Role
from tests.conftest import make_user, sign_in
from tests.web.conftest import value_of
from web.routes import session as session_routes


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


def test_a_burst_of_sign_ins_checks_passwords_off_the_event_loop_a_few_at_a_time(
    settings, database, monkeypatch
):
    """The mechanism behind the live burst test (tests/integration): timings there vary
    with the machine; this counts. Every check runs in a worker thread, and no more than
    the bound run at once however many sign-ins arrive together."""
    in_flight, most, on_the_loop = 0, 0, []
    lock = threading.Lock()

    def slow_check(password_hash: str, password: str) -> bool:
        nonlocal in_flight, most
        try:
            asyncio.get_running_loop()
            on_the_loop.append(password)
        except RuntimeError:
            pass  # a worker thread: no event loop here
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.05)
        with lock:
            in_flight -= 1
        return False

    monkeypatch.setattr(sessions, "verify_password", slow_check)
    burst = 4 * session_routes._PASSWORD_CHECKS
    app = create_app(settings.model_copy(update={"sign_in_limit_per_ip": burst}), database)
    with (
        TestClient(app, base_url="http://testserver") as client,
        ThreadPoolExecutor(max_workers=burst) as pool,
    ):
        token = value_of(client.get("/sign-in").text, "csrf_token")  # one browser, many tabs

        def attempt(i: int) -> int:
            form = {"email": f"nobody{i}@test.example", "password": "a guess", "csrf_token": token}
            return client.post("/sign-in", data=form).status_code

        statuses = list(pool.map(attempt, range(burst)))
    assert statuses == [401] * burst
    assert on_the_loop == []
    assert most == session_routes._PASSWORD_CHECKS
