"""How many SQL statements the main lists and pages cost, so an N+1 cannot come back.

Each page is fetched with the demo data, then again after a few hundred more actions: the
number of statements must not grow with the rows shown, and stays within a budget.
An API list must cost the same for 5 rows as for 100 (apart from one query per kind of
source the rows name). The busiest feed is held to its exact cost: a cached page or a 304
is one statement (the credential lookup, with the freshness stamp riding along), a page
made afresh one more, plus one per kind of source on it. Statements are counted with a
`domain.db.observe_statements`; BEGIN, COMMIT and ROLLBACK are not statements here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from domain.accounts.rules import Role
from domain.actions.generate import generate_actions
from domain.actions.rules import SourceType
from domain.complaints.demo import generate_reviews
from domain.db import Database, observe_statements
from domain.demo import seed_demo
from tests.conftest import NOW, make_token

MORE_ACTIONS = 300
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextmanager
def counted(database: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def note(statement: str) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append(statement)

    # Every engine, and on PostgreSQL the credential lookup sent from the event loop.
    with observe_statements(note):
        yield statements


@pytest.fixture
def demo(session: Session) -> Session:
    seed_demo(session, now=NOW)
    return session


def _with_token(client: TestClient, session: Session, role: Role) -> TestClient:
    """The client with a new token, used once already: a token's first use is noted
    (`accounts.actor_for_token`), once in a while, which is not what is counted here."""
    client.headers["Authorization"] = f"Bearer {make_token(session, role)}"
    assert client.get("/api/v1/areas").status_code == 200
    return client


@pytest.fixture
def token_client(client: TestClient, demo: Session) -> TestClient:
    return _with_token(client, demo, Role.VIEWER)


def _statements(database: Database, fetch: Callable[[], Any]) -> list[str]:
    with counted(database) as statements:
        answer = fetch()
    assert answer.status_code == 200, answer.text[:500]
    return statements


FEED = "/api/v1/actions?limit=100"
SOURCE_KINDS = len(SourceType) - 1  # every kind but "none": one resolver query each, at most


def _kinds(answer: Any) -> int:
    """The kinds of source on a page of actions or inbox entries: one query each names them."""
    items = answer.json()["items"]
    return len({item["source"]["type"] for item in items if item.get("source")})


def test_the_feed_costs_one_statement_cached_and_one_per_query_made_afresh(
    token_client: TestClient, database: Database
) -> None:
    with counted(database) as made:
        first = token_client.get(FEED)
    assert len(made) == 2 + _kinds(first), made  # credentials and stamp, the page, sources
    cached = _statements(database, lambda: token_client.get(FEED))
    assert len(cached) == 1, cached
    assert "api_tokens" in cached[0] and "sync_clock" in cached[0]
    with counted(database) as statements:
        unchanged = token_client.get(FEED, headers={"If-None-Match": first.headers["etag"]})
    assert unchanged.status_code == 304
    assert len(statements) == 1, statements


API_LISTS = [
    "/api/v1/actions",
    "/api/v1/actions?status=open",
    "/api/v1/actions?overdue=true&sort=due_on",
    "/api/v1/force-inbox",
    "/api/v1/engagements",
    "/api/v1/board-meetings",
    "/api/v1/exception-reports",
    "/api/v1/escalations",
    "/api/v1/monitoring-items",
    "/api/v1/plans",
    "/api/v1/objectives",
]
API_BUDGET = 4 + SOURCE_KINDS


def _sized(path: str, limit: int) -> str:
    return f"{path}{'&' if '?' in path else '?'}limit={limit}"


@pytest.mark.parametrize("path", API_LISTS)
def test_an_api_list_costs_the_same_for_five_rows_as_for_a_hundred(
    app: Any, client: TestClient, demo: Session, database: Database, path: str
) -> None:
    generate_actions(demo, MORE_ACTIONS, now=NOW)
    _with_token(client, demo, Role.ADMIN)
    cost = {}
    for limit in (5, 100):
        with counted(database) as statements:
            answer = client.get(_sized(path, limit))
        assert answer.status_code == 200, answer.text[:300]
        cost[limit] = len(statements) - _kinds(answer)
        assert len(statements) <= API_BUDGET, statements
    assert cost[100] == cost[5], cost


def test_the_complaint_review_list_costs_the_same_for_five_rows_as_for_a_hundred(
    web_as: Callable[..., TestClient], demo: Session, database: Database
) -> None:
    generate_reviews(demo, 150, now=NOW)
    client = web_as(Role.COMPLAINTS_REVIEWER, email="counting-reviewer@test.example")
    cost = {}
    for limit in (5, 100):
        with counted(database) as statements:
            answer = client.get(_sized("/api/v1/complaint-reviews", limit))
        assert answer.status_code == 200, answer.text[:300]
        assert len(answer.json()["items"]) == limit
        cost[limit] = len(statements)
    assert cost[100] == cost[5] <= API_BUDGET, cost


PAGES = [
    "/",
    "/actions",
    "/actions?status=open&owner_org=force",
    "/force-inbox",
    "/plans/1",
    "/engagements",
    "/complaint-reviews",
    "/board-meetings",
]
PAGE_BUDGET = 25


@pytest.mark.parametrize("path", PAGES)
def test_a_page_costs_no_more_with_hundreds_more_actions(
    web_as: Callable[..., TestClient], demo: Session, database: Database, path: str
) -> None:
    """The demo's lists are shorter than a page; afterwards every list is full. Showing
    more rows may add the names of more kinds of source, never a query per row."""
    admin = web_as(Role.ADMIN, email="counting-admin@test.example")
    before = _statements(database, lambda: admin.get(path))
    generate_actions(demo, MORE_ACTIONS, now=NOW)
    after = _statements(database, lambda: admin.get(path))
    assert len(after) <= len(before) + SOURCE_KINDS, (before, after)
    assert len(after) <= PAGE_BUDGET, after


def test_the_force_liaisons_home_and_inbox_cost_no_more_with_hundreds_more_actions(
    web_as: Callable[..., TestClient], demo: Session, database: Database
) -> None:
    liaison = web_as(Role.FORCE_LIAISON, email="counting-liaison@test.example")
    paths = ("/", "/force-inbox")
    before = [len(_statements(database, lambda p=p: liaison.get(p))) for p in paths]
    generate_actions(demo, MORE_ACTIONS, now=NOW)
    after = [len(_statements(database, lambda p=p: liaison.get(p))) for p in paths]
    for was, now in zip(before, after, strict=True):
        assert now <= was + SOURCE_KINDS, (before, after)
        assert now <= PAGE_BUDGET, after
