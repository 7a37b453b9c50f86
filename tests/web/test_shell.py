"""The web shell: navigation by role, error pages, signing in and out. Security headers and
CSRF, for every route, are in test_security_headers.py and test_security_csrf.py."""

from __future__ import annotations

from fastapi.testclient import TestClient

from domain.accounts.rules import Role
from domain.accounts.sessions import GENERIC_FAILURE
from tests.conftest import make_user, sign_in
from tests.web.conftest import csrf

ADMIN_LINKS = ["/admin/users", "/admin/tokens", "/admin/reference", "/admin/audit"]


def test_navigation_shows_admin_links_only_to_an_admin(admin, staff):
    admin_home = admin.get("/").text
    staff_home = staff.get("/").text
    for href in ADMIN_LINKS:
        assert f'class="govuk-service-navigation__link" href="{href}"' in admin_home
        assert href not in staff_home
    assert 'class="govuk-service-navigation__link" href="/"' in staff_home


def test_the_current_section_is_marked_in_the_navigation(admin):
    page = admin.get("/admin/tokens/new").text
    assert 'href="/admin/tokens" aria-current="page"' in page
    assert 'href="/admin/users" aria-current="page"' not in page


def test_the_404_page_is_a_styled_html_page(admin, client):
    for who in (admin, client):
        response = who.get("/no-such-page")
        assert response.status_code == 404
        assert "text/html" in response.headers["content-type"]
        assert '<h1 class="govuk-heading-l">Page not found</h1>' in response.text
        assert (
            '<link rel="stylesheet" href="/static/govuk/govuk-frontend.min.css">' in response.text
        )
        assert "check it is correct" in response.text


def test_a_wrong_password_shows_only_the_generic_message(client, session):
    make_user(session, Role.VIEWER, email="viewer@test.example")
    answers = []
    for email, password in [
        ("viewer@test.example", "wrong password entirely"),
        ("nobody@test.example", "wrong password entirely"),
    ]:
        page = client.get("/sign-in")
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        response = client.post(
            "/sign-in", data={"email": email, "password": password, "csrf_token": token}
        )
        assert response.status_code == 401
        assert "There is a problem" in response.text
        assert GENERIC_FAILURE in response.text
        assert 'value="wrong password entirely"' not in response.text
        answers.append(response.text.replace(email, "EMAIL"))
    # an unknown address and a wrong password look the same
    assert _error_list(answers[0]) == _error_list(answers[1])


def _error_list(html: str) -> str:
    return html.split('class="govuk-list govuk-error-summary__list"', 1)[1].split("</ul>", 1)[0]


def test_signing_out_ends_the_session(web_as):
    viewer = web_as(Role.VIEWER)
    response = viewer.post("/sign-out", data={"csrf_token": csrf(viewer)}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
    assert "You have signed out" in viewer.get("/sign-in").text
    after = viewer.get("/", follow_redirects=False)
    assert after.status_code == 303
    assert after.headers["location"].startswith("/sign-in")


def test_signing_out_everywhere_ends_the_other_sessions(app, session):
    user = make_user(session, Role.VIEWER, email="viewer@test.example")
    with TestClient(app) as laptop, TestClient(app) as phone:
        sign_in(laptop, user.email)
        sign_in(phone, user.email)
        assert phone.get("/", follow_redirects=False).status_code == 200
        response = laptop.post(
            "/sign-out",
            data={"csrf_token": csrf(laptop), "everywhere": "yes"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert "You have signed out on every device" in laptop.get("/sign-in").text
        for device in (laptop, phone):
            gone = device.get("/", follow_redirects=False)
            assert gone.status_code == 303
            assert gone.headers["location"].startswith("/sign-in")


def test_signing_out_here_only_keeps_the_other_sessions(app, session):
    user = make_user(session, Role.VIEWER, email="viewer@test.example")
    with TestClient(app) as laptop, TestClient(app) as phone:
        sign_in(laptop, user.email)
        sign_in(phone, user.email)
        laptop.post("/sign-out", data={"csrf_token": csrf(laptop)})
        assert laptop.get("/", follow_redirects=False).status_code == 303
        assert phone.get("/", follow_redirects=False).status_code == 200


def test_a_deactivated_user_is_signed_out_at_once(admin, web_as, user_by_email):
    viewer = web_as(Role.VIEWER)
    assert viewer.get("/", follow_redirects=False).status_code == 200
    record = user_by_email("viewer@test.example")
    admin.post(
        f"/admin/users/{record.id}/status",
        data={"csrf_token": csrf(admin), "version": str(record.version), "active": "no"},
    )
    assert viewer.get("/", follow_redirects=False).status_code == 303
