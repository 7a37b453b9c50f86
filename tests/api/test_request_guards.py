"""Issue 8, defects 3 and 4: bodies over 1 MiB are refused before they are read, an unknown
caller is refused before its body is parsed, and a 500 leaves with the usual headers."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import func, select

from api.app import MAX_BODY_BYTES
from domain.accounts.rules import Role
from domain.actions.tables import Action
from tests.api.conftest import assert_problem

BIG = b'{"title": "' + b"x" * (MAX_BODY_BYTES + 10) + b'", "owner_org": "opcc"}'


@pytest.fixture
def staff(api_as):
    return api_as(Role.OPCC_STAFF)


def actions(database) -> int:
    with database.session() as fresh:
        return int(fresh.exec(select(func.count()).select_from(Action)).one())


def test_a_body_declared_over_one_mebibyte_is_refused_with_413(staff, database):
    response = staff.post(
        "/api/v1/actions", content=BIG, headers={"Content-Type": "application/json"}
    )
    body = assert_problem(response, 413)
    assert str(MAX_BODY_BYTES) in body["detail"]
    assert actions(database) == 0


def test_a_streamed_body_is_cut_off_once_it_passes_one_mebibyte(staff, database):
    def chunks():
        for start in range(0, len(BIG), 64 * 1024):
            yield BIG[start : start + 64 * 1024]

    response = staff.post(
        "/api/v1/actions", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_problem(response, 413)
    assert actions(database) == 0


def test_a_large_page_form_gets_the_413_page(web_as):
    browser = web_as(Role.OPCC_STAFF)
    response = browser.post(
        "/actions/new",
        content=b"title=" + b"x" * (MAX_BODY_BYTES + 1),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert "What was sent is too large" in response.text
    assert "content-security-policy" in response.headers


def _call(app, method: str, path: str, headers: list[tuple[bytes, bytes]]):
    """Drive the ASGI app directly with a receive that records whether the body was read."""
    read: list[bool] = []
    sent: list[dict] = []

    async def receive():
        read.append(True)
        return {"type": "http.request", "body": b'{"title": 1}', "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("192.0.2.1", 1234),
        "server": ("testserver", 80),
        "state": {},
    }
    asyncio.run(app(scope, receive, send))
    return read, sent[0]["status"]


@pytest.mark.parametrize(
    "credentials",
    [[], [(b"authorization", b"Bearer made-up")], [(b"cookie", b"oversight_session=made-up")]],
    ids=["none", "unknown token", "unknown session"],
)
@pytest.mark.parametrize("path", ["/api/v1/actions", "/api/v1/users", "/actions/new"])
def test_an_unknown_caller_is_refused_without_reading_the_body(app, path, credentials):
    read, status = _call(app, "POST", path, credentials)
    assert not read, "the body was read before the caller was known"
    assert status in (401, 303)  # pages send a stranger to the sign-in page


def test_a_known_caller_s_body_is_still_read_and_checked(app, session):
    from tests.conftest import make_token

    secret = make_token(session, Role.OPCC_STAFF)
    read, status = _call(
        app, "POST", "/api/v1/actions", [(b"authorization", f"Bearer {secret}".encode())]
    )
    assert read
    assert status == 422


def test_an_unexpected_error_leaves_with_the_request_id_and_security_headers(api_as, monkeypatch):
    from domain.reference import service as reference

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    viewer = api_as(Role.VIEWER)
    monkeypatch.setattr(reference, "list_records", broken)
    response = viewer.get("/api/v1/topics", headers={"X-Request-ID": "trace-500"})
    body = assert_problem(response, 500)
    assert "boom" not in response.text
    assert body["status"] == 500
    assert response.headers["x-request-id"] == "trace-500"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" in response.headers
