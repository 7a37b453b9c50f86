"""HEAD answers like GET on every GET route, without a body (api/head.py); /api/docs is Swagger
UI served by the app itself, from the pinned swagger-ui-dist package, under the app's own CSP
(api/docs.py)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import col, select
from starlette.applications import Starlette
from starlette.responses import StreamingResponse
from starlette.routing import Route

from api.app import CONTENT_SECURITY_POLICY
from api.head import HeadAsGetMiddleware
from domain.accounts.rules import Role
from domain.complaints.tables import ComplaintReview
from domain.config import PROJECT_ROOT
from domain.demo import seed_demo
from tests.conftest import NOW

# Headers that may differ between two requests for the same thing (values only: the names
# must still match).
VOLATILE = {"date", "x-request-id", "set-cookie", "content-length"}


def get_paths(app: Any) -> list[str]:
    """Every route that answers GET (API, pages, health, the OpenAPI document), as templates."""
    paths = {
        str(context.path)
        for context in iter_route_contexts(app.routes)
        if context.methods and "GET" in context.methods and context.path
    }
    return sorted(paths)


def fill(path: str, samples: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in samples, f"no sample value for {{{name}}} in {path}: add one"
        return samples[name]

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


def head_mismatches(
    client: TestClient, url: str, headers: dict[str, str] | None = None
) -> tuple[int, list[str]]:
    """HEAD's status, and how HEAD of one URL differs from its GET (nothing, when right)."""
    get = client.get(url, headers=headers, follow_redirects=False)
    head = client.head(url, headers=headers, follow_redirects=False)
    problems = []
    if head.status_code != get.status_code:
        problems.append(f"HEAD {url}: {head.status_code}, GET: {get.status_code}")
    if head.content:
        problems.append(f"HEAD {url} has a body: {head.content[:80]!r}")
    if set(head.headers) != set(get.headers):
        problems.append(f"HEAD {url} headers {sorted(head.headers)} != GET {sorted(get.headers)}")
    for name in set(get.headers) - VOLATILE:
        if head.headers.get(name) != get.headers[name]:
            problems.append(
                f"HEAD {url} {name}: {head.headers.get(name)!r} != {get.headers[name]!r}"
            )
    # Presence is checked with the names above. JSON bodies are deterministic here, so the
    # length must be GET's to the byte (pages carry a fresh CSRF token, so only presence).
    json_like = get.headers.get("content-type", "").startswith("application/")
    if json_like and head.headers.get("content-length") != get.headers.get("content-length"):
        problems.append(f"HEAD {url} Content-Length differs from GET")
    return head.status_code, problems


@pytest.fixture
def demo(session, api_as) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The demo data set, and a real value for every path parameter of a GET route."""
    seed_demo(session, now=NOW)
    session.commit()
    admin = api_as(Role.ADMIN)

    def first(url: str, key: str = "id") -> str:
        response = admin.get(url)
        assert response.status_code == 200, response.text
        return str(response.json()["items"][0][key])

    return {
        "user_id": first("/api/v1/users"),
        "token_id": first("/api/v1/tokens"),
        "record_id": first("/api/v1/areas"),
        "kind": "areas",
        "action_id": first("/api/v1/actions"),
        "plan_id": first("/api/v1/plans"),
        "objective_id": first("/api/v1/objectives"),
        "code": first("/api/v1/periods", "code"),
        "meeting_id": first("/api/v1/board-meetings"),
        "report_id": first("/api/v1/exception-reports"),
        "exception_item_id": str(
            admin.get("/api/v1/exception-reports").json()["items"][0]["items"][0]["id"]
        ),
        "escalation_id": first("/api/v1/escalations"),
        "monitoring_item_id": first("/api/v1/monitoring-items"),
        "engagement_id": first("/api/v1/engagements"),
        "period_id": first("/api/v1/pre-election-periods"),
        # complaint review cases are listed to people only, not to this token
        "review_id": str(
            session.exec(select(ComplaintReview.id).order_by(col(ComplaintReview.id))).first()
        ),
    }


# -------------------------------------------------------------------------------------------
# A: HEAD


def test_healthz_answers_head(client):
    response = client.head("/healthz")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["content-length"]) == len(client.get("/healthz").content)


def test_the_route_table_is_what_the_head_test_walks(app):
    paths = get_paths(app)
    # Each surface is there, so a route added later is covered without editing this file.
    for expected in ("/healthz", "/readyz", "/api/v1/me", "/api/v1/openapi.json", "/api/docs"):
        assert expected in paths
    assert "/sign-in" in paths and "/" in paths
    assert any("{" in path for path in paths)


@pytest.mark.parametrize("caller", ["anonymous", "viewer", "force liaison", "admin", "admin token"])
def test_every_get_route_answers_head_like_get_without_a_body(
    app, demo, client, web_as, api_as, caller
):
    """Same status (so the same authentication and authorisation: 401/303 for the anonymous,
    403 for a viewer on admin pages), same headers, no body."""
    headers: dict[str, str] | None = None
    if caller == "anonymous":
        pass
    elif caller == "admin token":
        token = api_as(Role.ADMIN)
        client, headers = token.client, token.headers
    else:
        client = web_as(Role[caller.upper().replace(" ", "_")])
    urls = [fill(path, demo) for path in get_paths(app)]
    if caller == "admin token":
        urls = [url for url in urls if url.startswith("/api/")]
    urls += [
        "/api/v1/actions?format=csv",  # streamed: no Content-Length, still no body
        "/api/v1/actions/999999",  # not found
        "/api/v1/actions?limit=0",  # invalid input
        "/no-such-page",
        "/static/app/oversight.css",
        "/static/swagger/swagger-ui-bundle.js",
    ]
    statuses = set()
    problems: list[str] = []
    for url in urls:
        status, mismatches = head_mismatches(client, url, headers)
        statuses.add(status)
        problems += mismatches
    assert not problems, "\n".join(problems)
    # The walk really did cover the interesting outcomes for this caller.
    assert 200 in statuses
    assert 404 in statuses
    if caller == "anonymous":
        assert {401, 303} <= statuses
    if caller == "viewer":
        assert 403 in statuses


def test_head_runs_the_get_route_once_as_get(api_as):
    """A GET route answers HEAD with its ETag, and a conditional HEAD gets GET's 304."""
    admin = api_as(Role.ADMIN)
    admin.post("/api/v1/topics", json={"code": "t1", "name": "Topic"})
    get = admin.get("/api/v1/topics/1")
    head = admin.request("HEAD", "/api/v1/topics/1")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    again = admin.request(
        "HEAD", "/api/v1/topics/1", headers={"If-None-Match": get.headers["etag"]}
    )
    assert again.status_code == 304


