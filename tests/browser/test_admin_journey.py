"""The administrator's journey in Chromium: every admin page fits a 320 CSS px window
without scrolling sideways and passes axe-core; a new token's secret is copied with the
"Copy" button (JavaScript) and shown once; revoking asks first; and, with JavaScript off, a
new user sets their own password with the link the administrator was given."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import (
    AXE_TAGS_WITH_BEST_PRACTICE,
    axe_violations,
    format_violations,
    screenshot,
    sign_in,
    slug_for,
)

pytestmark = pytest.mark.browser

ADMIN = "admin@oversight.example"
SMALLEST = {"width": 320, "height": 720}
SECRET = re.compile(r"ovs_[A-Za-z0-9_-]{40,}")


def _context(browser: Any, live_server: str, **options: Any) -> Any:
    # bypass_csp only so axe-core can be injected from disk.
    context = browser.new_context(base_url=live_server, bypass_csp=True, **options)
    context.set_default_timeout(10_000)
    return context


def _first_href(page: Any, pattern: str) -> str:
    hrefs = page.eval_on_selector_all("main a", "links => links.map(a => a.getAttribute('href'))")
    return next(h for h in hrefs if h and re.fullmatch(pattern, h))


def _create_token(page: Any, name: str) -> str:
    page.goto("/admin/tokens/new")
    page.fill("#name", name)
    page.select_option("#role", "viewer")
    page.check("input[name=scopes][value='read:plan']")
    page.get_by_role("button", name="Create token").click()
    page.wait_for_load_state()
    assert re.fullmatch(r"/admin/tokens/\d+/secret", urlsplit(page.url).path)
    return str(page.locator("#token-secret").inner_text())


def test_every_admin_page_fits_320_px_and_passes_axe(browser: Any, live_server: str) -> None:
    context = _context(browser, live_server, viewport=SMALLEST)
    page = context.new_page()
    try:
        sign_in(page, ADMIN)
        _create_token(page, "A token with a rather long name for a narrow screen")
        problems = _check(page, urlsplit(page.url).path)  # the landing page, secret shown
        page.goto("/admin/users")
        user = _first_href(page, r"/admin/users/\d+")
        page.goto("/admin/tokens")
        token = _first_href(page, r"/admin/tokens/\d+")
        page.goto("/admin/reference?kind=organisations")
        organisation = _first_href(page, r"/admin/reference/organisations/\d+")
        paths = [
            "/admin/users",
            "/admin/users/new",
            user,
            f"{user}/deactivate",
            "/admin/tokens",
            "/admin/tokens/new",
            token,
            f"{token}/revoke",
            f"{token}/secret",  # already shown
            *(
                f"/admin/reference?kind={kind}"
                for kind in (
                    "organisations",
                    "areas",
                    "npas",
                    "topics",
                    "board-kinds",
                    "allegation-categories",
                )
            ),
            "/admin/reference/organisations/new",
            organisation,
            "/admin/pre-election-periods",
            "/admin/pre-election-periods/new",
            "/admin/audit",
            "/admin/audit?sign_ins=yes",
            "/reset-password/not-a-real-link",
        ]
        for path in paths:
            page.goto(path)
            problems += _check(page, path)
        assert not problems, "\n".join(problems)
    finally:
        context.close()


def _check(page: Any, path: str) -> list[str]:
    found = []
    wide, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if wide > window:
        screenshot(page, "320/admin", slug_for(path))
        found.append(f"{path} scrolls sideways: {wide} px in a {window} px window")
    violations = axe_violations(page, AXE_TAGS_WITH_BEST_PRACTICE)
    if violations:
        found.append(f"{path}:\n{format_violations(violations)}")
    return found


def test_a_new_token_is_copied_shown_once_and_revoked_after_asking(
    browser: Any, live_server: str
) -> None:
    context = _context(browser, live_server)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    try:
        sign_in(page, ADMIN)
        secret = _create_token(page, "Copied feed")
        assert SECRET.fullmatch(secret)
        copy = page.get_by_role("button", name="Copy token")
        assert copy.is_visible()
        copy.click()
        status = page.locator("[data-copy-status-for=token-secret]")
        status.filter(has_text="Copied").wait_for()
        assert status.get_attribute("role") == "status"
        assert page.evaluate("navigator.clipboard.readText()") == secret
        screenshot(page, "admin", "token-created")

        page.reload()
        assert "has already been shown" in page.inner_text("main")
        assert not SECRET.search(page.content())

        page.get_by_role("link", name="Go to the token’s page").click()
        page.get_by_role("button", name="Revoke token").click()
        assert "Are you sure you want to revoke “Copied feed”?" in page.inner_text("h1")
        page.get_by_role("button", name="Yes, revoke this token").click()
        page.wait_for_load_state()
        main = page.inner_text("main")
        assert "The token “Copied feed” has been revoked" in page.inner_text("body")
        assert "Revoked" in main and "Revoke token" not in main
    finally:
        context.close()


def test_without_javascript_a_new_user_sets_their_own_password_with_the_link(
    browser: Any, live_server: str
) -> None:
    admin_context = _context(browser, live_server, java_script_enabled=False)
    person_context = _context(browser, live_server, java_script_enabled=False)
    try:
        admin = admin_context.new_page()
        sign_in(admin, ADMIN)
        admin.goto("/admin/users/new")
        admin.fill("#email", "new.officer@oversight.example")
        admin.fill("#display_name", "New Officer")
        admin.select_option("#role", "opcc_staff")
        admin.get_by_role("button", name="Add user").click()
        admin.wait_for_load_state()
        assert "New Officer has been added as a user" in admin.inner_text("body")
        assert not admin.get_by_role("button", name="Copy link").is_visible()  # no script
        link = admin.locator("#reset-link").inner_text()
        assert "/reset-password/" in link

        person = person_context.new_page()
        person.goto(link)
        person.fill("#password", "three unrelated words")
        person.fill("#confirmation", "three unrelated word")
        person.get_by_role("button", name="Set password").click()
        person.wait_for_load_state()
        assert "The passwords do not match" in person.inner_text(".govuk-error-summary")
        assert person.input_value("#password") == ""  # a password is never sent back
        person.fill("#password", "three unrelated words")
        person.fill("#confirmation", "three unrelated words")
        person.get_by_role("button", name="Set password").click()
        person.wait_for_load_state()
        assert urlsplit(person.url).path == "/sign-in"
        assert "Your password has been changed" in person.inner_text("body")
        sign_in(person, "new.officer@oversight.example", "three unrelated words")
        assert urlsplit(person.url).path == "/"

        person.goto(link)
        assert "This link has already been used" in person.inner_text("h1")
    finally:
        admin_context.close()
        person_context.close()
