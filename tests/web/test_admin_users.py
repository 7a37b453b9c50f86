"""/admin/users: list, add, change, deactivate (after a confirmation page), and password
reset links — as pages, through the real sign-in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from api.auth import SESSION_COOKIE
from domain import clock
from domain.accounts import service as accounts
from domain.accounts.rules import SYSTEM, Role
from domain.accounts.schemas import UserUpdate
from domain.accounts.tables import PasswordReset, SecretReveal, User
from domain.audit.tables import AuditEvent
from tests.conftest import NOW, PASSWORD, csrf_of, make_user, sign_in
from tests.web.conftest import csrf, value_of
from web.templating import _when

PAGES = [
    "/admin/users",
    "/admin/users/new",
    "/admin/users/1",
    "/admin/users/1/deactivate",
    "/admin/users/1/reset-link",
]
LINK = re.compile(r"http://testserver/reset-password/[A-Za-z0-9_-]{40,}")
NEW_PASSWORD = "three unrelated words"


def test_the_users_page_lists_everyone_with_role_and_status_in_words(admin, session):
    inactive = make_user(session, Role.VIEWER, email="gone@test.example", name="Gone Person")
    accounts.update_user(
        session, SYSTEM, inactive.id, UserUpdate(active=False), expected_version=1, now=NOW
    )
    page = admin.get("/admin/users")
    assert page.status_code == 200
    assert '<h1 class="govuk-heading-l">Users</h1>' in page.text
    assert f'href="/admin/users/{inactive.id}">Gone Person</a>' in page.text
    assert '<span class="oversight-admin-secondary">gone@test.example</span>' in page.text
    assert "Viewer" in page.text and "Administrator" in page.text
    assert '<strong class="govuk-tag govuk-tag--grey">Inactive</strong>' in page.text
    assert '<strong class="govuk-tag govuk-tag--green">Active</strong>' in page.text
    assert 'href="/admin/users/new"' in page.text


@pytest.mark.parametrize("path", PAGES)
def test_a_non_admin_gets_the_403_page(staff, path):
    response = staff.get(path)
    assert response.status_code == 403
    assert "You do not have permission to see this page" in response.text
    assert "text/html" in response.headers["content-type"]


@pytest.mark.parametrize("path", PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=")


def test_a_non_admin_cannot_create_a_user_by_posting(staff, count):
    before = count(User)
    response = staff.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf(staff),
            "email": "sneaky@test.example",
            "display_name": "Sneaky",
            "role": "admin",
        },
    )
    assert response.status_code == 403
    assert count(User) == before


def _add(admin: TestClient, **fields: str):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": csrf(admin, "/admin/users/new"),
        "email": "New.Person@Test.Example",
        "display_name": "New Person",
        "role": "force_liaison",
        **fields,
    }
    return admin.post("/admin/users/new", data=data, follow_redirects=False)


def test_adding_a_user_gives_a_link_for_them_to_set_their_password(
    admin, client, load, count, database
):
    form = admin.get("/admin/users/new").text
    assert 'name="password"' not in form  # nobody types a password for someone else
    response = _add(admin)
    assert response.status_code == 303
    location = response.headers["location"]
    user_id = int(location.split("/")[3])
    assert location == f"/admin/users/{user_id}/reset-link"
    user = load(User, user_id)
    assert (user.email, user.display_name, user.role, user.active) == (
        "new.person@test.example",
        "New Person",
        "force_liaison",
        True,
    )
    page = admin.get(location)
    assert page.headers["cache-control"] == "no-store"
    assert "govuk-notification-banner--success" in page.text
    assert "New Person has been added as a user" in page.text
    links = set(LINK.findall(page.text))
    assert len(links) == 1
    assert 'data-copy-target="reset-link" hidden' in page.text
    with database.session() as s:
        reset = s.exec(select(PasswordReset).where(PasswordReset.user_id == user_id)).one()
    assert reset.expires_at - reset.created_at == timedelta(hours=24)
    assert f"It works once, until {_when(reset.expires_at)}" in page.text
    # shown once: the banner and the link are gone on a refresh, and no second link is made
    again = admin.get(location).text
    assert "has been added as a user" not in again
    assert not LINK.search(again)
    assert "This link has already been shown" in again
    assert count(PasswordReset) == 1 and count(SecretReveal) == 0
    # the person sets their password and signs in with it
    link = links.pop().removeprefix("http://testserver")
    _set_password(client, link)
    sign_in(client, "new.person@test.example", NEW_PASSWORD)


def _set_password(client: TestClient, link: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    page = client.get(link)
    assert page.status_code == 200, page.text
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        link,
        data={"csrf_token": token, "password": password, "confirmation": password},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/sign-in"
    return response


def test_invalid_input_is_explained_kept_and_not_saved(admin, count):
    before = count(User)
    response = admin.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf(admin),
            "email": "not-an-email",
            "display_name": "Half Filled",
            "role": "",
        },
    )
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert response.text.count("govuk-error-message") == 2
    assert '<a href="#email">Email address must be an email address' in response.text
    assert '<a href="#role">Select role</a>' in response.text
    assert value_of(response.text, "email") == "not-an-email"
    assert value_of(response.text, "display_name") == "Half Filled"
    assert "<title>Error: " in response.text
    assert count(User) == before


def test_a_duplicate_email_is_reported_with_every_other_problem(admin, count):
    before = count(User)
    response = admin.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf(admin),
            "email": "Admin@Test.Example",
            "display_name": "",
            "role": "viewer",
        },
    )
    assert response.status_code == 422
    assert "A user with this email address already exists" in response.text
    assert '<a href="#display_name">Enter display name</a>' in response.text
    assert value_of(response.text, "email") == "Admin@Test.Example"
    assert count(User) == before


def test_a_post_without_the_csrf_token_is_refused_and_nothing_saved(admin, count):
    before = count(User)
    response = admin.post(
        "/admin/users/new",
        data={
            "email": "csrf@test.example",
            "display_name": "No Token",
            "role": "viewer",
        },
    )
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    assert count(User) == before


def test_the_user_page_shows_a_summary_and_a_form_carrying_the_version(admin, session):
    user = make_user(session, Role.VIEWER, email="viewer@test.example", name="Vera Viewer")
    page = admin.get(f"/admin/users/{user.id}")
    assert page.status_code == 200
    assert "govuk-summary-list" in page.text
    assert '<h1 class="govuk-heading-l oversight-admin-break">Vera Viewer</h1>' in page.text
    assert value_of(page.text, "version") == "1"
    assert value_of(page.text, "display_name") == "Vera Viewer"
    assert '<option value="viewer" selected>' in page.text
    assert f'href="/admin/users/{user.id}/deactivate"' in page.text
    assert f'action="/admin/users/{user.id}/reset-link"' in page.text


def test_changing_name_and_role_saves_them(admin, session, load):
    user = make_user(session, Role.VIEWER, email="viewer@test.example")
    response = admin.post(
        f"/admin/users/{user.id}",
        data={
            "csrf_token": csrf(admin),
            "version": "1",
            "display_name": "Renamed",
            "role": "opcc_staff",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    changed = load(User, user.id)
    assert (changed.display_name, changed.role, changed.version) == ("Renamed", "opcc_staff", 2)
    assert "Changes to Renamed saved" in admin.get(response.headers["location"]).text


def test_an_empty_name_is_a_form_error_and_nothing_changes(admin, session, load):
    user = make_user(session, Role.VIEWER, email="viewer@test.example", name="Kept Name")
    response = admin.post(
        f"/admin/users/{user.id}",
        data={"csrf_token": csrf(admin), "version": "1", "display_name": " ", "role": "admin"},
    )
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert '<a href="#display_name">Enter display name</a>' in response.text
    assert '<option value="admin" selected>' in response.text  # the choice is kept
    assert value_of(response.text, "version") == "1"
    unchanged = load(User, user.id)
    assert (unchanged.display_name, unchanged.role, unchanged.version) == (
        "Kept Name",
        "viewer",
        1,
    )


def test_a_stale_version_is_refused_with_a_clear_message(admin, session, load):
    user = make_user(session, Role.VIEWER, email="viewer@test.example", name="Original")
    accounts.update_user(
        session,
        SYSTEM,
        user.id,
        UserUpdate(display_name="Someone Else"),
        expected_version=1,
        now=NOW,
    )
    response = admin.post(
        f"/admin/users/{user.id}",
        data={"csrf_token": csrf(admin), "version": "1", "display_name": "Mine", "role": "viewer"},
    )
    assert response.status_code == 409
    assert "There is a problem" in response.text
    assert "Someone else changed this user" in response.text
    assert "Nothing was saved" in response.text
    # the form now shows the current record, at its current version
    assert value_of(response.text, "display_name") == "Someone Else"
    assert value_of(response.text, "version") == "2"
    after = load(User, user.id)
    assert (after.display_name, after.version) == ("Someone Else", 2)


def test_a_change_without_a_version_is_refused(admin, session, load):
    user = make_user(session, Role.VIEWER, email="viewer@test.example", name="Original")
    response = admin.post(
        f"/admin/users/{user.id}",
        data={"csrf_token": csrf(admin), "display_name": "Mine", "role": "viewer"},
    )
    assert response.status_code == 428
    assert load(User, user.id).display_name == "Original"


def test_a_change_without_the_csrf_token_is_refused(admin, session, load):
    user = make_user(session, Role.VIEWER, email="viewer@test.example", name="Original")
    response = admin.post(
        f"/admin/users/{user.id}",
        data={"csrf_token": "forged", "version": "1", "display_name": "Mine", "role": "viewer"},
    )
    assert response.status_code == 403
    assert load(User, user.id).display_name == "Original"


def test_deactivating_asks_first_and_reactivating_does_not(admin, session, load):
    user = make_user(session, Role.VIEWER, email="viewer@test.example", name="Vera")
    confirm = admin.get(f"/admin/users/{user.id}/deactivate")
    assert confirm.status_code == 200
    assert "Are you sure you want to deactivate Vera?" in confirm.text
    assert "signed out everywhere at once" in confirm.text
    assert f'action="/admin/users/{user.id}/status"' in confirm.text
    assert value_of(confirm.text, "active") == "no"
    assert load(User, user.id).active is True  # asking changes nothing

    response = admin.post(
        f"/admin/users/{user.id}/status",
        data={"csrf_token": csrf_of(confirm.text), "version": "1", "active": "no"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert load(User, user.id).active is False
    page = admin.get(response.headers["location"])
    assert "Vera has been deactivated" in page.text
    assert "Reactivate user" in page.text
    assert "Vera is deactivated" in admin.get(f"/admin/users/{user.id}/deactivate").text

    response = admin.post(
        f"/admin/users/{user.id}/status",
        data={"csrf_token": csrf(admin), "version": "2", "active": "yes"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert load(User, user.id).active is True
    assert "Vera can sign in again" in admin.get(response.headers["location"]).text


def test_a_status_change_must_say_which_way(admin, session, load):
    user = make_user(session, Role.VIEWER, email="viewer@test.example")
    response = admin.post(
        f"/admin/users/{user.id}/status", data={"csrf_token": csrf(admin), "version": "1"}
    )
    assert response.status_code == 400
    assert load(User, user.id).active is True


def test_deactivating_the_last_administrator_is_refused(admin, user_by_email, load):
    me = user_by_email("admin@test.example")
    response = admin.post(
        f"/admin/users/{me.id}/status",
        data={"csrf_token": csrf(admin), "version": str(me.version), "active": "no"},
    )
    assert response.status_code == 409
    assert "There is a problem" in response.text
    assert "This is the last active administrator" in response.text
    assert "Are you sure you want to deactivate your own account?" in response.text
    assert load(User, me.id).active is True


def test_demoting_the_last_administrator_is_refused_and_input_kept(admin, user_by_email, load):
    me = user_by_email("admin@test.example")
    response = admin.post(
        f"/admin/users/{me.id}",
        data={
            "csrf_token": csrf(admin),
            "version": str(me.version),
            "display_name": "Still Me",
            "role": "viewer",
        },
    )
    assert response.status_code == 409
    assert "last active administrator" in response.text
    assert value_of(response.text, "display_name") == "Still Me"
    after = load(User, me.id)
    assert (after.role, after.display_name) == ("admin", me.display_name)


def test_an_unknown_user_is_a_404_page(admin):
    response = admin.get("/admin/users/9999")
    assert response.status_code == 404
    assert "Page not found" in response.text


def _issue(admin: TestClient, user_id: int) -> str:
    response = admin.post(
        f"/admin/users/{user_id}/reset-link",
        data={"csrf_token": csrf(admin, f"/admin/users/{user_id}")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/users/{user_id}/reset-link"
    page = admin.get(response.headers["location"])
    assert "A new password reset link for" in page.text
    return LINK.findall(page.text)[0].removeprefix("http://testserver")


def _events(database, user_id: int) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with database.session() as s:
        return list(
            s.exec(
                select(AuditEvent)
                .where(AuditEvent.entity == "user", AuditEvent.entity_id == user_id)
                .order_by(col(AuditEvent.id))
            ).all()
        )


def test_a_reset_link_works_once_ends_sessions_and_is_audited(app, admin, session, database):
    user = make_user(session, Role.VIEWER, email="vera@test.example", name="Vera Viewer")
    with (
        TestClient(app, base_url="http://testserver") as vera,
        TestClient(app, base_url="http://testserver") as browser,
    ):
        sign_in(vera, user.email)
        link = _issue(admin, user.id)
        # the old password still works until the link is used
        page = browser.get(link)
        assert "Set a new password" in page.text
        assert "Vera Viewer" in page.text and "vera@test.example" in page.text
        assert page.headers["cache-control"] == "no-store"
        _set_password(browser, link)
        assert "Your password has been changed" in browser.get("/sign-in").text
        # every session Vera had has ended
        assert vera.get("/", follow_redirects=False).status_code == 303
        sign_in(browser, user.email, NEW_PASSWORD)
        with TestClient(app, base_url="http://testserver") as other:
            page = other.get("/sign-in")
            token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            old = other.post(
                "/sign-in",
                data={"email": user.email, "password": PASSWORD, "csrf_token": token},
                follow_redirects=False,
            )
            assert old.status_code == 401

        # a second use is refused
        used = browser.get(link)
        assert used.status_code == 200
        assert "This link has already been used" in used.text
        assert 'name="password"' not in used.text

    events = [(e.action, e.actor_type, e.actor_id) for e in _events(database, user.id)]
    admin_id = session.exec(select(User).where(User.email == "admin@test.example")).one().id
    assert ("issue_password_reset", "user", admin_id) in events
    assert ("reset_password", "user", user.id) in events  # the person acted for themselves
    reset = next(e for e in _events(database, user.id) if e.action == "reset_password")
    assert reset.changes == {"password_hash": {"before": "[redacted]", "after": "[redacted]"}}


def test_an_expired_link_is_refused(admin, client, session, monkeypatch, load):
    user = make_user(session, Role.VIEWER, email="vera@test.example")
    link = _issue(admin, user.id)
    later = clock.now() + timedelta(hours=24, seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    page = client.get(link)
    assert page.status_code == 200
    assert "This link has expired" in page.text
    assert 'name="password"' not in page.text
    before = load(User, user.id).password_hash
    token = client.cookies.get("oversight_csrf") or "none"
    client.post(
        link, data={"csrf_token": token, "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD}
    )
    assert load(User, user.id).password_hash == before


def test_a_new_link_replaces_the_unused_one(admin, client, session):
    user = make_user(session, Role.VIEWER, email="vera@test.example")
    first = _issue(admin, user.id)
    second = _issue(admin, user.id)
    assert "Set a new password" not in client.get(first).text
    assert "This link is not valid" in client.get(first).text
    assert "Set a new password" in client.get(second).text


def test_a_made_up_link_is_not_valid(client):
    page = client.get("/reset-password/made-up")
    assert page.status_code == 200  # an answer for the person who followed it
    assert "This link is not valid" in page.text
    assert "ask an administrator for a new link" in page.text
    assert 'name="password"' not in page.text


def test_every_problem_with_the_new_password_is_shown_at_once(admin, client, session, load):
    user = make_user(session, Role.VIEWER, email="vera@test.example")
    link = _issue(admin, user.id)
    page = client.get(link)
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    before = load(User, user.id).password_hash
    cases = {
        ("", ""): ["Enter a new password", "Enter the new password again"],
        ("short", "other"): [
            "New password must be 12 characters or more",
            "The passwords do not match",
        ],
        ("vera@test.example", "vera@test.example"): ["New password must not be your email address"],
    }
    for (password, confirmation), messages in cases.items():
        response = client.post(
            link, data={"csrf_token": token, "password": password, "confirmation": confirmation}
        )
        assert response.status_code == 422
        assert "There is a problem" in response.text
        for message in messages:
            assert message in response.text
        assert response.text.count("govuk-error-message") == len(messages)
        assert f'value="{password}"' not in response.text or not password
    assert load(User, user.id).password_hash == before
    assert "Set a new password" in client.get(link).text  # still usable


def test_the_reset_form_needs_its_anonymous_csrf_token(admin, app, session, load):
    user = make_user(session, Role.VIEWER, email="vera@test.example")
    link = _issue(admin, user.id)
    before = load(User, user.id).password_hash
    with TestClient(app, base_url="http://testserver") as browser:
        browser.get(link)
        response = browser.post(
            link,
            data={"csrf_token": "made-up", "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD},
        )
        assert response.status_code == 403
    assert load(User, user.id).password_hash == before


def test_a_deactivated_person_gets_no_link(admin, session, count):
    user = make_user(session, Role.VIEWER, email="vera@test.example")
    accounts.update_user(
        session, SYSTEM, user.id, UserUpdate(active=False), expected_version=1, now=NOW
    )
    response = admin.post(f"/admin/users/{user.id}/reset-link", data={"csrf_token": csrf(admin)})
    assert response.status_code == 409
    assert "This user is deactivated" in response.text
    assert count(PasswordReset) == 0


def test_a_link_stops_working_when_its_person_is_deactivated(admin, client, session):
    user = make_user(session, Role.VIEWER, email="vera@test.example")
    link = _issue(admin, user.id)
    accounts.update_user(
        session, SYSTEM, user.id, UserUpdate(active=False), expected_version=1, now=NOW
    )
    assert "This link is not valid" in client.get(link).text


def test_the_sign_in_cookie_is_untouched_by_a_reset_page(admin, session):
    """A signed-in administrator opening someone's link stays signed in as themselves."""
    user = make_user(session, Role.VIEWER, email="vera@test.example")
    link = _issue(admin, user.id)
    assert SESSION_COOKIE in admin.cookies
    assert "Set a new password" in admin.get(link).text
    assert admin.get("/admin/users").status_code == 200
