"""The web shell: security headers, navigation by role, error pages, signing in and out."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from domain.accounts.rules import Role
from domain.accounts.sessions import GENERIC_FAILURE
from tests.conftest import make_user, sign_in
from tests.web.conftest import csrf

ADMIN_LINKS = ["/admin/users", "/admin/tokens", "/admin/reference", "/admin/audit"]
ADMIN_PAGES = [*ADMIN_LINKS, "/admin/users/new", "/admin/tokens/new", "/admin/reference/areas/new"]


def _directives(csp: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in csp.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


def _assert_secure_headers(response) -> None:  # type: ignore[no-untyped-def]
    csp = _directives(response.headers["content-security-policy"])
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src is not None
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "'unsafe-inline'" not in csp.get("style-src", [])
    assert csp["frame-ancestors"] == ["'none'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in (
        "strict-origin-when-cross-origin",
        "no-referrer",
        "same-origin",
    )


@pytest.mark.parametrize("path", ["/sign-in", "/no-such-page"])
def test_public_html_responses_carry_the_security_headers(client, path):
    response = client.get(path)
    assert "text/html" in response.headers["content-type"]
    _assert_secure_headers(response)


@pytest.mark.parametrize("path", ["/", *ADMIN_PAGES])
def test_signed_in_pages_carry_the_security_headers_and_no_inline_code(admin, path):
    response = admin.get(path)
    assert response.status_code == 200
    _assert_secure_headers(response)
    # a strict CSP only works if the pages never need inline script or style
    for script in re.findall(r"<script\b[^>]*>", response.text):
        assert "src=" in script, script
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", response.text)
    assert " style=" not in response.text
    assert not re.search(r"\son[a-z]+=", response.text)  # no inline event handlers
    assert response.text.count("<h1") == 1


def test_every_state_changing_form_carries_the_csrf_token(admin, session):
    user = make_user(session, Role.VIEWER, email="viewer@test.example")
    for path in [*ADMIN_PAGES, f"/admin/users/{user.id}", "/"]:
        html = admin.get(path).text
        for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S):
            if 'method="post"' in form:
                assert 'name="csrf_token" value="' in form, (path, form[:200])
                token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
                assert len(token) > 20


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


def test_signing_out_needs_the_csrf_token(web_as):
    viewer = web_as(Role.VIEWER)
    assert viewer.post("/sign-out", data={}).status_code == 403
    assert viewer.get("/", follow_redirects=False).status_code == 200


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