def test_head_of_a_route_without_get_is_get_s_405(client):
    get = client.get("/sign-out")
    head = client.head("/sign-out")
    assert get.status_code == head.status_code == 405
    assert get.headers["allow"] == "POST"  # the 405 page says what the route does take
    assert head.headers.get("allow") == get.headers.get("allow")
    assert head.content == b""


def test_head_adds_no_operations_to_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json()
    operations = [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    ]
    assert not [f"{m} {p}" for m, p, _ in operations if m == "head"]
    ids = [operation["operationId"] for _, _, operation in operations]
    assert len(ids) == len(set(ids)), "operation ids must be unique"
    assert "/api/docs" not in document["paths"]


def test_the_middleware_drops_a_streamed_body_and_keeps_the_headers():
    seen: list[str] = []

    async def chunks() -> Any:
        for n in range(3):
            yield f"chunk {n}\n"

    async def endpoint(request: Any) -> StreamingResponse:
        seen.append(request.method)
        return StreamingResponse(chunks(), media_type="text/plain", headers={"x-rows": "3"})

    app = HeadAsGetMiddleware(Starlette(routes=[Route("/", endpoint, methods=["GET"])]))
    with TestClient(app) as c:
        head = c.head("/")
        get = c.get("/")
    assert head.status_code == get.status_code == 200
    assert head.content == b"" and get.text == "chunk 0\nchunk 1\nchunk 2\n"
    assert head.headers["x-rows"] == "3"
    assert seen == ["GET", "GET"]  # the route saw a GET: same dependencies, same checks


# -------------------------------------------------------------------------------------------
# B: /api/docs


def _references(html: str) -> list[str]:
    return re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', html)


def test_the_api_docs_page_is_public_same_origin_and_csp_clean(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    html = response.text
    # No inline code: every script has a src and an empty body; no style at all.
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    for attributes, body in scripts:
        assert "src=" in attributes and not body.strip(), attributes
    assert "<style" not in html and "style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
    # Nothing from another host.
    assert not re.findall(r"(?:https?:)?//[\w.-]+", html)
    # It shows this app's document.
    assert 'data-openapi-url="/api/v1/openapi.json"' in html
    assert "cdn" not in html.lower()


def test_everything_the_docs_page_loads_comes_from_the_app(client):
    references = _references(client.get("/api/docs").text)
    assert "/static/swagger/swagger-ui-bundle.js" in references
    assert "/static/swagger/swagger-ui.css" in references
    assert "/static/app/swagger-init.js" in references
    for url in references:
        assert urlsplit(url).netloc == "" and url.startswith("/"), url
        response = client.get(url)
        assert response.status_code == 200, url
        kind = response.headers["content-type"]
        if url.endswith(".js"):
            assert "javascript" in kind, (url, kind)
        if url.endswith(".css"):
            assert kind.startswith("text/css"), (url, kind)


def test_the_swagger_initialiser_loads_this_app_s_document_and_nothing_else():
    script = (PROJECT_ROOT / "web" / "static" / "swagger-init.js").read_text()
    assert "data-openapi-url" in script
    assert "validatorUrl: null" in script
    assert not re.search(r"https?://", script)


def test_fastapi_s_cdn_docs_are_gone(client):
    assert client.app.docs_url is None
    assert client.get("/docs").status_code == 404
    assert client.get("/docs/oauth2-redirect").status_code == 404
    # /api/docs is served by api/docs.py and appears once among the routes.
    assert get_paths(client.app).count("/api/docs") == 1


def test_swagger_ui_is_pinned_to_an_exact_version():
    package = json.loads((PROJECT_ROOT / "package.json").read_text())
    lock = json.loads((PROJECT_ROOT / "package-lock.json").read_text())
    pinned = package["dependencies"]["swagger-ui-dist"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), f"not an exact version: {pinned}"
    assert lock["packages"][""]["dependencies"]["swagger-ui-dist"] == pinned
    assert lock["packages"]["node_modules/swagger-ui-dist"]["version"] == pinned
