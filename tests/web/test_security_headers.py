"""S7: every HTML response carries a Content-Security-Policy that allows no inline script,
X-Content-Type-Options, a Referrer-Policy and frame denial; every other response (JSON,
problem+json, CSV, redirects) carries X-Content-Type-Options.

The pages come from `app.routes` (tests/route_samples.py holds a sample URL for each), so a
new page without an entry fails `test_every_get_route_has_a_sample_url`. They are fetched
as an administrator (who reaches every page) and anonymously (redirects, 401 problems, the
public pages), together with the error pages: 400, 403, 404, 405, 422, a CSRF refusal and an
unexpected failure (500)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from domain.accounts.rules import Role
from tests.api.test_authorization_matrix import seed
from tests.route_samples import GET_SAMPLES, get_routes, get_urls, is_api
from tests.web.conftest import csrf

REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}


def directives(csp: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in csp.split(";") if p.strip())
    return {p[0].lower(): p[1:] for p in parts}


def header_problems(response) -> list[str]:  # type: ignore[no-untyped-def]
    """What is missing or weak in one response's security headers ([] if nothing)."""
    headers = response.headers
    problems = []
    if headers.get("x-content-type-options", "").lower() != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if "text/html" not in headers.get("content-type", ""):
        return problems
    csp = directives(headers.get("content-security-policy", ""))
    script_src = csp.get("script-src", csp.get("default-src"))
    if script_src is None:
        problems.append("no Content-Security-Policy script-src (or default-src)")
    elif {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(script_src):
        problems.append(f"script-src allows inline, eval or any host: {script_src}")
    if "'unsafe-inline'" in csp.get("style-src", []):
        problems.append("style-src allows inline styles")
    if csp.get("frame-ancestors") != ["'none'"] and headers.get("x-frame-options") != "DENY":
        problems.append("framing is not denied (frame-ancestors 'none' or X-Frame-Options DENY)")
    if headers.get("referrer-policy") not in REFERRER_POLICIES:
        problems.append(f"Referrer-Policy is {headers.get('referrer-policy')!r}")
    return problems


def inline_code_problems(path: str, html: str) -> list[str]:
    """A strict CSP only works if the page never needs inline script, style or handlers."""
    problems = [
        f"inline <script> without src: {tag}" for tag in _script_tags(html) if "src=" not in tag
    ]
    if re.search(r"<script\b[^>]*>\s*[^<\s]", html):
        problems.append("a <script> element with a body")
    if " style=" in html:
        problems.append("an inline style attribute")
    if re.search(r"\son[a-z]+=", html):
        problems.append("an inline event handler")
    if not is_api(path) and html.count("<h1") != 1:
        problems.append(f"{html.count('<h1')} <h1> elements")
    return problems


def _script_tags(html: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", html)


def test_every_get_route_has_a_sample_url(app):
    routes = get_routes(app)
    assert not routes - set(GET_SAMPLES), "GET routes with no sample URL in route_samples.py"
    assert not set(GET_SAMPLES) - routes, "samples for routes the app no longer has"


def test_every_get_response_carries_the_security_headers(app, api_as, web_as, client):
    f = seed(api_as(Role.ADMIN))
    admin = web_as(Role.ADMIN)
    found = []
    html_pages = 0
    for who, caller in (("admin", admin), ("anonymous", client)):
        for route, url in get_urls(app, f):
            response = caller.get(url, follow_redirects=False)
            # the admin reaches every sample (a wrong sample would only test an error page)
            expected = (200,) if who == "admin" else (200, 303, 401)
            assert response.status_code in expected, (who, url, response.status_code)
            problems = header_problems(response)
            if who == "admin" and "text/html" in response.headers.get("content-type", ""):
                html_pages += 1
                problems += inline_code_problems(route, response.text)
            found += [f"{who} GET {url} ({response.status_code}): {p}" for p in problems]
    assert not found, "\n".join(found)
    assert html_pages >= len([r for r in get_routes(app) if not is_api(r)])


def test_error_pages_carry_the_security_headers(app, api_as, web_as, client):
    f = seed(api_as(Role.ADMIN))
    admin = web_as(Role.ADMIN)
    viewer = web_as(Role.VIEWER)
    objective = f.ids["objective"]
    token = csrf(admin)
    cases = {
        "404 anonymous": (client, "GET", "/no-such-page", None, 404),
        "404 signed in": (admin, "GET", "/no-such-page", None, 404),
        "404 record": (admin, "GET", "/actions/999999", None, 404),
        "403 role": (viewer, "GET", "/admin/users", None, 403),
        "405": (admin, "GET", "/sign-out", None, 405),
        "400 query": (admin, "GET", f"/objectives/{objective}?period={'x' * 30}", None, 400),
        "422 form": (admin, "POST", "/periods", {"csrf_token": token, "code": ""}, 422),
        "403 csrf": (admin, "POST", "/periods", {"code": "2030-31-Q1"}, 403),
    }
    found = []
    for name, (caller, method, url, form, status) in cases.items():
        response = caller.request(method, url, data=form, follow_redirects=False)
        assert response.status_code == status, (name, response.status_code)
        assert "text/html" in response.headers["content-type"], name
        problems = header_problems(response) + inline_code_problems(url, response.text)
        found += [f"{name} {method} {url}: {p}" for p in problems]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/security-test-failure", "text/html"), ("/api/v1/security-test-failure", "problem+json")],
)
def test_an_unexpected_failure_still_carries_the_security_headers(app, path, content_type):
    def fail() -> None:
        raise RuntimeError("a bug")

    app.add_api_route(path, fail, methods=["GET"])
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get(path)
    assert response.status_code == 500
    assert content_type in response.headers["content-type"]
    problems = header_problems(response)
    assert not problems, problems
