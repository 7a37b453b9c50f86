"""The lists read actions as Core rows, with overdue and due soon worked out in SQL
(`queries.action_rows`); the detail builds the same view from the ORM with the Python rules
(`rules.is_overdue`, `rules.is_due_soon`). Both must say the same of every action, for every
kind of reader, on every day around the due dates."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest
from sqlmodel import Session

from domain.accounts.rules import SYSTEM, Role, Scope, token_actor, user_actor
from domain.actions import queries
from domain.actions.generate import generate_actions
from domain.demo import seed_demo
from domain.listing import MAX_LIMIT, PageRequest
from tests.conftest import NOW

READERS = {
    "staff": user_actor(user_id=1, label="staff@test.example", role=Role.OPCC_STAFF),
    "liaison": user_actor(user_id=2, label="liaison@test.example", role=Role.FORCE_LIAISON),
    "token": token_actor(
        token_id=1,
        label="token:feed",
        role=Role.VIEWER,
        scopes=frozenset({Scope.READ_ACTIONS}),
        user_id=None,
    ),
}


def _json(value: object) -> object:
    return orjson.loads(orjson.dumps(value, option=orjson.OPT_UTC_Z))


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("days", [-8, -1, 0, 7, 8])
def test_a_listed_action_is_its_detail_without_the_history(
    session: Session, reader: str, days: int
) -> None:
    seed_demo(session, now=NOW)
    generate_actions(session, 120, now=NOW)
    actor = READERS[reader]
    today = NOW.date() + timedelta(days=days)
    page = queries.action_rows(
        session,
        actor,
        filters=queries.ActionFilters(),
        page=PageRequest(limit=MAX_LIMIT),
        today=today,
    )
    assert page.items
    for row in page.items:
        detail = queries.detail(session, actor, row["id"], today=today)
        expected = detail.model_dump(mode="json", by_alias=True, exclude={"history"})
        assert _json(row) == expected
        assert list(row) == list(expected)  # the schema's order, as pydantic writes it


def test_counts_agree_with_the_list(session: Session) -> None:
    seed_demo(session, now=NOW)
    generate_actions(session, 200, now=NOW)
    today = NOW.date()
    for filters in (
        queries.ActionFilters(overdue=True),
        queries.ActionFilters(overdue=False),
        queries.ActionFilters(outstanding=True, owner_org="force"),
        queries.ActionFilters(area="charnwood"),
    ):
        listed = queries.action_rows(
            session, SYSTEM, filters=filters, page=PageRequest(limit=MAX_LIMIT), today=today
        ).items
        assert queries.count_actions(session, SYSTEM, filters, today=today) == len(listed)


def test_the_partial_index_holds_exactly_the_outstanding_statuses() -> None:
    """Migration 0011's partial index is only used when the query names the same statuses."""
    from domain.actions.tables import OUTSTANDING_WHERE

    assert f"status IN ({', '.join(repr(s) for s in queries.OUTSTANDING)})" == OUTSTANDING_WHERE
