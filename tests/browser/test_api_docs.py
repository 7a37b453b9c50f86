"""/api/docs in Chromium with the app's Content-Security-Policy in force: Swagger UI (served
from node_modules by the app) renders the operations, runs one, and nothing is blocked or
fetched from another host."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

# Runs before the page's own scripts (injected by Playwright, so not subject to the CSP).
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_swagger_ui_renders_under_the_app_s_csp(browser: Any, live_server: str) -> None:
    app_origin = urlsplit(live_server)
    context = browser.new_context(base_url=live_server)  # no bypass_csp: the CSP is the point
    context.set_default_timeout(15_000)
    requests: list[str] = []
    console_errors: list[str] = []
    page_errors: list[str] = []
    try:
        page = context.new_page()
        page.add_init_script(RECORD_CSP_VIOLATIONS)
        page.on("request", lambda request: requests.append(request.url))

        def on_console(message: Any) -> None:
            if message.type == "error":
                console_errors.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: page_errors.append(str(error)))

        response = page.goto("/api/docs")
        assert response is not None and response.status == 200
        assert "script-src 'self'" in response.headers["content-security-policy"]

        # Swagger UI ran and rendered this app's operations from /api/v1/openapi.json.
        page.locator(".opblock").first.wait_for()
        assert page.locator(".opblock").count() >= 30
        assert page.locator(".opblock-summary-path", has_text="/api/v1/me").count() >= 1

        # And it can call the API (connect-src 'self'): run GET /healthz.
        healthz = page.locator(".opblock-get", has=page.locator('[data-path="/healthz"]'))
        healthz.locator(".opblock-summary").first.click()
        healthz.get_by_role("button", name="Try it out").click()
        healthz.get_by_role("button", name="Execute").click()
        healthz.locator(".live-responses-table .response-col_status", has_text="200").wait_for()
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__cspViolations")
    finally:
        context.close()

    foreign = [
        url
        for url in requests
        if urlsplit(url).scheme not in ("data", "blob")
        and (urlsplit(url).hostname, urlsplit(url).port) != (app_origin.hostname, app_origin.port)
    ]
    assert not foreign, "requests to other hosts:\n" + "\n".join(foreign)
    assert any(url.endswith("/static/swagger/swagger-ui-bundle.js") for url in requests)
    assert any(url.endswith("/static/app/swagger-init.js") for url in requests)
    assert any(url.endswith("/api/v1/openapi.json") for url in requests)

    assert not violations, "CSP violations:\n" + "\n".join(violations)
    csp = [text for text in console_errors if "Content Security Policy" in text]
    assert not csp, "CSP violations in the console:\n" + "\n".join(csp)
    assert not console_errors, "console errors:\n" + "\n".join(console_errors)
    assert not page_errors, "uncaught JavaScript errors:\n" + "\n".join(page_errors)
