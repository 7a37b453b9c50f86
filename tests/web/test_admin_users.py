"""/admin/users: list, add, change, deactivate — as pages, through the real sign-in."""

from __future__ import annotations

import pytest

from domain.accounts import service as accounts
from domain.accounts.rules import SYSTEM, Role
from domain.accounts.schemas import UserUpdate
from domain.accounts.tables import User
from tests.conftest import NOW, make_user
from tests.web.conftest import csrf, value_of

PAGES = ["/admin/users", "/admin/users/new", "/admin/users/1"]


def test_the_users_page_lists_everyone_with_role_and_status_in_words(admin, session):
    inactive = make_user(session, Role.VIEWER, email="gone@test.example", name="Gone Person")
    accounts.update_user(
        session, SYSTEM, inactive.id, UserUpdate(active=False), expected_version=1, now=NOW
    )
    page = admin.get("/admin/users")
    assert page.status_code == 200
    assert '<h1 class="govuk-heading-l">Users</h1>' in page.text
    assert f'href="/admin/users/{inactive.id}">Gone Person</a>' in page.text
    assert "gone@test.example" in page.text
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
            "password": "long enough password",
        },
    )
    assert response.status_code == 403
    assert count(User) == before


def test_adding_a_user_saves_them_and_shows_a_success_banner(admin, load):
    response = admin.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf(admin, "/admin/users/new"),
            "email": "New.Person@Test.Example",
            "display_name": "New Person",
            "role": "force_liaison",
            "password": "a good long password",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    user_id = int(response.headers["location"].rsplit("/", 1)[1])
    user = load(User, user_id)
    assert (user.email, user.display_name, user.role, user.active) == (
        "new.person@test.example",
        "New Person",
        "force_liaison",
        True,
    )
    page = admin.get(response.headers["location"])
    assert "govuk-notification-banner--success" in page.text
    assert "New Person has been added as a user" in page.text
    assert "Force liaison" in page.text
    # the banner is shown once
    assert "has been added as a user" not in admin.get(response.headers["location"]).text


def test_invalid_input_is_explained_kept_and_not_saved(admin, count):
    before = count(User)
    response = admin.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf(admin),
            "email": "not-an-email",
            "display_name": "Half Filled",
            "role": "",
            "password": "short",
        },
    )
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert response.text.count("govuk-error-message") == 3
    assert '<a href="#email">Email address must be an email address' in response.text
    assert '<a href="#role">Select role</a>' in response.text
    assert "Password must be 12 characters or more" in response.text
    assert value_of(response.text, "email") == "not-an-email"
    assert value_of(response.text, "display_name") == "Half Filled"
    assert 'value="short"' not in response.text  # a password is never sent back
    assert "<title>Error: " in response.text
    assert count(User) == before


def test_a_duplicate_email_is_a_form_error(admin, count):
    before = count(User)
    response = admin.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf(admin),
            "email": "admin@test.example",
            "display_name": "Twin",
            "role": "viewer",
            "password": "a good long password",
        },
    )
    assert response.status_code == 422
    assert "A user with this email address already exists" in response.text
    assert value_of(response.text, "display_name") == "Twin"
    assert count(User) == before


def test_a_post_without_the_csrf_token_is_refused_and_nothing_saved(admin, count):
    before = count(User)
    response = admin.post(
        "/admin/users/new",
        data={
            "email": "csrf@test.example",
            "display_name": "No Token",
            "role": "viewer",
            "password": "a good long password",
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
    assert '<h1 class="govuk-heading-l">Vera Viewer</h1>' in page.text
    assert value_of(page.text, "version") == "1"
    assert value_of(page.text, "display_name") == "Vera Viewer"
    assert '<option value="viewer" selected>' in page.text
    assert "Deactivate user" in page.text


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


def test_deactivating_and_reactivating_a_user(admin, session, load):
    user = make_user(session, Role.VIEWER, email="viewer@test.example", name="Vera")
    token = csrf(admin)
    response = admin.post(
        f"/admin/users/{user.id}/status",
        data={"csrf_token": token, "version": "1", "active": "no"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert load(User, user.id).active is False
    page = admin.get(response.headers["location"])
    assert "Vera has been deactivated" in page.text
    assert "Reactivate user" in page.text

    response = admin.post(
        f"/admin/users/{user.id}/status",
        data={"csrf_token": token, "version": "2", "active": "yes"},
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
