"""Journeys through the real app in Chromium, with axe-core on every page (UI.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from api.auth import SESSION_COOKIE
from domain.accounts.sessions import GENERIC_FAILURE
from domain.demo import DEMO_USERS
from tests.browser.conftest import check_page, sign_in, slug_for

pytestmark = pytest.mark.browser

NAV_LINKS = ".govuk-service-navigation__list a"
MISSING_PATH = "/this-page-does-not-exist"


def nav_paths(page: Any) -> list[str]:
    hrefs = page.eval_on_selector_all(NAV_LINKS, "links => links.map(a => a.getAttribute('href'))")
    return [str(href) for href in hrefs]


def visit(page: Any, path: str) -> Any:
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    return response


@pytest.mark.parametrize("user", DEMO_USERS, ids=lambda user: user.role.value)
def test_every_page_in_the_navigation_passes_axe(page: Any, user: Any) -> None:
    role = user.role.value
    visit(page, "/sign-in")
    assert page.locator("h1").first.inner_text() == "Sign in to Oversight"
    check_page(page, role, "sign-in")

    sign_in(page, user.email)
    assert urlsplit(page.url).path == "/"
    paths = nav_paths(page)
    assert paths and paths[0] == "/", f"navigation for {role}: {paths}"
    assert len(set(paths)) == len(paths), f"duplicate navigation links for {role}: {paths}"

    for path in paths:
        response = visit(page, path)
        assert response.status < 400, f"{path} answered {response.status} for {role}"
        assert page.locator("h1").count() == 1, f"{path} has no single h1 for {role}"
        assert page.locator("h1").inner_text().strip(), f"{path} has an empty h1 for {role}"
        # The navigation is the same on every page; the current page is marked.
        assert nav_paths(page) == paths
        assert page.locator(f'{NAV_LINKS}[aria-current="page"]').get_attribute("href") == path
        check_page(page, role, slug_for(path))

    response = visit(page, MISSING_PATH)
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    check_page(page, role, "not-found")

    # An unknown address matches no route, so the 404 page is rendered without the
    # signed-in chrome (no navigation, no Sign out button): sign out from Home.
    visit(page, "/")
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url("**/sign-in")
    assert urlsplit(page.url).path == "/sign-in"
    assert (
        page.locator(".govuk-notification-banner")
        .inner_text()
        .strip()
        .endswith("You have signed out")
    )
    assert page.locator(NAV_LINKS).count() == 0
    # Signed out means signed out: Home sends us back to the sign-in page.
    visit(page, "/")
    assert urlsplit(page.url).path == "/sign-in"


def test_sign_in_works_without_javascript(browser: Any, live_server: str) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, "staff@oversight.example")
        assert urlsplit(page.url).path == "/"
        assert page.locator("h1").inner_text() == "Home"
        assert page.evaluate("1 + 1") == 2  # evaluate still works; the page's scripts do not
        assert "js-enabled" not in (page.locator("body").get_attribute("class") or "")
    finally:
        context.close()


def test_wrong_password_shows_the_generic_error_summary(page: Any) -> None:
    sign_in(page, "viewer@oversight.example", "not-the-password")
    assert urlsplit(page.url).path == "/sign-in"
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "There is a problem" in summary.inner_text()
    assert GENERIC_FAILURE in summary.inner_text()
    assert page.title().startswith("Error: ")
    # The password is never echoed back; the email is kept.
    assert page.input_value("#password") == ""
    assert page.input_value("#email") == "viewer@oversight.example"
    check_page(page, "anonymous", "sign-in-error")


def test_session_cookie_is_httponly_and_samesite_lax(page: Any, context: Any) -> None:
    sign_in(page, "viewer@oversight.example")
    assert page.locator("h1").inner_text() == "Home"
    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    assert SESSION_COOKIE in cookies, f"no session cookie among {sorted(cookies)}"
    session = cookies[SESSION_COOKIE]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find(SESSION_COOKIE) == -1


def test_assets_come_from_the_app_and_csp_holds(browser: Any, live_server: str) -> None:
    """No third-party requests, no inline script, no CSP violation, the app's JS runs.

    Unlike the other tests this context keeps the app's Content-Security-Policy in force.
    """
    app_origin = urlsplit(live_server)
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(10_000)
    requests: list[str] = []
    console_errors: list[str] = []
    page_errors: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda request: requests.append(request.url))

        def on_console(message: Any) -> None:
            if message.type == "error":
                console_errors.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: page_errors.append(str(error)))

        visit(page, "/sign-in")
        sign_in(page, "admin@oversight.example")
        assert page.locator("h1").inner_text() == "Home"
        for path in nav_paths(page):
            visit(page, path)
            page.wait_for_load_state("networkidle")
            # oversight.js is an external module script: it ran, so the CSP lets it run.
            classes = page.locator("body").get_attribute("class") or ""
            assert "js-enabled" in classes, f"oversight.js did not run on {path}"
        visit(page, MISSING_PATH)
        page.wait_for_load_state("networkidle")
        visit(page, "/")
        page.get_by_role("button", name="Sign out", exact=True).click()
        page.wait_for_url("**/sign-in")
        page.wait_for_load_state("networkidle")
    finally:
        context.close()

    foreign = [
        url
        for url in requests
        if urlsplit(url).scheme not in ("data", "blob")
        and (urlsplit(url).hostname, urlsplit(url).port) != (app_origin.hostname, app_origin.port)
    ]
    assert not foreign, "requests to other hosts:\n" + "\n".join(foreign)
    assert any("/static/govuk/" in url for url in requests), "GOV.UK Frontend was not loaded"
    assert any("/static/htmx/" in url for url in requests), "htmx was not loaded"

    csp = [text for text in console_errors if "Content Security Policy" in text]
    assert not csp, "CSP violations:\n" + "\n".join(csp)
    # The only other console error allowed is the 404 of the missing page itself.
    other = [
        text
        for text in console_errors
        if text not in csp and "404" not in text and "Not Found" not in text
    ]
    assert not other, "console errors:\n" + "\n".join(other)
    assert not page_errors, "uncaught JavaScript errors:\n" + "\n".join(page_errors)
